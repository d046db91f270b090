/** What sending an SMS notice says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';
import { maskMobile } from '../../policies/masking.js';

const example = '<手机号> SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=18:00';
export const smsTexts = {
  title: (lang: Lang, mobile: string, templateId: string) =>
    t(lang, { zh: `发送短信 ${templateId} → ${maskMobile(mobile)}`, en: `Send SMS ${templateId} to ${maskMobile(mobile)}` }),
  unknownTemplate: (templateId: string, known: string[]): Text => ({
    zh: `短信网关没有登记模板 ${templateId}，未提交审批。已登记的模板：${known.join('、')}。`,
    en: `The SMS gateway has no registered template ${templateId}, so nothing was sent for approval. Registered templates: ${known.join(', ')}.`,
  }),
  /** The template's parameters, and what was missing or not in it; nothing proposed. */
  wrongParams: (templateId: string, wanted: string[], missing: string[], unexpected: string[]): Text => {
    const example = wanted.map((p) => `${p}=<…>`).join(' ');
    return {
      zh: `模板 ${templateId} 需要参数 ${wanted.join('、')}${missing.length ? `，缺少 ${missing.join('、')}` : ''}${unexpected.length ? `，模板中没有 ${unexpected.join('、')}` : ''}，未提交审批。请这样写：发短信 <手机号> ${templateId} ${example}`,
      en: `Template ${templateId} takes ${wanted.join(', ')}${missing.length ? `; missing: ${missing.join(', ')}` : ''}${unexpected.length ? `; not in the template: ${unexpected.join(', ')}` : ''}. Nothing was sent for approval. Write it as: send sms <mobile> ${templateId} ${example}`,
    };
  },
  questions: {
    mobile: { zh: `请告诉我接收短信的手机号，例如：发短信 ${example}`, en: 'To which mobile? e.g. "send sms <mobile> SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=18:00".' },
    template: { zh: `请告诉我短信模板编号（SMS_ 开头），例如：发短信 ${example}`, en: 'Which template (starting SMS_)? e.g. "send sms <mobile> SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=18:00".' },
    params: {
      zh: '短信参数请写成 名称=值，例如：发短信 <手机号> SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=明天18:00',
      en: 'Give template parameters as name=value, e.g. "send sms <mobile> SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=tomorrow 18:00".',
    },
  } satisfies Record<string, Text>,
};
