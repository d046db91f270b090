/**
 * recon.compareChannelBilling: the channel's sales (渠道系统) against the BOSS's settlements
 * (BOSS 计费系统) of one channel and period, compared by order id. Reads every page of both
 * lists, checks the count against each pager's total (a list that changed while being read is a
 * SystemError, retried), and reports:
 *  - missing_in_billing: sold by the channel, never settled;
 *  - missing_in_channel: settled, but not among the channel's sales;
 *  - amount_mismatch: both sides, other amounts (field "amount", both values);
 *  - duplicate: the same order id more than once on one side.
 * Every exception carries evidence rows {system, recordId, field, value, fetchedAt}.
 */
import type { Page } from 'playwright-core';
import type { z } from 'zod';
import { gotoPage } from '../browser-pool.js';
import { defineTool, type LegacySystem, type ToolContext } from '../define.js';
import { BusinessError, SystemError } from '../errors.js';
import { compareChannelBillingInput, compareChannelBillingOutput, type reconEvidenceSchema, type reconExceptionSchema } from './schemas.js';
import { parseMoney } from '../billing/billing.js';
import { column, orNull, pageResult, pick, readKeyValues, readListTable } from '../portal/page-reading.js';

type Evidence = z.infer<typeof reconEvidenceSchema>;
type ReconException = z.infer<typeof reconExceptionSchema>;
type Side = 'channel' | 'billing';

/** 20 a page: 5,000 records. Beyond that a single call is the wrong tool. */
const MAX_PAGES = 250;

export interface ReconRecord {
  recordId: string;
  orderId: string;
  amount: number;
  fetchedAt: string;
}

interface ListRead {
  records: ReconRecord[];
  header: Map<string, string>;
}

const cents = (n: number): number => Math.round(n * 100);
const money = (n: number): string => n.toFixed(2);
const sumOf = (rs: readonly ReconRecord[]): number => rs.reduce((s, r) => s + cents(r.amount), 0) / 100;

/** The pager by its "Pagination" label, "共 N" and the "Next" link's text (no ids, no rel). */
async function readPager(page: Page): Promise<{ total: number | null; hasNext: boolean }> {
  return page.evaluate(() => {
    const nav = [...document.querySelectorAll('[aria-label]')].find((el) => /Pagination/i.test(el.getAttribute('aria-label') ?? ''));
    if (!nav) return { total: null, hasNext: false };
    const m = /共\s*(\d+)/.exec(nav.textContent ?? '');
    const hasNext = [...nav.querySelectorAll('a')].some((a) => /下一页|\bNext\b/i.test(a.textContent ?? ''));
    return { total: m ? Number.parseInt(m[1] ?? '0', 10) : null, hasNext };
  });
}

/** Every page of one list; `url(n)` builds page n. */
async function readAllPages(
  page: Page,
  system: LegacySystem,
  what: { caption: RegExp; url: (n: number) => string; channelId: string; amountLabel: string },
  ctx: ToolContext,
): Promise<ListRead> {
  const records: ReconRecord[] = [];
  let header = new Map<string, string>();
  let total: number | null = null;
  for (let n = 1; ; n++) {
    if (n > MAX_PAGES) {
      throw new BusinessError('invalid_input', `More than ${MAX_PAGES * 20} records in ${system}: too many to reconcile in one call`, {
        zh: `${system} 记录超过 ${MAX_PAGES * 20} 条，无法一次对账`,
      });
    }
    ctx.step(`read ${system} page`, { page: n });
    await gotoPage(page, what.url(n), system);
    const fetchedAt = new Date().toISOString();
    const outcome = await pageResult(page);
    if (outcome?.result === 'not_found') {
      throw new BusinessError('not_found', `Channel ${what.channelId} does not exist in the ${system} system`, { zh: `${system === 'channel' ? '渠道系统' : 'BOSS 计费系统'}中没有渠道 ${what.channelId}` });
    }
    if (outcome?.result === 'validation_error') {
      throw new BusinessError('invalid_input', `The ${system} system refused the request: ${outcome.text}`, { zh: `${system} 系统拒绝了请求：${outcome.text}` });
    }
    if (n === 1) header = await readKeyValues(page);
    const table = await readListTable(page, what.caption);
    if (!table) throw new SystemError('unexpected_page', system, `${system}: no records table`);
    const pager = await readPager(page);
    if (pager.total !== null) total = pager.total;
    if (table.rows.length > 0) {
      const idx = { record: column(table, 'Record ID', system), order: column(table, 'Order ID', system), amount: column(table, what.amountLabel, system) };
      for (const row of table.rows) {
        records.push({
          recordId: row[idx.record] ?? '',
          orderId: row[idx.order] ?? '',
          amount: parseMoney(row[idx.amount] ?? '', 'amount', system),
          fetchedAt,
        });
      }
    }
    if (table.rows.length === 0 || !pager.hasNext) break;
  }
  // A list that grew or shrank between pages cannot be reconciled from this read.
  if (total !== null && total !== records.length) {
    throw new SystemError('unexpected_page', system, `${system}: read ${records.length} records but the pager says ${total}`);
  }
  const ids = new Set(records.map((r) => r.recordId));
  if (ids.size !== records.length) throw new SystemError('unexpected_page', system, `${system}: a record appeared on two pages`);
  return { records, header };
}

