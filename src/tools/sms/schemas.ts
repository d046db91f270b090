/**
 * Input and output schemas of the SMS gateway's tool (sms.sendNotice).
 * They are the typed boundary between the agent and the portals: the planners produce these
 * inputs, the flows read these outputs.
 */
import { z } from 'zod';
import { mobileSchema } from '../fields.js';

// --- sms.sendNotice (HTTP API carrier): registered templates only.
export const smsTemplateIdSchema = z.string().trim().toUpperCase().regex(/^SMS_[A-Z0-9_]{2,40}$/, 'template id like SMS_FAULT_NOTICE');
export const sendSmsNoticeInput = z
  .object({
    mobile: mobileSchema,
    templateId: smsTemplateIdSchema,
    params: z.record(z.string().regex(/^[a-zA-Z]\w{0,30}$/), z.string().trim().min(1).max(100)),
  })
  .strict();
export const sendSmsNoticeOutput = z.object({
  messageId: z.string(),
  templateId: z.string(),
  /** The rendered text as the gateway will send it. */
  text: z.string(),
  status: z.enum(['queued', 'sent', 'delivered', 'failed']),
  alreadyApplied: z.boolean(),
});
