/**
 * billing.getBills and billing.checkPlanEligibility on the BOSS billing portal (BOSS 计费系统).
 * Both read pages by their labels and column headers; "not eligible" is a normal answer
 * (eligible: false with the failed rules and their reasons), not an error.
 */
import type { Page } from 'playwright-core';
import type { z } from 'zod';
import { customerRefLabel } from '../../policies/masking.js';
import { gotoPage } from '../browser-pool.js';
import { defineTool } from '../define.js';
import { BusinessError, SystemError } from '../errors.js';
import type { customerRefSchema } from '../fields.js';
import { billSchema, checkPlanEligibilityInput, checkPlanEligibilityOutput, getBillsInput, getBillsOutput } from './schemas.js';
import { column, orNull, pageResult, pick, readKeyValues, readListTable } from '../portal/page-reading.js';

const SYSTEM = 'billing';
type CustomerRef = z.infer<typeof customerRefSchema>;
type Bill = z.infer<typeof billSchema>;

const refText = (ref: CustomerRef): string => ('customerId' in ref ? ref.customerId : ref.mobile);

function customerNotFound(ref: CustomerRef): BusinessError {
  return new BusinessError('not_found', `No customer found in BOSS billing for ${customerRefLabel(ref)}`, { zh: `BOSS 计费系统中找不到客户：${customerRefLabel(ref)}` });
}

/** "123.45" (a portal money cell) as a number; anything else is a page we do not understand. */
export function parseMoney(text: string, what: string, system: string): number {
  const t = text.replace(/[,\s¥元]/g, '');
  if (!/^-?\d+(\.\d{1,2})?$/.test(t)) throw new SystemError('unexpected_page', system, `${system}: unreadable amount "${text}" (${what})`);
  return Math.round(Number(t) * 100) / 100;
}

/** The English word the portal ends a bilingual value with ("已缴清 Paid" -> "paid"). */
const englishWord = (v: string): string => (v.trim().split(/\s+/).at(-1) ?? '').toLowerCase();

/** A validation alert from the portal is a bad request, not a broken system. */
async function refuseInvalid(page: Page): Promise<void> {
  const r = await pageResult(page);
  if (r?.result === 'validation_error') throw new BusinessError('invalid_input', `BOSS billing refused the request: ${r.text}`, { zh: `BOSS 计费系统拒绝了请求：${r.text}` });
}

