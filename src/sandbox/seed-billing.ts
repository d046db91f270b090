/**
 * Seeded data of the BOSS billing portal (bills, plan catalogue, numbers per resident id, channel
 * settlements) and of the channel portal (channels, sales), built around the CRM customers of
 * seed.ts. Deterministic for a given seed (own PRNG stream); the demo entities below are the same
 * for every seed unless marked "(default seed)".
 *
 * The billing clock: today = 2026-11-24 (SANDBOX_NOW). Bills for the six periods 2026-06 … 2026-11
 * for every customer, due on the 28th of their period (so 2026-11 is not due yet: "unpaid").
 *
 * Demo entities:
 *  C000123 (hangzhou, P5G_129 + broadband 300M, contract to 2027-06-30): all six bills paid,
 *    arrears 0.00. Eligible for P5G_199 (upgrade) and PSIM_ADD; NOT eligible for P5G_99
 *    (contract lock: cheaper than 129 before the contract ends).
 *  C000201 (ningbo): NOT eligible for P5G_HZ_159 (offered in hangzhou only).
 *  C000124: holds 5 numbers under its resident id (its own + 4 BOSS-only lines, see
 *    ONE_ID_FIVE.extraMobiles): NOT eligible for PSIM_ADD (一证五号: a 6th number is refused).
 *  Every ARREARS customer (C000003 is the first one for the default seed) has 1-3 past periods
 *    overdue (or partial) and the 2026-11 bill unpaid: payment status "arrears".
 *  Plans: P4G_58, P5G_99, P5G_129, P5G_199, P5G_HZ_159 (hangzhou only), PBB_300M,
 *    PBB_1000M (hangzhou + ningbo), PSIM_ADD (an additional number).
 *  Channels: CH001 杭州城西营业厅 hangzhou (≈120 sales in 2026-10: 7 pages of 20), CH002 ningbo,
 *    CH003 wenzhou, CH004 hangzhou (opened 2026-11: no sales in 2026-09/10 = the empty case).
 *  Channel sales and BOSS settlements agree everywhere except the planted discrepancies of
 *    CH001 2026-10 (PLANTED_RECON).
 */
import { createRng, type Rng } from './random.js';
import { SANDBOX_NOW } from './seed.js';
import type { Customer, Region } from './state.js';

export type BillStatus = 'paid' | 'unpaid' | 'overdue' | 'partial';

export interface Bill {
  customerId: string;
  /** YYYY-MM */
  period: string;
  amount: number;
  paid: number;
  /** YYYY-MM-DD */
  dueDate: string;
  status: BillStatus;
  /** "YYYY-MM-DD HH:mm", "" when nothing was paid. */
  paidAt: string;
}

export interface BillingAccount {
  customerId: string;
  mobilePlan: { name: string; fee: number };
  /** null without broadband. */
  broadbandPlan: { name: string; fee: number } | null;
  /** YYYY-MM-DD, "" = no contract. */
  contractEnd: string;
}

export interface Plan {
  code: string;
  name: string;
  monthlyFee: number;
  kind: 'mobile' | 'broadband' | 'addon';
  regions: Region[];
  /** Ordering it opens a new number (一证五号 applies). */
  addsNumber: boolean;
}

/** A number registered under a resident id in the BOSS. */
export interface Line {
  mobile: string;
  residentId: string;
  customerId: string;
}

export interface Channel {
  id: string;
  name: string;
  region: Region;
  /** Commission rate on sales. */
  commissionRate: number;
}

export interface ChannelSale {
  recordId: string;
  channelId: string;
  period: string;
  orderId: string;
  mobile: string;
  planCode: string;
  amount: number;
  commission: number;
  /** "YYYY-MM-DD HH:mm" */
  soldAt: string;
}

export interface Settlement {
  recordId: string;
  channelId: string;
  period: string;
  orderId: string;
  mobile: string;
  planCode: string;
  amount: number;
  settledAt: string;
}

