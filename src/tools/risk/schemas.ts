/**
 * Input and output schemas of the real-name and risk service's tool (risk.checkBlacklist).
 * They are the typed boundary between the agent and the portals: the planners produce these
 * inputs, the flows read these outputs.
 */
import { z } from 'zod';
import { mobileSchema } from '../fields.js';

// --- risk.checkBlacklist (HTTP API carrier).
export const checkBlacklistInput = z
  .object({ mobile: mobileSchema.optional(), residentId: z.string().trim().min(15).max(40).optional() })
  .strict()
  .refine((v) => v.mobile !== undefined || v.residentId !== undefined, 'mobile or residentId');
export const blacklistHitSchema = z.object({
  list: z.enum(['blacklist', 'fraud', 'arrears_risk', 'watch']),
  subject: z.enum(['mobile', 'residentId']),
  /** Masked. */
  value: z.string(),
  reason: z.string(),
  since: z.string(),
  source: z.string(),
});
export const checkBlacklistOutput = z.object({
  listed: z.boolean(),
  riskLevel: z.enum(['low', 'medium', 'high']),
  hits: z.array(blacklistHitSchema),
  checkedAt: z.string(),
});
