import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultController } from './faults.js';
import { BILL_PERIODS, BILLING_DEMO, buildBillingWorld, ONE_ID_FIVE, PLANTED_RECON } from './seed-billing.js';
import { buildSeed, DEFAULT_SEED } from './seed.js';
import { buildSandboxApp } from './server.js';
import type { SandboxState } from './state.js';
import { decodeHtml, field, login, resultOf, rowIds } from '../../tests/helpers/sandbox-testkit.js';

let app: FastifyInstance;
let state: SandboxState;
let faults: FaultController;
const cookies: Record<string, string> = {};
beforeAll(async () => {
  ({ app, state, faults } = await buildSandboxApp());
  for (const p of ['/billing', '/channel']) cookies[p] = await login(app, p);
});
afterAll(() => app.close());
afterEach(() => faults.reset());

const get = async (url: string) => {
  const prefix = `/${url.split('/')[1]?.split('?')[0]}`;
  const res = await app.inject({ url, headers: { cookie: cookies[prefix] ?? '' } });
  expect(res.statusCode).toBe(200);
  return res.body;
};
/** Text of every <td data-field=name> in order. */
const cells = (html: string, name: string) => [...html.matchAll(new RegExp(`<td[^>]*data-field="${name}">([\\s\\S]*?)</td>`, 'g'))].map((m) => decodeHtml(m[1] as string));
const totalOf = (html: string) => Number(/共 (\d+) 条/.exec(html)?.[1]);

describe('billing seed', () => {
  it('is deterministic and gives every customer six bills; ARREARS customers, and only they, owe past-due money', () => {
    const customers = buildSeed(DEFAULT_SEED).customers;
    expect(buildBillingWorld(DEFAULT_SEED, customers)).toEqual(buildBillingWorld(DEFAULT_SEED, customers));
    const w = state.billing;
    expect(w.bills).toHaveLength(state.customers.length * BILL_PERIODS.length);
    for (const c of state.customers) {
      const bills = w.bills.filter((b) => b.customerId === c.id);
      expect(bills.map((b) => b.period)).toEqual([...BILL_PERIODS]);
      const pastDue = bills.some((b) => b.status === 'overdue' || b.status === 'partial');
      expect(pastDue, c.id).toBe(c.status === 'ARREARS');
      for (const b of bills) expect(Number.isInteger(Math.round(b.amount * 100)) && b.paid <= b.amount).toBe(true);
    }
    expect(state.customers.find((c) => c.status === 'ARREARS')?.id).toBe(BILLING_DEMO.arrearsDefaultSeed);
    expect(w.lines.filter((l) => l.customerId === ONE_ID_FIVE.customerId)).toHaveLength(5);
    expect(w.plans.length).toBeGreaterThanOrEqual(5);
    expect(w.plans.length).toBeLessThanOrEqual(8);
  });

  it('channel sales and settlements differ exactly by the planted discrepancies, and only in CH001 2026-10', () => {
    const w = state.billing;
    for (const ch of w.channels) {
      for (const period of ['2026-09', '2026-10', '2026-11']) {
        const sales = w.sales.filter((s) => s.channelId === ch.id && s.period === period);
        const settled = w.settlements.filter((s) => s.channelId === ch.id && s.period === period);
        const key = (x: { orderId: string; amount: number }) => `${x.orderId}=${x.amount.toFixed(2)}`;
        const a = new Set(sales.map(key));
        const b = new Set(settled.map(key));
        const onlyA = [...a].filter((k) => !b.has(k)).sort();
        const onlyB = [...b].filter((k) => !a.has(k)).sort();
        const dupA = sales.length - a.size;
        const dupB = settled.length - b.size;
        if (ch.id === PLANTED_RECON.channelId && period === PLANTED_RECON.period) {
          const ids = (ks: string[]) => ks.map((k) => k.split('=')[0]);
          const mism = PLANTED_RECON.amountMismatch.map((m) => m.orderId);
          expect(ids(onlyA).sort()).toEqual([...PLANTED_RECON.missingInBilling, ...mism].sort());
          expect(ids(onlyB).sort()).toEqual([...PLANTED_RECON.missingInChannel, ...mism].sort());
          expect([dupA, dupB]).toEqual([1, 1]);
          expect(sales.length).toBeGreaterThanOrEqual(115);
        } else {
          expect([onlyA, onlyB, dupA, dupB], `${ch.id} ${period}`).toEqual([[], [], 0, 0]);
        }
      }
    }
    expect(w.sales.filter((s) => s.channelId === 'CH004' && s.period === '2026-10')).toHaveLength(0);
  });
});