const groupByOrder = (rs: readonly ReconRecord[]): Map<string, ReconRecord[]> => {
  const m = new Map<string, ReconRecord[]>();
  for (const r of rs) m.set(r.orderId, [...(m.get(r.orderId) ?? []), r]);
  // Records of one order by record id: the result does not depend on the order pages list them in.
  for (const g of m.values()) g.sort((x, y) => x.recordId.localeCompare(y.recordId));
  return m;
};

const ev = (system: Side, r: ReconRecord, field: string, value: string | null): Evidence => ({ system, recordId: r.recordId, field, value, fetchedAt: r.fetchedAt });

/** The comparison itself, pure: exceptions in a stable order (kind, then order id). */
export function reconcile(channel: readonly ReconRecord[], billing: readonly ReconRecord[]): {
  exceptions: ReconException[];
  matched: { count: number; amount: number };
} {
  const c = groupByOrder(channel);
  const b = groupByOrder(billing);
  const exceptions: ReconException[] = [];
  const matched: ReconRecord[] = [];
  for (const [side, groups] of [['channel', c], ['billing', b]] as const) {
    for (const [orderId, rs] of groups) {
      if (rs.length < 2) continue;
      exceptions.push({
        kind: 'duplicate',
        orderId,
        field: 'orderId',
        channelValue: side === 'channel' ? `${rs.length} records` : null,
        billingValue: side === 'billing' ? `${rs.length} records` : null,
        evidence: rs.flatMap((r) => [ev(side, r, 'orderId', r.orderId), ev(side, r, 'amount', money(r.amount))]),
      });
    }
  }
  for (const [orderId, rs] of c) {
    const first = rs[0] as ReconRecord;
    const other = b.get(orderId);
    if (!other) {
      exceptions.push({
        kind: 'missing_in_billing',
        orderId,
        field: 'orderId',
        channelValue: orderId,
        billingValue: null,
        evidence: [ev('channel', first, 'orderId', orderId), ev('channel', first, 'amount', money(first.amount))],
      });
      continue;
    }
    const o = other[0] as ReconRecord;
    if (cents(first.amount) !== cents(o.amount)) {
      exceptions.push({
        kind: 'amount_mismatch',
        orderId,
        field: 'amount',
        channelValue: money(first.amount),
        billingValue: money(o.amount),
        evidence: [ev('channel', first, 'amount', money(first.amount)), ev('billing', o, 'amount', money(o.amount))],
      });
    } else matched.push(first);
  }
  for (const [orderId, rs] of b) {
    if (c.has(orderId)) continue;
    const first = rs[0] as ReconRecord;
    exceptions.push({
      kind: 'missing_in_channel',
      orderId,
      field: 'orderId',
      channelValue: null,
      billingValue: orderId,
      evidence: [ev('billing', first, 'orderId', orderId), ev('billing', first, 'amount', money(first.amount))],
    });
  }
  const order = ['missing_in_billing', 'missing_in_channel', 'amount_mismatch', 'duplicate'];
  exceptions.sort((x, y) => order.indexOf(x.kind) - order.indexOf(y.kind) || x.orderId.localeCompare(y.orderId));
  return { exceptions, matched: { count: matched.length, amount: sumOf(matched) } };
}

export const compareChannelBilling = defineTool({
  name: 'recon.compareChannelBilling',
  effect: 'read',
  system: 'channel',
  description:
    '渠道销售与 BOSS 结算对账（按渠道和账期，按订单号比对）。Reconcile one channel\'s sales (channel system) with the BOSS settlements for a period YYYY-MM, by order id: missing on either side, amount mismatches, duplicate order ids; every exception carries its evidence (system, record id, field, value, time read).',
  input: compareChannelBillingInput,
  output: compareChannelBillingOutput,
  scope: { input: [], output: [{ path: 'region', kind: 'region' }] },
  async run(input, ctx) {
    const qs = (n: number) => new URLSearchParams({ channel: input.channelId, period: input.period, page: String(n) }).toString();
    const channel = await ctx.withPage('channel', (page, base) =>
      readAllPages(page, 'channel', { caption: /Sales records/i, url: (n) => `${base}/sales?${qs(n)}`, channelId: input.channelId, amountLabel: 'Amount' }, ctx),
    );
    const billing = await ctx.withPage('billing', (page, base) =>
      readAllPages(page, 'billing', { caption: /Settlement records/i, url: (n) => `${base}/settlements?${qs(n)}`, channelId: input.channelId, amountLabel: 'Amount' }, ctx),
    );
    const { exceptions, matched } = reconcile(channel.records, billing.records);
    ctx.step('compared', { channel: channel.records.length, billing: billing.records.length, exceptions: exceptions.length });
    return {
      period: input.period,
      channelId: pick(channel.header, 'Channel ID', 'channel'),
      region: orNull(pick(channel.header, 'Region', 'channel')),
      channelTotals: { count: channel.records.length, amount: sumOf(channel.records) },
      billingTotals: { count: billing.records.length, amount: sumOf(billing.records) },
      matched,
      exceptions,
      fetchedAt: new Date().toISOString(),
    };
  },
});
