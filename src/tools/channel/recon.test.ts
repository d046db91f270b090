import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PLANTED_RECON } from '../../sandbox/seed-billing.js';
import { reconcile, type ReconRecord } from './recon.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';
import { DEFAULT_READ_ATTEMPTS } from '../runner.js';

interface Evidence {
  system: 'channel' | 'billing';
  recordId: string;
  field: string;
  value: string | null;
  fetchedAt: string;
}
interface Recon {
  period: string;
  channelId: string;
  region: string | null;
  channelTotals: { count: number; amount: number };
  billingTotals: { count: number; amount: number };
  matched: { count: number; amount: number };
  exceptions: Array<{ kind: string; orderId: string; field: string; channelValue: string | null; billingValue: string | null; evidence: Evidence[] }>;
  fetchedAt: string;
}

let h: ToolHarness;
beforeAll(async () => {
  h = await startToolHarness({ RPA_BREAKER_THRESHOLD: '100' });
  // Warm up: browser launch and both logins, so the tests below measure the reads alone.
  await h.run('recon.compareChannelBilling', { channelId: 'CH004', period: '2026-10' });
}, 90_000);
afterAll(() => h?.close());
afterEach(() => h.sandbox.faults.reset());

const recon = async (channelId: string, period: string) => (await h.run('recon.compareChannelBilling', { channelId, period })).output as Recon;
const sum = (xs: Array<{ amount: number }>) => xs.reduce((s, x) => s + Math.round(x.amount * 100), 0) / 100;
const plantedSet = (): string[] =>
  [
    ...PLANTED_RECON.missingInBilling.map((o) => `missing_in_billing ${o}`),
    ...PLANTED_RECON.missingInChannel.map((o) => `missing_in_channel ${o}`),
    ...PLANTED_RECON.amountMismatch.map((m) => `amount_mismatch ${m.orderId}`),
    ...PLANTED_RECON.duplicate.map((d) => `duplicate ${d.orderId}`),
  ].sort();