export interface BillingWorld {
  /** YYYY-MM-DD, the date the portal evaluates due dates and contracts against. */
  today: string;
  periods: readonly string[];
  accounts: BillingAccount[];
  bills: Bill[];
  plans: Plan[];
  lines: Line[];
  channels: Channel[];
  /** Channel portal's records. */
  sales: ChannelSale[];
  /** BOSS's records. */
  settlements: Settlement[];
}

export const BILLING_TODAY = SANDBOX_NOW.slice(0, 10);
export const BILL_PERIODS = ['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11'] as const;
export const SALES_PERIODS = ['2026-09', '2026-10', '2026-11'] as const;
export const MAX_NUMBERS_PER_ID = 5;

export const PLANS: readonly Plan[] = [
  { code: 'P4G_58', name: '4G 畅聊 58 元套餐', monthlyFee: 58, kind: 'mobile', regions: ['hangzhou', 'ningbo', 'wenzhou'], addsNumber: false },
  { code: 'P5G_99', name: '5G 畅享 99 元套餐', monthlyFee: 99, kind: 'mobile', regions: ['hangzhou', 'ningbo', 'wenzhou'], addsNumber: false },
  { code: 'P5G_129', name: '5G 畅享 129 元套餐', monthlyFee: 129, kind: 'mobile', regions: ['hangzhou', 'ningbo', 'wenzhou'], addsNumber: false },
  { code: 'P5G_199', name: '5G 智享 199 元套餐', monthlyFee: 199, kind: 'mobile', regions: ['hangzhou', 'ningbo', 'wenzhou'], addsNumber: false },
  { code: 'P5G_HZ_159', name: '5G 杭州城市专享 159 元套餐', monthlyFee: 159, kind: 'mobile', regions: ['hangzhou'], addsNumber: false },
  { code: 'PBB_300M', name: '宽带 300M', monthlyFee: 80, kind: 'broadband', regions: ['hangzhou', 'ningbo', 'wenzhou'], addsNumber: false },
  { code: 'PBB_1000M', name: '宽带 1000M 千兆', monthlyFee: 150, kind: 'broadband', regions: ['hangzhou', 'ningbo'], addsNumber: false },
  { code: 'PSIM_ADD', name: '加装副卡 Additional number', monthlyFee: 10, kind: 'addon', regions: ['hangzhou', 'ningbo', 'wenzhou'], addsNumber: true },
];

/** Monthly fee of every plan name the CRM shows (some are no longer sold). */
const FEE_BY_CRM_NAME: Record<string, number> = {
  '4G 畅聊 58 元套餐': 58,
  '5G 畅享 99 元套餐': 99,
  '5G 畅享 129 元套餐': 129,
  '5G 全家享 169 元套餐': 169,
  '5G 智享 199 元套餐': 199,
  '宽带 200M': 60,
  '宽带 300M': 80,
  '宽带 500M': 100,
  '宽带 1000M 千兆': 150,
};

export const CHANNELS: readonly Channel[] = [
  { id: 'CH001', name: '杭州城西营业厅 Hangzhou West Store', region: 'hangzhou', commissionRate: 0.08 },
  { id: 'CH002', name: '宁波鄞州代理点 Ningbo Yinzhou Agent', region: 'ningbo', commissionRate: 0.1 },
  { id: 'CH003', name: '温州鹿城合作厅 Wenzhou Lucheng Partner', region: 'wenzhou', commissionRate: 0.1 },
  { id: 'CH004', name: '杭州滨江新开厅 Hangzhou Binjiang New Store', region: 'hangzhou', commissionRate: 0.08 },
];

/** Sales per channel and period (before the planted discrepancies). */
const SALES_COUNT: Record<string, Record<string, number>> = {
  CH001: { '2026-09': 88, '2026-10': 120, '2026-11': 64 },
  CH002: { '2026-09': 41, '2026-10': 45, '2026-11': 30 },
  CH003: { '2026-09': 22, '2026-10': 27, '2026-11': 18 },
  CH004: { '2026-09': 0, '2026-10': 0, '2026-11': 12 },
};