export const getBills = defineTool({
  name: 'billing.getBills',
  effect: 'read',
  system: 'billing',
  description:
    '查询客户账单、欠费和合约到期（按客户编号或手机号，可限定账期）。Bills of a customer from BOSS billing (by customer id or mobile, optional from/to period YYYY-MM, newest first), with the account arrears (owed on unpaid, partial and overdue bills), payment status and contract end.',
  input: getBillsInput,
  output: getBillsOutput,
  scope: { input: [], output: [{ path: 'region', kind: 'region' }] },
  async run(input, ctx) {
    return ctx.withPage('billing', async (page, base) => {
      const qs = new URLSearchParams({ q: refText(input.customer) });
      if (input.from) qs.set('from', input.from);
      if (input.to) qs.set('to', input.to);
      ctx.step('open bills', { from: input.from ?? null, to: input.to ?? null });
      await gotoPage(page, `${base}/bills?${qs.toString()}`, SYSTEM);
      await refuseInvalid(page);
      if ((await pageResult(page))?.result === 'not_found') throw customerNotFound(input.customer);
      const kv = await readKeyValues(page);
      const table = await readListTable(page, /Bills/i);
      if (!table) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: no bills table`);
      const col = (label: string) => column(table, label, SYSTEM);
      const idx = { period: col('Period'), amount: col('Amount'), paid: col('Paid'), due: col('Due date'), status: col('Status'), paidAt: col('Paid at') };
      const bills: Bill[] = table.rows.map((row) => {
        const status = billSchema.shape.status.safeParse(englishWord(row[idx.status] ?? ''));
        if (!status.success) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unknown bill status "${row[idx.status]}"`);
        return {
          period: row[idx.period] ?? '',
          amount: parseMoney(row[idx.amount] ?? '', 'amount', SYSTEM),
          paid: parseMoney(row[idx.paid] ?? '', 'paid', SYSTEM),
          dueDate: row[idx.due] ?? '',
          status: status.data,
          paidAt: orNull(row[idx.paidAt] ?? ''),
        };
      });
      // Newest first, whatever order the portal lists them in.
      bills.sort((a, b) => b.period.localeCompare(a.period));
      const paymentStatus = englishWord(pick(kv, 'Payment status', SYSTEM));
      if (paymentStatus !== 'current' && paymentStatus !== 'arrears') {
        throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unknown payment status "${pick(kv, 'Payment status', SYSTEM)}"`);
      }
      ctx.step('read bills', { count: bills.length });
      return {
        customerId: pick(kv, 'Customer ID', SYSTEM),
        region: orNull(pick(kv, 'Region', SYSTEM)),
        bills,
        arrears: parseMoney(pick(kv, 'Arrears', SYSTEM), 'arrears', SYSTEM),
        paymentStatus,
        contractEnd: orNull(pick(kv, 'Contract end', SYSTEM)),
      };
    });
  },
});

export const checkPlanEligibility = defineTool({
  name: 'billing.checkPlanEligibility',
  effect: 'read',
  system: 'billing',
  description:
    '校验客户能否办理某套餐（状态、欠费、实名、地区、合约期、一证五号），逐条给出原因。Check whether a customer may take a plan (by plan code like P5G_199): every BOSS rule (status ACTIVE, no arrears, real-name, region, contract lock, at most 5 numbers per ID) with pass/fail and the reason in zh and en. Not eligible is an answer, not an error.',
  input: checkPlanEligibilityInput,
  output: checkPlanEligibilityOutput,
  scope: { input: [], output: [{ path: 'region', kind: 'region' }] },
  async run(input, ctx) {
    return ctx.withPage('billing', async (page, base) => {
      const qs = new URLSearchParams({ q: refText(input.customer), plan: input.planCode });
      ctx.step('check eligibility', { planCode: input.planCode });
      await gotoPage(page, `${base}/eligibility?${qs.toString()}`, SYSTEM);
      await refuseInvalid(page);
      const outcome = await pageResult(page);
      if (outcome?.result === 'not_found') {
        if (/plan|套餐/i.test(outcome.text)) {
          throw new BusinessError('not_found', `No plan ${input.planCode} in the BOSS catalogue`, { zh: `BOSS 套餐目录中没有套餐 ${input.planCode}` });
        }
        throw customerNotFound(input.customer);
      }
      if (outcome?.result !== 'eligible' && outcome?.result !== 'not_eligible') {
        throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: no eligibility verdict (${outcome?.result ?? 'none'})`);
      }
      const kv = await readKeyValues(page);
      const table = await readListTable(page, /Eligibility rules/i);
      if (!table || table.rows.length === 0) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: no eligibility rules table`);
      const col = (label: string) => column(table, label, SYSTEM);
      const idx = { code: col('Rule code'), result: col('Result'), zh: col('Reason (zh)'), en: col('Reason (en)') };
      const rules = table.rows.map((row) => {
        const result = englishWord(row[idx.result] ?? '');
        if (result !== 'pass' && result !== 'fail') throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unknown rule result "${row[idx.result]}"`);
        return { rule: row[idx.code] ?? '', passed: result === 'pass', reason: { zh: row[idx.zh] ?? '', en: row[idx.en] ?? '' } };
      });
      // A stable order whatever the portal's layout lists first.
      rules.sort((a, b) => a.rule.localeCompare(b.rule));
      const eligible = outcome.result === 'eligible';
      // The verdict and the rules must agree, or we misread the page.
      if (eligible !== rules.every((r) => r.passed)) {
        throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: verdict ${outcome.result} contradicts the rules table`);
      }
      ctx.step('verdict', { eligible, failed: rules.filter((r) => !r.passed).map((r) => r.rule) });
      return {
        customerId: pick(kv, 'Customer ID', SYSTEM),
        region: orNull(pick(kv, 'Region', SYSTEM)),
        planCode: pick(kv, 'Plan code', SYSTEM),
        planName: pick(kv, 'Plan name', SYSTEM),
        eligible,
        rules,
      };
    });
  },
});
