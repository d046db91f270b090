/** A customer's bills over a range of periods, arrears and contract end: "查账单 C000123 [2026-09 [2026-11]]". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { getBillsInput, getBillsOutput } from '../../tools/billing/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { customerIn, customerRefSchema, periodsIn, words } from '../grammar.js';
import { billsQuestions, billsReply } from './texts.js';

const BILLS_WORDS = /(账单|话费|欠费|欠|缴费|bills?(?![a-z])|arrears|owe|balance|outstanding|^\/bills(?![a-z]))/i;
const VOCABULARY = words(
  '查账单', '账单', '话费', '欠费多少', '欠费', '欠多少钱', '欠多少', '欠了多少', '欠了', '欠钱', '欠', '钱', '缴费', '交费', '费用', '多少钱', '多少', '有没有', '没有', '有', '这几个月', '几个月', '最近', '近',
  '客户', '用户', '月', '到', '至', '从', '合约', '情况', '明细', '详情', 'bills?', 'billing', 'arrears', 'owe', 'owes', 'owed', 'does', 'how much', 'outstanding', 'balance', 'due', 'customer', 'from', 'to', 'last', 'months?', 'recent', 'history', 'statement', 'anything', 'money', 'unpaid', 'paid'
);

export const billsShow = defineSkill({
  flow: 'bills.show',
  plan: z.object({ flow: z.literal('bills.show'), lang: langSchema, customer: customerRefSchema, from: z.string().nullable(), to: z.string().nullable() }),
  commands: [
    {
      priority: 240,
      words: VOCABULARY,
      parse: ({ text, lang, now }) => {
        if (!BILLS_WORDS.test(text)) return undefined;
        const customer = customerIn(text);
        if (!customer) return clarify(lang, billsQuestions.customer);
        const { periods, bad } = periodsIn(text, now);
        if (bad || periods.length > 2) return clarify(lang, billsQuestions.period);
        const sorted = [...periods].sort();
        // One month alone means that month's bill.
        return { flow: 'bills.show' as const, lang, customer, from: sorted[0] ?? null, to: sorted[1] ?? sorted[0] ?? null };
      },
    },
  ],
  uses: { tool: 'billing.getBills', effect: 'read' },
  help: [{ section: 'read', order: 7, text: { zh: '查账单 C000123 [2026-09 [2026-11]] — 账单、欠费与合约到期', en: 'bills C000123 [2026-09 [2026-11]] — bills, arrears and contract end' } }],
  async run(plan, tools) {
    const input = valid(getBillsInput, { customer: plan.customer, ...(plan.from ? { from: plan.from } : {}), ...(plan.to ? { to: plan.to } : {}) });
    const res = await tools.call('billing.getBills', input, getBillsOutput);
    return answered(billsReply(plan.lang, res, plan.from, plan.to));
  },
});
