/**
 * Input and output schemas of the BOSS billing tools (billing.getBills, billing.checkPlanEligibility).
 * They are the typed boundary between the agent and the portals: the planners produce these
 * inputs, the flows read these outputs.
 */
import { z } from 'zod';
import { bilingual, customerRefSchema, periodSchema } from '../fields.js';

export const planCodeSchema = z.string().trim().toUpperCase().regex(/^P[A-Z0-9_]{2,30}$/, 'plan code like P5G_199');

// --- billing.getBills.
export const getBillsInput = z
  .object({
    customer: customerRefSchema,
    /** Inclusive; default the last 6 periods the portal has. */
    from: periodSchema.optional(),
    to: periodSchema.optional(),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, 'from must not be after to');
export const billSchema = z.object({
  period: z.string(),
  amount: z.number(),
  paid: z.number(),
  dueDate: z.string(),
  status: z.enum(['paid', 'unpaid', 'overdue', 'partial']),
  paidAt: z.string().nullable(),
});
export const getBillsOutput = z.object({
  customerId: z.string(),
  region: z.string().nullable(),
  bills: z.array(billSchema),
  /** Sum of what is owed on unpaid, partial and overdue bills. */
  arrears: z.number(),
  paymentStatus: z.enum(['current', 'arrears']),
  contractEnd: z.string().nullable(),
});

// --- billing.checkPlanEligibility: rule results with reasons.
export const checkPlanEligibilityInput = z.object({ customer: customerRefSchema, planCode: planCodeSchema }).strict();
export const eligibilityRuleSchema = z.object({
  rule: z.string(),
  passed: z.boolean(),
  reason: z.object(bilingual),
});
export const checkPlanEligibilityOutput = z.object({
  customerId: z.string(),
  region: z.string().nullable(),
  planCode: z.string(),
  planName: z.string(),
  eligible: z.boolean(),
  rules: z.array(eligibilityRuleSchema),
});