export const orderIdFor = (channelId: string, period: string, seq: number): string =>
  `ORD-${period.replace('-', '')}-${channelId.slice(2)}-${String(seq).padStart(4, '0')}`;

/**
 * The discrepancies planted between the channel's sales and the BOSS's settlements of CH001 in
 * 2026-10; everything else matches. A reconciliation must report exactly these.
 */
export const PLANTED_RECON = {
  channelId: 'CH001',
  period: '2026-10',
  /** Sold by the channel, never settled by the BOSS. */
  missingInBilling: [orderIdFor('CH001', '2026-10', 11), orderIdFor('CH001', '2026-10', 57)],
  /** Settled by the BOSS, not in the channel's sales. */
  missingInChannel: [orderIdFor('CH001', '2026-10', 121), orderIdFor('CH001', '2026-10', 122)],
  /** Settled with another amount than sold (BOSS amount = channel amount + delta). */
  amountMismatch: [
    { orderId: orderIdFor('CH001', '2026-10', 23), delta: -20 },
    { orderId: orderIdFor('CH001', '2026-10', 90), delta: 30.5 },
  ],
  /** The same order id twice on one side. */
  duplicate: [
    { orderId: orderIdFor('CH001', '2026-10', 42), system: 'channel' as const },
    { orderId: orderIdFor('CH001', '2026-10', 104), system: 'billing' as const },
  ],
} as const;

/** The 一证五号 demo: C000124's resident id holds its own number and these four. */
export const ONE_ID_FIVE = { customerId: 'C000124', extraMobiles: ['18605710001', '18605710002', '18605710003', '18605710004'] } as const;

export const BILLING_DEMO = {
  paidUp: { customerId: 'C000123', contractEnd: '2027-06-30', eligiblePlans: ['P5G_199', 'PSIM_ADD'], contractLockedPlan: 'P5G_99' },
  regionLocked: { customerId: 'C000201', planCode: 'P5G_HZ_159' },
  oneIdFive: { customerId: ONE_ID_FIVE.customerId, planCode: 'PSIM_ADD' },
  /** The first ARREARS customer (default seed). */
  arrearsDefaultSeed: 'C000003',
  emptyChannel: { channelId: 'CH004', period: '2026-10' },
} as const;

export const round2 = (n: number): number => Math.round(n * 100) / 100;
const pad = (n: number) => String(n).padStart(2, '0');

export function buildBillingWorld(seed: number, customers: readonly Customer[]): BillingWorld {
  // Its own stream, so adding billing data never shifts the rest of the sandbox's seed.
  const rng = createRng((seed ^ 0x5b111) >>> 0);
  const accounts: BillingAccount[] = [];
  const bills: Bill[] = [];
  for (const c of customers) {
    const account = accountOf(rng, c);
    accounts.push(account);
    bills.push(...billsOf(rng, c, account));
  }
  const used = new Set<string>(customers.map((c) => c.mobile));
  const lines: Line[] = customers.map((c) => ({ mobile: c.mobile, residentId: c.residentId, customerId: c.id }));
  const five = customers.find((c) => c.id === ONE_ID_FIVE.customerId);
  if (five) {
    for (const m of ONE_ID_FIVE.extraMobiles) {
      used.add(m);
      lines.push({ mobile: m, residentId: five.residentId, customerId: five.id });
    }
  }
  const { sales, settlements } = buildSales(rng, used);
  return {
    today: BILLING_TODAY,
    periods: BILL_PERIODS,
    accounts,
    bills,
    plans: PLANS.map((p) => ({ ...p, regions: [...p.regions] })),
    lines,
    channels: CHANNELS.map((c) => ({ ...c })),
    sales,
    settlements,
  };
}

