/** The dispatch command word (the work-order read also answers to it when no ticket is named). */
import { anchored } from '../grammar.js';

export const DISPATCH_CMD = anchored(String.raw`派单|派个单|派一单|派工|派发工单|dispatch|assign`);
