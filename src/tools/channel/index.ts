/** The channel system's tools (reconciliation against BOSS billing). */
import type { AnyTool } from '../define.js';
import { compareChannelBilling } from './recon.js';

export const channelTools: readonly AnyTool[] = [compareChannelBilling];
