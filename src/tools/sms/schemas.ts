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

/**
 * The gateway's registered templates, for the approval card (summarize() cannot call the
 * gateway; the SMS skill's guard checks a proposal's parameters against it). The gateway's own text is what is sent and what verify() checks; a test keeps this
 * copy equal to the sandbox gateway's catalogue.
 */
export const SMS_TEMPLATE_PREVIEW: Readonly<Record<string, { zh: string; en: string; text: string }>> = {
  SMS_FAULT_NOTICE: {
    zh: '故障受理通知',
    en: 'Fault notice',
    text: '【中国电信】尊敬的客户，您报修的故障（工单 {ticketId}）已受理，预计 {eta} 前处理完毕，给您带来不便敬请谅解。',
  },
  SMS_APPOINTMENT_NOTICE: {
    zh: '上门预约通知',
    en: 'Appointment notice',
    text: '【中国电信】尊敬的客户，装维工程师将于 {window} 上门处理工单 {ticketId}，如需改约请致电 10000。',
  },
  SMS_RESTORE_NOTICE: {
    zh: '故障恢复通知',
    en: 'Restore notice',
    text: '【中国电信】尊敬的客户，您报修的故障（工单 {ticketId}）已于 {restoredAt} 修复，如仍有问题请致电 10000。',
  },
  SMS_ARREARS_REMINDER: {
    zh: '欠费提醒',
    en: 'Arrears reminder',
    text: '【中国电信】尊敬的客户，您的账户截至 {period} 欠费 {amount} 元，请于 {dueDate} 前缴清，以免影响正常使用。',
  },
};

/** The parameters a template's text names ({ticketId}, {eta}), in order of appearance. */
export function smsTemplateParams(templateId: string): string[] | null {
  const tpl = SMS_TEMPLATE_PREVIEW[templateId];
  if (!tpl) return null;
  return [...new Set([...tpl.text.matchAll(/\{([a-zA-Z]\w*)\}/g)].map((m) => m[1]!))];
}
