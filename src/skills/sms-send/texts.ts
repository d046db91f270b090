/** What sending an SMS notice says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';
import { maskMobile } from '../../policies/masking.js';

const example = '<手机号> SMS_FAULT_NOTICE ticket=T20261124-0012';
export const smsTexts = {
  title: (lang: Lang, mobile: string, templateId: string) =>
    t(lang, { zh: `发送短信 ${templateId} → ${maskMobile(mobile)}`, en: `Send SMS ${templateId} to ${maskMobile(mobile)}` }),
  questions: {
    mobile: { zh: `请告诉我接收短信的手机号，例如：发短信 ${example}`, en: 'To which mobile? e.g. "send sms <mobile> SMS_FAULT_NOTICE ticket=T20261124-0012".' },
    template: { zh: `请告诉我短信模板编号（SMS_ 开头），例如：发短信 ${example}`, en: 'Which template (starting SMS_)? e.g. "send sms <mobile> SMS_FAULT_NOTICE ticket=T20261124-0012".' },
    params: {
      zh: '短信参数请写成 名称=值，例如：发短信 <手机号> SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=明天18:00',
      en: 'Give template parameters as name=value, e.g. "send sms <mobile> SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=tomorrow 18:00".',
    },
  } satisfies Record<string, Text>,
};
