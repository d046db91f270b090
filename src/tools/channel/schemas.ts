/**
 * Input and output schemas of the channel system's tool (recon.compareChannelBilling, which reads
 * the channel system and BOSS billing side by side).
 * They are the typed boundary between the agent and the portals: the planners produce these
 * inputs, the flows read these outputs.
 */
import { z } from 'zod';
import { periodSchema } from '../fields.js';

export const channelIdSchema = z.string().trim().toUpperCase().regex(/^CH\d{3}$/, 'channel id like CH001');

// --- recon.compareChannelBilling: channel sales vs BOSS settlement records for one period.
export const compareChannelBillingInput = z.object({ period: periodSchema, channelId: channelIdSchema }).strict();
export const reconEvidenceSchema = z.object({
  system: z.enum(['channel', 'billing']),
  recordId: z.string(),
  field: z.string(),
  value: z.string().nullable(),
  fetchedAt: z.string(),
});
export const reconExceptionSchema = z.object({
  kind: z.enum(['missing_in_billing', 'missing_in_channel', 'amount_mismatch', 'duplicate']),
  /** The business key both systems share (order id). */
  orderId: z.string(),
  field: z.string(),
  channelValue: z.string().nullable(),
  billingValue: z.string().nullable(),
  evidence: z.array(reconEvidenceSchema).min(1),
});
export const compareChannelBillingOutput = z.object({
  period: z.string(),
  channelId: z.string(),
  /** The channel's region (data scope). */
  region: z.string().nullable(),
  channelTotals: z.object({ count: z.number().int(), amount: z.number() }),
  billingTotals: z.object({ count: z.number().int(), amount: z.number() }),
  matched: z.object({ count: z.number().int(), amount: z.number() }),
  exceptions: z.array(reconExceptionSchema),
  fetchedAt: z.string(),
});
