/** The real-name and risk service's tools (HTTP API). */
import type { AnyTool } from '../define.js';
import { checkBlacklist } from './risk.js';

export const riskTools: readonly AnyTool[] = [checkBlacklist];
