/** A customer's profile as a chat may show it: every personal field masked by its shape. */
import type { Lang } from '../../chat/lang.js';
import { listOf, regionName, t, type Text } from '../../chat/locale.js';
import { isValidMobile, isValidResidentId, maskAddress, maskIdLike, maskMobile, maskName, maskResidentId } from '../../policies/masking.js';
import type { Customer } from '../../tools/crm/schemas.js';
import { yes } from '../texts.js';

const statusNames: Record<Customer['status'], Text> = {
  ACTIVE: { zh: '正常', en: 'active' },
  SUSPENDED: { zh: '停机', en: 'suspended' },
  ARREARS: { zh: '欠费', en: 'in arrears' },
  CLOSED: { zh: '销户', en: 'closed' },
};

// The portal may already show a field masked; a value is masked again only when it is whole.
const mobileShown = (m: string) => (isValidMobile(m) ? maskMobile(m) : m);
const idShown = (id: string) => (isValidResidentId(id) ? maskResidentId(id) : /\*/.test(id) ? id : maskIdLike(id));

export function customerReply(lang: Lang, c: Customer): string {
  const v = (s: string | null) => s ?? '—';
  const plans = c.plans.length ? listOf(lang, c.plans) : '—';
  return [
    t(lang, {
      zh: `客户 ${c.customerId}（${regionName('zh', c.region)}）：${maskName(c.name)}，${statusNames[c.status].zh}`,
      en: `Customer ${c.customerId} (${regionName('en', c.region)}): ${maskName(c.name)}, ${statusNames[c.status].en}`,
    }),
    t(lang, {
      zh: `• 手机 ${mobileShown(c.mobile)}，证件 ${idShown(c.residentId)}，已实名 ${yes(c.realNameVerified)}`,
      en: `• Mobile ${mobileShown(c.mobile)}, ID ${idShown(c.residentId)}, real-name verified ${yes(c.realNameVerified)}`,
    }),
    t(lang, { zh: `• 套餐：${plans}`, en: `• Plans: ${plans}` }),
    t(lang, { zh: `• 宽带账号：${v(c.broadbandAccount)}`, en: `• Broadband account: ${v(c.broadbandAccount)}` }),
    t(lang, { zh: `• 装机地址：${c.address ? maskAddress(c.address) : '—'}`, en: `• Address: ${c.address ? maskAddress(c.address) : '—'}` }),
  ].join('\n');
}

export const whichCustomer: Text = {
  zh: '请告诉我客户编号、手机号或宽带账号，例如：查客户 C000123',
  en: 'Which customer? Give a customer id, mobile or broadband account, e.g. "customer info C000123".',
};
