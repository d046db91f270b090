/** Whether a customer may take a plan, and each rule that decides it, in both languages. */
import type { z } from 'zod';
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';
import type { checkPlanEligibilityOutput } from '../../tools/billing/schemas.js';

export function eligibilityReply(lang: Lang, r: z.infer<typeof checkPlanEligibilityOutput>): string {
  const head = t(lang, {
    zh: `${r.planName}（${r.planCode}）：客户 ${r.customerId} ${r.eligible ? '可以办理 ✅' : '不能办理 ❌'}`,
    en: `${r.planName} (${r.planCode}): customer ${r.customerId} ${r.eligible ? 'is eligible ✅' : 'is not eligible ❌'}`,
  });
  // Failed rules first: they are the answer to "why not".
  const rules = [...r.rules].sort((a, b) => Number(a.passed) - Number(b.passed));
  return [head, ...rules.map((x) => `• ${x.passed ? '✓' : '✗'} ${x.reason[lang]}`)].join('\n');
}

export const eligibilityQuestions = {
  planCode: { zh: '请告诉我套餐编码，例如：能否办理 P5G_199 C000123', en: 'Which plan? Give its code, e.g. "eligible C000123 P5G_199".' },
  customer: { zh: '请告诉我客户编号或手机号，例如：能否办理 P5G_199 C000123', en: 'For which customer? Give a customer id or mobile, e.g. "eligible C000123 P5G_199".' },
} satisfies Record<string, Text>;
