import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BILL_PERIODS, BILLING_DEMO, ONE_ID_FIVE } from '../../sandbox/seed-billing.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';
import { DEFAULT_READ_ATTEMPTS } from '../runner.js';

interface Bills {
  customerId: string;
  region: string | null;
  bills: Array<{ period: string; amount: number; paid: number; dueDate: string; status: string; paidAt: string | null }>;
  arrears: number;
  paymentStatus: string;
  contractEnd: string | null;
}
interface Eligibility {
  customerId: string;
  region: string | null;
  planCode: string;
  planName: string;
  eligible: boolean;
  rules: Array<{ rule: string; passed: boolean; reason: { zh: string; en: string } }>;
}

let h: ToolHarness;
beforeAll(async () => {
  // A high breaker threshold: the fault tests below must not open the breaker for the others.
  h = await startToolHarness({ RPA_BREAKER_THRESHOLD: '100' });
}, 30_000);
afterAll(() => h?.close());
afterEach(() => h.sandbox.faults.reset());

const bills = async (input: unknown) => (await h.run('billing.getBills', input)).output as Bills;
const eligibility = async (input: unknown) => (await h.run('billing.checkPlanEligibility', input)).output as Eligibility;
const failed = (e: Eligibility) => e.rules.filter((r) => !r.passed).map((r) => r.rule);

describe('billing.getBills', () => {
  it('normal: the demo customer has six paid bills, newest first, no arrears, contract to 2027-06-30', async () => {
    const out = await bills({ customer: { customerId: 'C000123' } });
    expect(out).toMatchObject({ customerId: 'C000123', region: 'hangzhou', arrears: 0, paymentStatus: 'current', contractEnd: '2027-06-30' });
    expect(out.bills.map((b) => b.period)).toEqual([...BILL_PERIODS].reverse());
    const seeded = h.sandbox.state.billing.bills.filter((b) => b.customerId === 'C000123');
    for (const b of out.bills) {
      const s = seeded.find((x) => x.period === b.period);
      expect(b).toEqual({ period: s?.period, amount: s?.amount, paid: s?.paid, dueDate: s?.dueDate, status: 'paid', paidAt: s?.paidAt });
    }
  });

  it('normal: finds the customer by mobile written with +86 and dashes', async () => {
    expect((await bills({ customer: { mobile: '+86 138-5710-1234' } })).customerId).toBe('C000123');
  });

  it('normal: an ARREARS customer owes money on overdue bills', async () => {
    const id = BILLING_DEMO.arrearsDefaultSeed;
    const out = await bills({ customer: { customerId: id } });
    expect(out.paymentStatus).toBe('arrears');
    const owed = h.sandbox.state.billing.bills.filter((b) => b.customerId === id).reduce((s, b) => s + Math.round((b.amount - b.paid) * 100), 0) / 100;
    expect(out.arrears).toBe(owed);
    expect(out.arrears).toBeGreaterThan(0);
    expect(out.bills.some((b) => b.status === 'overdue' || b.status === 'partial')).toBe(true);
  });

  it('boundary: a range with no bills is an empty list, not an error; a one-period range gives one bill', async () => {
    const none = await bills({ customer: { customerId: 'C000123' }, from: '2025-01', to: '2025-06' });
    expect(none).toMatchObject({ customerId: 'C000123', bills: [] });
    expect((await bills({ customer: { customerId: 'C000123' }, from: '2026-10', to: '2026-10' })).bills.map((b) => b.period)).toEqual(['2026-10']);
  });

  it('abnormal: unknown customer is not_found (mobile masked in the message); bad periods are refused before the browser', async () => {
    const e = await h.fail('billing.getBills', { customer: { customerId: 'C999999' } });
    expect(e).toMatchObject({ name: 'BusinessError', code: 'not_found' });
    expect(e.record?.attempts).toBe(1);
    const m = await h.fail('billing.getBills', { customer: { mobile: '13900001111' } });
    expect(m.code).toBe('not_found');
    expect(m.message).toContain('139****1111');
    expect(m.message).not.toContain('13900001111');
    for (const bad of [{ from: '2026-13' }, { from: '2026-10', to: '2026-09' }]) {
      const v = await h.fail('billing.getBills', { customer: { customerId: 'C000123' }, ...bad });
      expect(v).toMatchObject({ code: 'invalid_input' });
      expect(v.record?.attempts).toBe(0);
    }
  });

  it('abnormal: a portal answering 500 is retried, then a SystemError; one 500 is recovered by the retry', async () => {
    h.sandbox.faults.set({ system: 'billing', errorRate: 1 });
    const e = await h.fail('billing.getBills', { customer: { customerId: 'C000123' } });
    expect(e).toMatchObject({ name: 'SystemError', code: 'unavailable' });
    expect(e.record?.attempts).toBe(DEFAULT_READ_ATTEMPTS);
    // Seed 136: the first request fails, the following ones pass.
    h.sandbox.faults.set({ system: 'billing', errorRate: 0.5, seed: 136 });
    const { output, record } = await h.run('billing.getBills', { customer: { customerId: 'C000123' } });
    expect((output as Bills).bills).toHaveLength(6);
    expect(record.attempts).toBe(2);
  });

  it('boundary: layout b (rows and columns reordered, other ids) gives the same answer', async () => {
    const a = await bills({ customer: { customerId: BILLING_DEMO.arrearsDefaultSeed } });
    h.sandbox.faults.set({ system: 'billing', layout: 'b' });
    expect(await bills({ customer: { customerId: BILLING_DEMO.arrearsDefaultSeed } })).toEqual(a);
  });
});

