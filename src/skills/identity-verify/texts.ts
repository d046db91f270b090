/** The identity check's verdict and each of its checks, in both languages. */
import type { z } from 'zod';
import type { Lang } from '../../chat/lang.js';
import { regionName, t, type Text } from '../../chat/locale.js';
import type { verifyIdentityOutput } from '../../tools/crm/schemas.js';
import { yes } from '../texts.js';

const verdictNames: Record<z.infer<typeof verifyIdentityOutput>['verdict'], Text> = {
  verified: { zh: '通过 ✅', en: 'verified ✅' },
  mismatch: { zh: '与档案不一致 ❌', en: 'does not match the record ❌' },
  invalid_id: { zh: '证件号无效 ❌', en: 'invalid ID number ❌' },
  not_real_name_verified: { zh: '客户未完成实名认证 ⚠️', en: 'customer is not real-name verified ⚠️' },
};

export function identityReply(lang: Lang, who: string, r: z.infer<typeof verifyIdentityOutput>): string {
  const lines = [
    t(lang, { zh: `身份核验（${who}）：${verdictNames[r.verdict].zh}`, en: `Identity check (${who}): ${verdictNames[r.verdict].en}` }),
    t(lang, {
      zh: `• 提供的证件号 ${r.givenIdMasked}${r.recordIdMasked ? `，档案证件号 ${r.recordIdMasked}` : ''}${r.customerId ? `（客户 ${r.customerId}，${regionName('zh', r.region)}）` : ''}`,
      en: `• ID given ${r.givenIdMasked}${r.recordIdMasked ? `, on record ${r.recordIdMasked}` : ''}${r.customerId ? ` (customer ${r.customerId}, ${regionName('en', r.region)})` : ''}`,
    }),
    t(lang, {
      zh: `• 格式 ${yes(r.formatValid)}  校验位 ${yes(r.checksumValid)}  出生日期 ${yes(r.birthDateValid)}  与档案一致 ${yes(r.matchesRecord)}  姓名一致 ${yes(r.nameMatches)}  已实名 ${yes(r.realNameVerified)}`,
      en: `• Format ${yes(r.formatValid)}  checksum ${yes(r.checksumValid)}  birth date ${yes(r.birthDateValid)}  matches record ${yes(r.matchesRecord)}  name ${yes(r.nameMatches)}  real-name verified ${yes(r.realNameVerified)}`,
    }),
  ];
  if (r.reasons.length) lines.push(t(lang, { zh: `原因：${r.reasons.map((x) => x.zh).join('；')}`, en: `Why: ${r.reasons.map((x) => x.en).join('; ')}` }));
  return lines.join('\n');
}

export const identityQuestions = {
  customer: {
    zh: '请告诉我客户编号或手机号，以及身份证号，例如：核验身份 C000123 <身份证号>',
    en: 'Whose identity? Give a customer id or mobile and the ID number, e.g. "verify id C000123 <ID number>".',
  },
  residentId: {
    zh: '请告诉我客户提供的身份证号，例如：核验身份 C000123 <身份证号>',
    en: 'Which ID number did the customer give? e.g. "verify id C000123 <ID number>".',
  },
} satisfies Record<string, Text>;
