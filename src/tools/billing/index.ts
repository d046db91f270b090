/** The BOSS billing tools. */
import type { AnyTool } from '../define.js';
import { checkPlanEligibility, getBills } from './billing.js';

export const billingTools: readonly AnyTool[] = [getBills, checkPlanEligibility];