function accountOf(rng: Rng, c: Customer): BillingAccount {
  const mobileName = c.plans[0] ?? '4G 畅聊 58 元套餐';
  const bbName = c.plans[1];
  // Every draw happens for every customer, so a demo override cannot shift the others.
  const r = rng.next();
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  let contractEnd = r < 0.4 ? '' : r < 0.7 ? `${rng.pick(['2025', '2026'])}-${pad(Math.min(month, 10))}-${pad(day)}` : `${rng.pick(['2027', '2028'])}-${pad(month)}-${pad(day)}`;
  if (c.id === BILLING_DEMO.paidUp.customerId) contractEnd = BILLING_DEMO.paidUp.contractEnd;
  return {
    customerId: c.id,
    mobilePlan: { name: mobileName, fee: FEE_BY_CRM_NAME[mobileName] ?? 58 },
    broadbandPlan: bbName ? { name: bbName, fee: FEE_BY_CRM_NAME[bbName] ?? 80 } : null,
    contractEnd,
  };
}

function billsOf(rng: Rng, c: Customer, a: BillingAccount): Bill[] {
  const base = a.mobilePlan.fee + (a.broadbandPlan?.fee ?? 0);
  const overdueCount = rng.int(1, 3);
  const partialFirst = rng.chance(0.3);
  const currentUnpaid = rng.chance(0.1);
  const out: Bill[] = [];
  BILL_PERIODS.forEach((period, i) => {
    const extra = rng.chance(0.35) ? rng.float(0, 40, 2) : 0;
    const payDay = rng.int(1, 23);
    const hh = rng.int(8, 21);
    const mi = rng.int(0, 59);
    const amount = round2(base + extra);
    const bill: Bill = { customerId: c.id, period, amount, paid: amount, dueDate: `${period}-28`, status: 'paid', paidAt: `${period}-${pad(payDay)} ${pad(hh)}:${pad(mi)}` };
    const isCurrent = i === BILL_PERIODS.length - 1;
    const isDemo = c.id === BILLING_DEMO.paidUp.customerId;
    if (c.status === 'ARREARS') {
      if (isCurrent) Object.assign(bill, { paid: 0, status: 'unpaid', paidAt: '' });
      else if (i >= BILL_PERIODS.length - 1 - overdueCount) {
        const oldest = i === BILL_PERIODS.length - 1 - overdueCount;
        if (oldest && partialFirst) {
          Object.assign(bill, { paid: round2(Math.floor(amount / 2)), status: 'partial' });
        } else Object.assign(bill, { paid: 0, status: 'overdue', paidAt: '' });
      }
    } else if (c.status === 'ACTIVE' && isCurrent && currentUnpaid && !isDemo) {
      Object.assign(bill, { paid: 0, status: 'unpaid', paidAt: '' });
    }
    out.push(bill);
  });
  return out;
}

function randomMobile(rng: Rng, used: Set<string>): string {
  let m: string;
  do m = rng.pick(['135', '139', '158', '187', '188', '198']) + String(rng.int(0, 99_999_999)).padStart(8, '0');
  while (used.has(m));
  used.add(m);
  return m;
}