describe('billing.checkPlanEligibility', () => {
  it('normal: C000123 may upgrade to P5G_199 (all six rules pass)', async () => {
    const out = await eligibility({ customer: { customerId: 'C000123' }, planCode: 'p5g_199' });
    expect(out).toMatchObject({ customerId: 'C000123', region: 'hangzhou', planCode: 'P5G_199', planName: '5G 智享 199 元套餐', eligible: true });
    expect(out.rules.map((r) => r.rule).sort()).toEqual(['CONTRACT_LOCK', 'NO_ARREARS', 'ONE_ID_FIVE_NUMBERS', 'REAL_NAME', 'REGION', 'STATUS_ACTIVE']);
    expect(out.rules.every((r) => r.passed && r.reason.zh && r.reason.en)).toBe(true);
  });

  it('ineligible is an answer: contract lock, region, 一证五号 and arrears each fail with their reasons', async () => {
    const lock = await eligibility({ customer: { mobile: '13857101234' }, planCode: 'P5G_99' });
    expect(lock.eligible).toBe(false);
    expect(failed(lock)).toEqual(['CONTRACT_LOCK']);
    const reason = lock.rules.find((r) => r.rule === 'CONTRACT_LOCK')?.reason;
    expect(reason?.en).toContain('2027-06-30');
    expect(reason?.zh).toContain('2027-06-30');
    expect(failed(await eligibility({ customer: { customerId: BILLING_DEMO.regionLocked.customerId }, planCode: 'P5G_HZ_159' }))).toEqual(['REGION']);
    const five = await eligibility({ customer: { customerId: ONE_ID_FIVE.customerId }, planCode: 'PSIM_ADD' });
    expect(failed(five)).toEqual(['ONE_ID_FIVE_NUMBERS']);
    expect(five.rules.find((r) => r.rule === 'ONE_ID_FIVE_NUMBERS')?.reason.en).toMatch(/5 numbers/);
    expect(failed(await eligibility({ customer: { customerId: BILLING_DEMO.arrearsDefaultSeed }, planCode: 'P5G_199' }))).toEqual(
      expect.arrayContaining(['STATUS_ACTIVE', 'NO_ARREARS']),
    );
  });

  it('boundary: the 5-number threshold — one number under the ID may add another, five may not', async () => {
    expect((await eligibility({ customer: { customerId: 'C000123' }, planCode: 'PSIM_ADD' })).eligible).toBe(true);
    const lines = h.sandbox.state.billing.lines;
    const holder = lines.find((l) => l.customerId === ONE_ID_FIVE.customerId);
    const extra = lines.findIndex((l) => l.mobile === ONE_ID_FIVE.extraMobiles[3]);
    const [removed] = lines.splice(extra, 1);
    try {
      expect(holder && (await eligibility({ customer: { customerId: ONE_ID_FIVE.customerId }, planCode: 'PSIM_ADD' })).eligible).toBe(true);
    } finally {
      if (removed) lines.push(removed);
    }
  });

  it('abnormal: unknown plan and unknown customer are not_found, not retried', async () => {
    const plan = await h.fail('billing.checkPlanEligibility', { customer: { customerId: 'C000123' }, planCode: 'PNOPE_1' });
    expect(plan).toMatchObject({ name: 'BusinessError', code: 'not_found' });
    expect(plan.message).toContain('PNOPE_1');
    expect(plan.record?.attempts).toBe(1);
    const cust = await h.fail('billing.checkPlanEligibility', { customer: { customerId: 'C999999' }, planCode: 'P5G_199' });
    expect(cust.code).toBe('not_found');
    expect(cust.message).toContain('C999999');
    expect((await h.fail('billing.checkPlanEligibility', { customer: { customerId: 'C000123' }, planCode: '5G' })).code).toBe('invalid_input');
  });

  it('boundary: layout b gives the same verdict and rules', async () => {
    const input = { customer: { customerId: 'C000123' }, planCode: 'P5G_99' };
    const a = await eligibility(input);
    h.sandbox.faults.set({ system: 'billing', layout: 'b' });
    const b = await eligibility(input);
    expect(b).toEqual(a);
  });
});
