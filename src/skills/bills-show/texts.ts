/** Bills, arrears and contract end, in both languages. */
import type { z } from 'zod';
import type { Lang } from '../../chat/lang.js';
import { localTime, regionName, t, type Text } from '../../chat/locale.js';
import type { getBillsOutput } from '../../tools/billing/schemas.js';
import { yuan } from '../texts.js';

const billStatusNames: Record<string, Text> = {
  paid: { zh: '已缴清', en: 'paid' },
  unpaid: { zh: '未缴', en: 'unpaid' },
  overdue: { zh: '逾期', en: 'overdue' },
  partial: { zh: '部分缴纳', en: 'part paid' },
};

export function billsReply(lang: Lang, r: z.infer<typeof getBillsOutput>, from: string | null, to: string | null): string {
  const range = from ? (from === to || !to ? from : `${from} ~ ${to}`) : t(lang, { zh: '最近账期', en: 'recent periods' });
  const owing =
    r.paymentStatus === 'arrears' || r.arrears > 0
      ? t(lang, { zh: `欠费 ${yuan(lang, r.arrears)}`, en: `arrears ${yuan(lang, r.arrears)}` })
      : t(lang, { zh: '无欠费', en: 'no arrears' });
  const contract = r.contractEnd ? t(lang, { zh: `，合约到期 ${r.contractEnd}`, en: `, contract ends ${r.contractEnd}` }) : '';
  const head = t(lang, {
    zh: `客户 ${r.customerId} 账单（${range}，${regionName('zh', r.region)}）：${owing}${contract}`,
    en: `Bills of ${r.customerId} (${range}, ${regionName('en', r.region)}): ${owing}${contract}`,
  });
  if (r.bills.length === 0) return [head, t(lang, { zh: '该时段没有账单。', en: 'No bills in that period.' })].join('\n');
  const rows = r.bills.map((b) =>
    t(lang, {
      zh: `• ${b.period} 应缴 ${yuan('zh', b.amount)}，已缴 ${yuan('zh', b.paid)}，${billStatusNames[b.status]!.zh}（到期 ${b.dueDate}${b.paidAt ? `，缴费于 ${localTime(b.paidAt)}` : ''}）`,
      en: `• ${b.period} due ${yuan('en', b.amount)}, paid ${yuan('en', b.paid)}, ${billStatusNames[b.status]!.en} (due ${b.dueDate}${b.paidAt ? `, paid ${localTime(b.paidAt)}` : ''})`,
    }),
  );
  return [head, ...rows].join('\n');
}

export const billsQuestions = {
  customer: {
    zh: '请告诉我客户编号或手机号，例如：查账单 C000123 2026-09 2026-11',
    en: 'Whose bills? Give a customer id or mobile, e.g. "bills C000123 2026-09 2026-11".',
  },
  period: {
    zh: '账期请写成年-月，最多两个（起止），例如：查账单 C000123 2026-09 2026-11',
    en: 'Give periods as year-month, at most two (from, to), e.g. "bills C000123 2026-09 2026-11".',
  },
} satisfies Record<string, Text>;