function buildSales(rng: Rng, used: Set<string>): { sales: ChannelSale[]; settlements: Settlement[] } {
  const sales: ChannelSale[] = [];
  const settlements: Settlement[] = [];
  let salesSeq = 0;
  let settleSeq = 0;
  const salesRecordId = () => `CS${String(++salesSeq).padStart(7, '0')}`;
  const settleRecordId = () => `BS${String(++settleSeq).padStart(7, '0')}`;
  const planted = PLANTED_RECON;
  for (const ch of CHANNELS) {
    for (const period of SALES_PERIODS) {
      const n = SALES_COUNT[ch.id]?.[period] ?? 0;
      const isPlanted = ch.id === planted.channelId && period === planted.period;
      const [y, m] = period.split('-').map(Number) as [number, number];
      const lastDay = period === '2026-11' ? 23 : new Date(Date.UTC(y, m, 0)).getUTCDate();
      const sellable = PLANS.filter((p) => p.regions.includes(ch.region));
      const times = Array.from({ length: n + 2 }, () => `${period}-${pad(rng.int(1, lastDay))} ${pad(rng.int(9, 20))}:${pad(rng.int(0, 59))}`).sort();
      for (let seq = 1; seq <= n + (isPlanted ? 2 : 0); seq++) {
        const plan = rng.pick(sellable);
        const orderId = orderIdFor(ch.id, period, seq);
        const mobile = randomMobile(rng, used);
        const amount = round2(plan.monthlyFee);
        const soldAt = times[seq - 1] as string;
        const settleLag = rng.int(1, 5);
        const settledAt = addDays(soldAt, settleLag);
        const sale: ChannelSale = {
          recordId: salesRecordId(),
          channelId: ch.id,
          period,
          orderId,
          mobile,
          planCode: plan.code,
          amount,
          commission: round2(amount * ch.commissionRate),
          soldAt,
        };
        const settlement: Settlement = { recordId: settleRecordId(), channelId: ch.id, period, orderId, mobile, planCode: plan.code, amount, settledAt };
        if (!isPlanted) {
          sales.push(sale);
          settlements.push(settlement);
          continue;
        }
        const inChannel = !(planted.missingInChannel as readonly string[]).includes(orderId);
        const inBilling = !(planted.missingInBilling as readonly string[]).includes(orderId);
        const mismatch = planted.amountMismatch.find((x) => x.orderId === orderId);
        if (mismatch) settlement.amount = round2(amount + mismatch.delta);
        if (inChannel) sales.push(sale);
        if (inBilling) settlements.push(settlement);
        const dup = planted.duplicate.find((x) => x.orderId === orderId);
        if (dup?.system === 'channel') sales.push({ ...sale, recordId: salesRecordId(), soldAt: addMinutes(soldAt, 7) });
        if (dup?.system === 'billing') settlements.push({ ...settlement, recordId: settleRecordId(), settledAt: addDays(settledAt, 1) });
      }
    }
  }
  return { sales, settlements };
}

function addDays(local: string, days: number): string {
  return addMinutes(local, days * 24 * 60);
}

function addMinutes(local: string, minutes: number): string {
  const [d, t] = local.split(' ') as [string, string];
  const [y, mo, da] = d.split('-').map(Number) as [number, number, number];
  const [h, mi] = t.split(':').map(Number) as [number, number];
  const dt = new Date(Date.UTC(y, mo - 1, da, h, mi) + minutes * 60_000);
  return `${dt.getUTCFullYear()}-${pad(dt.getUTCMonth() + 1)}-${pad(dt.getUTCDate())} ${pad(dt.getUTCHours())}:${pad(dt.getUTCMinutes())}`;
}

// --- Queries the portals share.

/** A customer by id or by any number the BOSS holds (with or without +86/0086, spaces, dashes). */
export function findBillingCustomer(customers: readonly Customer[], world: BillingWorld, query: string): Customer | undefined {
  const q = query.trim();
  if (!q) return undefined;
  const digits = q.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  const byId = customers.find((c) => c.id === q.toUpperCase());
  if (byId) return byId;
  const line = world.lines.find((l) => l.mobile === digits);
  return line ? customers.find((c) => c.id === line.customerId) : undefined;
}

/** Owed on bills not fully paid (unpaid, partial, overdue). */
export const owed = (b: Bill): number => round2(b.amount - b.paid);

export function arrearsOf(world: BillingWorld, customerId: string): { owed: number; pastDue: number } {
  let total = 0;
  let pastDue = 0;
  for (const b of world.bills) {
    if (b.customerId !== customerId || b.status === 'paid') continue;
    total += owed(b);
    if (b.status === 'overdue' || b.status === 'partial') pastDue += owed(b);
  }
  return { owed: round2(total), pastDue: round2(pastDue) };
}