describe('BOSS bills', () => {
  it('needs a login', async () => {
    const res = await app.inject({ url: '/billing/bills?q=C000123' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toContain('/billing/login');
  });

  it("shows the demo customer's six paid bills newest first, by id or by mobile", async () => {
    for (const q of ['C000123', '%2B86%20138-5710-1234']) {
      const html = await get(`/billing/bills?q=${q}`);
      expect(field(html, 'customer_id')).toBe('C000123');
      expect(field(html, 'region')).toBe('hangzhou');
      expect(field(html, 'payment_status')).toBe('正常 Current');
      expect(field(html, 'arrears')).toBe('0.00');
      expect(field(html, 'contract_end')).toBe('2027-06-30');
      expect(cells(html, 'period')).toEqual([...BILL_PERIODS].reverse());
      expect(new Set(cells(html, 'status'))).toEqual(new Set(['已缴清 Paid']));
      expect(html).toContain('<th scope="col">缴费时间 Paid at</th>');
    }
  });

  it('shows an ARREARS customer with overdue bills and the amount owed', async () => {
    const id = BILLING_DEMO.arrearsDefaultSeed;
    const html = await get(`/billing/bills?q=${id}`);
    expect(field(html, 'payment_status')).toBe('欠费 Arrears');
    const owed = state.billing.bills.filter((b) => b.customerId === id).reduce((s, b) => s + (b.amount - b.paid), 0);
    expect(field(html, 'arrears')).toBe(owed.toFixed(2));
    expect(cells(html, 'status').some((s) => /Overdue|Partial/.test(s))).toBe(true);
  });

  it('filters by period range; an empty range says so; a bad period is refused; an unknown customer is not found', async () => {
    expect(cells(await get('/billing/bills?q=C000123&from=2026-08&to=2026-09'), 'period')).toEqual(['2026-09', '2026-08']);
    const empty = await get('/billing/bills?q=C000123&from=2025-01&to=2025-06');
    expect(cells(empty, 'period')).toEqual([]);
    expect(resultOf(empty)).toBe('no_bills');
    expect(field(empty, 'customer_id')).toBe('C000123');
    expect(resultOf(await get('/billing/bills?q=C000123&from=2026-13'))).toBe('validation_error');
    expect(resultOf(await get('/billing/bills?q=C999999'))).toBe('not_found');
    expect(resultOf(await get('/billing/bills?q=13900000000'))).toBe('not_found');
  });

  it('layout b: oldest bill first, columns reversed, other ids; labels kept', async () => {
    faults.set({ system: 'billing', layout: 'b' });
    const html = await get('/billing/bills?q=C000123');
    expect(cells(html, 'period')).toEqual([...BILL_PERIODS]);
    expect(html).toContain('id="v2_bills"');
    expect(html).not.toContain('id="bills"');
    expect(html.indexOf('缴费时间 Paid at')).toBeLessThan(html.indexOf('账期 Period</th>'));
  });
});

describe('BOSS plans and eligibility', () => {
  const rules = (html: string) => Object.fromEntries(cells(html, 'rule_code').map((c, i) => [c, cells(html, 'result')[i]]));

  it('lists the plan catalogue', async () => {
    const html = await get('/billing/plans');
    expect(rowIds(html, 'plans')).toEqual(state.billing.plans.map((p) => p.code));
    expect(html).toContain('P5G_199');
  });

  it('C000123 may upgrade to P5G_199, but not move to the cheaper P5G_99 under contract', async () => {
    const ok = await get('/billing/eligibility?q=C000123&plan=P5G_199');
    expect(resultOf(ok)).toBe('eligible');
    expect(Object.values(rules(ok))).toEqual(Array(6).fill('通过 Pass'));
    const locked = await get('/billing/eligibility?q=C000123&plan=p5g_99');
    expect(resultOf(locked)).toBe('not_eligible');
    expect(rules(locked)).toMatchObject({ CONTRACT_LOCK: '不通过 Fail', STATUS_ACTIVE: '通过 Pass', NO_ARREARS: '通过 Pass' });
    expect(locked).toContain('2027-06-30');
  });

  it('refuses a plan outside the region, a 6th number on one ID, and an ARREARS customer, each with its rule', async () => {
    expect(rules(await get(`/billing/eligibility?q=${BILLING_DEMO.regionLocked.customerId}&plan=P5G_HZ_159`))).toMatchObject({ REGION: '不通过 Fail' });
    const five = await get(`/billing/eligibility?q=${ONE_ID_FIVE.customerId}&plan=PSIM_ADD`);
    expect(resultOf(five)).toBe('not_eligible');
    expect(rules(five)).toMatchObject({ ONE_ID_FIVE_NUMBERS: '不通过 Fail', STATUS_ACTIVE: '通过 Pass' });
    expect(resultOf(await get('/billing/eligibility?q=C000123&plan=PSIM_ADD'))).toBe('eligible');
    const arrears = await get(`/billing/eligibility?q=${BILLING_DEMO.arrearsDefaultSeed}&plan=P5G_199`);
    expect(rules(arrears)).toMatchObject({ STATUS_ACTIVE: '不通过 Fail', NO_ARREARS: '不通过 Fail' });
  });

  it('answers an unknown plan or customer with not_found, and missing criteria with no_criteria', async () => {
    const plan = await get('/billing/eligibility?q=C000123&plan=PNOPE_1');
    expect(resultOf(plan)).toBe('not_found');
    expect(plan).toContain('No such plan');
    expect(resultOf(await get('/billing/eligibility?q=C999999&plan=P5G_199'))).toBe('not_found');
    expect(resultOf(await get('/billing/eligibility?q=C000123'))).toBe('no_criteria');
  });
});

describe('BOSS settlements and channel sales', () => {
  it('pages CH001 2026-10 settlements 20 at a time with a Next link until the last page', async () => {
    const p1 = await get('/billing/settlements?channel=CH001&period=2026-10');
    expect(rowIds(p1, 'settlements')).toHaveLength(20);
    expect(totalOf(p1)).toBe(121);
    expect(p1).toContain('下一页 Next');
    const p7 = await get('/billing/settlements?channel=CH001&period=2026-10&page=7');
    expect(rowIds(p7, 'settlements')).toHaveLength(1);
    expect(p7).not.toContain('下一页 Next');
    expect(field(p1, 'channel_name')).toContain('Hangzhou');
  });

  it('sales pages of CH001 2026-10 carry every record once; CH004 2026-10 is empty', async () => {
    const ids: string[] = [];
    for (let n = 1; n <= 7; n++) ids.push(...rowIds(await get(`/channel/sales?channel=CH001&period=2026-10&page=${n}`), 'sales'));
    expect(new Set(ids).size).toBe(121);
    const empty = await get('/channel/sales?channel=CH004&period=2026-10');
    expect(resultOf(empty)).toBe('no_records');
    expect(rowIds(empty, 'sales')).toEqual([]);
    expect(field(empty, 'region')).toBe('hangzhou');
    expect(resultOf(await get('/billing/settlements?channel=CH004&period=2026-10'))).toBe('no_records');
  });

  it('unknown channel: not_found; bad period: validation_error; channel list has the four channels', async () => {
    expect(resultOf(await get('/channel/sales?channel=CH009&period=2026-10'))).toBe('not_found');
    expect(resultOf(await get('/billing/settlements?channel=CH009&period=2026-10'))).toBe('not_found');
    expect(resultOf(await get('/channel/sales?channel=CH001&period=2026-1'))).toBe('validation_error');
    expect(resultOf(await get('/billing/settlements?channel=CH001&period=26-10'))).toBe('validation_error');
    expect(rowIds(await get('/channel/channels'), 'channels')).toEqual(['CH001', 'CH002', 'CH003', 'CH004']);
  });

  it('layout b: other row order and ids, pager without ids, same labels', async () => {
    faults.set({ system: 'channel', layout: 'b' });
    const b1 = await get('/channel/sales?channel=CH001&period=2026-10');
    faults.reset('channel');
    const a1 = await get('/channel/sales?channel=CH001&period=2026-10');
    expect(rowIds(b1, 'v2_sales')).not.toEqual(rowIds(a1, 'sales'));
    expect(b1).toContain('aria-label="分页 Pagination"');
    expect(b1).toContain('下一页 Next');
    expect(b1).not.toContain('rel="next"');
    expect(b1).toContain('销售金额 Amount');
  });
});