describe('recon.compareChannelBilling', () => {
  let first: Recon;

  it('finds every planted discrepancy of CH001 2026-10 and no false one, each with its evidence', async () => {
    const out = await recon(PLANTED_RECON.channelId, PLANTED_RECON.period);
    first = out;
    expect(out.exceptions.map((e) => `${e.kind} ${e.orderId}`).sort()).toEqual(plantedSet());

    const w = h.sandbox.state.billing;
    const sales = w.sales.filter((s) => s.channelId === 'CH001' && s.period === '2026-10');
    const settled = w.settlements.filter((s) => s.channelId === 'CH001' && s.period === '2026-10');
    expect(out).toMatchObject({ channelId: 'CH001', period: '2026-10', region: 'hangzhou' });
    expect(out.channelTotals).toEqual({ count: sales.length, amount: sum(sales) });
    expect(out.billingTotals).toEqual({ count: settled.length, amount: sum(settled) });
    // Orders on both sides with the same amount: all but the missing and mismatched ones.
    const both = new Set(sales.map((s) => s.orderId).filter((o) => settled.some((x) => x.orderId === o)));
    expect(out.matched.count).toBe(both.size - PLANTED_RECON.amountMismatch.length);

    for (const m of PLANTED_RECON.amountMismatch) {
      const e = out.exceptions.find((x) => x.kind === 'amount_mismatch' && x.orderId === m.orderId);
      const s = sales.find((x) => x.orderId === m.orderId);
      const b = settled.find((x) => x.orderId === m.orderId);
      expect(e).toMatchObject({ field: 'amount', channelValue: s?.amount.toFixed(2), billingValue: b?.amount.toFixed(2) });
      expect(e?.evidence.map((v) => [v.system, v.recordId, v.value])).toEqual([
        ['channel', s?.recordId, s?.amount.toFixed(2)],
        ['billing', b?.recordId, b?.amount.toFixed(2)],
      ]);
    }
    for (const d of PLANTED_RECON.duplicate) {
      const e = out.exceptions.find((x) => x.kind === 'duplicate' && x.orderId === d.orderId);
      const records = (d.system === 'channel' ? sales : settled).filter((x) => x.orderId === d.orderId);
      expect(records).toHaveLength(2);
      expect(new Set(e?.evidence.map((v) => `${v.system} ${v.recordId}`))).toEqual(new Set(records.map((r) => `${d.system} ${r.recordId}`)));
    }
    const missing = out.exceptions.find((x) => x.kind === 'missing_in_billing');
    expect(missing?.evidence[0]).toMatchObject({ system: 'channel', recordId: sales.find((s) => s.orderId === missing?.orderId)?.recordId });
    for (const e of out.exceptions) {
      expect(e.evidence.length).toBeGreaterThan(0);
      for (const v of e.evidence) expect(Date.parse(v.fetchedAt)).not.toBeNaN();
    }
  });

  it('boundary: both portals in layout b (rows reversed, columns reordered, pager without ids) give the same result', async () => {
    h.sandbox.faults.set({ system: 'channel', layout: 'b' });
    h.sandbox.faults.set({ system: 'billing', layout: 'b' });
    const out = await recon('CH001', '2026-10');
    const strip = (r: Recon) => ({ ...r, fetchedAt: '', exceptions: r.exceptions.map((e) => ({ ...e, evidence: e.evidence.map((v) => ({ ...v, fetchedAt: '' })) })) });
    expect(strip(out)).toEqual(strip(first));
  });

  it('boundary: a clean period has no exceptions; CH004 has no sales in 2026-10 (empty, zero totals)', async () => {
    const clean = await recon('CH002', '2026-10');
    expect(clean.exceptions).toEqual([]);
    expect(clean.matched.count).toBe(clean.channelTotals.count);
    expect(clean.channelTotals).toEqual(clean.billingTotals);
    expect(clean.region).toBe('ningbo');
    const empty = await recon('CH004', '2026-10');
    expect(empty).toMatchObject({
      region: 'hangzhou',
      channelTotals: { count: 0, amount: 0 },
      billingTotals: { count: 0, amount: 0 },
      matched: { count: 0, amount: 0 },
      exceptions: [],
    });
  });

  it('abnormal: unknown channel is not_found; a bad period is refused before the browser; a failing portal is a SystemError after retries', async () => {
    const e = await h.fail('recon.compareChannelBilling', { channelId: 'CH009', period: '2026-10' });
    expect(e).toMatchObject({ name: 'BusinessError', code: 'not_found' });
    const bad = await h.fail('recon.compareChannelBilling', { channelId: 'CH001', period: '2026-13' });
    expect(bad).toMatchObject({ code: 'invalid_input' });
    expect(bad.record?.attempts).toBe(0);
    h.sandbox.faults.set({ system: 'billing', errorRate: 1 });
    const sys = await h.fail('recon.compareChannelBilling', { channelId: 'CH004', period: '2026-10' });
    expect(sys).toMatchObject({ name: 'SystemError', code: 'unavailable' });
    expect(sys.record?.attempts).toBe(DEFAULT_READ_ATTEMPTS);
  });
});

describe('reconcile (the comparison alone)', () => {
  const r = (recordId: string, orderId: string, amount: number): ReconRecord => ({ recordId, orderId, amount, fetchedAt: '2026-11-24T12:00:00.000Z' });

  it('reports each kind once, compares in cents, and counts only agreeing orders as matched', () => {
    const out = reconcile(
      [r('c1', 'A', 10.1), r('c2', 'B', 20), r('c3', 'C', 5), r('c4', 'D', 1), r('c5', 'D', 1)],
      [r('b1', 'A', 10.1), r('b2', 'B', 20.01), r('b3', 'E', 7), r('b4', 'D', 1)],
    );
    expect(out.exceptions.map((e) => `${e.kind} ${e.orderId}`)).toEqual(['missing_in_billing C', 'missing_in_channel E', 'amount_mismatch B', 'duplicate D']);
    expect(out.matched).toEqual({ count: 2, amount: 11.1 });
    expect(out.exceptions.find((e) => e.kind === 'amount_mismatch')).toMatchObject({ channelValue: '20.00', billingValue: '20.01' });
  });

  it('two empty sides: nothing to report', () => {
    expect(reconcile([], [])).toEqual({ exceptions: [], matched: { count: 0, amount: 0 } });
  });
});
