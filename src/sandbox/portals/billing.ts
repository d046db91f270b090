/**
 * BOSS 计费系统 billing portal: a customer's bills, the plan catalogue with an eligibility check
 * (rules evaluated from the portal's own data), and channel settlements (20 a page).
 *
 *   /billing/bills?q=<customer id or mobile>&from=YYYY-MM&to=YYYY-MM
 *   /billing/plans
 *   /billing/eligibility?q=<customer>&plan=<code>
 *   /billing/settlements?channel=CH001&period=2026-10&page=N
 */
import type { FastifyInstance } from 'fastify';
import { queryOf, sendHtml, sessionOf } from '../auth.js';
import { currentLayout } from '../layout.js';
import { alertBox, dataTable, detailTable, html, page, pageNumber, pager, statusBox, textField, urlWith, type SafeHtml } from '../html.js';
import { arrearsOf, findBillingCustomer, MAX_NUMBERS_PER_ID, owed, type BillingWorld, type BillStatus, type Plan } from '../seed-billing.js';
import type { Customer } from '../state.js';
import { SYSTEMS } from '../systems.js';
import type { PortalContext } from './context.js';

const sys = SYSTEMS.billing;
export const SETTLEMENTS_PAGE_SIZE = 20;
export const PERIOD_RE = /^20\d{2}-(0[1-9]|1[0-2])$/;

export const money = (n: number): string => n.toFixed(2);
const BILL_STATUS: Record<BillStatus, string> = { paid: '已缴清 Paid', unpaid: '未缴 Unpaid', overdue: '逾期 Overdue', partial: '部分缴纳 Partial' };
const KIND: Record<Plan['kind'], string> = { mobile: '移动套餐 Mobile', broadband: '宽带 Broadband', addon: '附加业务 Add-on' };

export interface RuleResult {
  code: string;
  label: string;
  passed: boolean;
  zh: string;
  en: string;
}

/** The eligibility rules of ordering `plan` for customer `c`, evaluated from the BOSS's data. */
export function evaluateEligibility(world: BillingWorld, c: Customer, plan: Plan): RuleResult[] {
  const account = world.accounts.find((a) => a.customerId === c.id);
  const { pastDue } = arrearsOf(world, c.id);
  const numbers = world.lines.filter((l) => l.residentId === c.residentId).length;
  const current = plan.kind === 'mobile' ? account?.mobilePlan : plan.kind === 'broadband' ? account?.broadbandPlan : null;
  const contractEnd = account?.contractEnd ?? '';
  const locked = contractEnd !== '' && contractEnd > world.today;
  const cheaper = current ? plan.monthlyFee < current.fee : false;
  const rules: RuleResult[] = [
    {
      code: 'STATUS_ACTIVE',
      label: '客户状态正常 Customer status ACTIVE',
      passed: c.status === 'ACTIVE',
      zh: c.status === 'ACTIVE' ? '客户状态正常' : `客户状态为 ${c.status}，不是正常在用`,
      en: c.status === 'ACTIVE' ? 'Customer is ACTIVE' : `Customer status is ${c.status}, not ACTIVE`,
    },
    {
      code: 'NO_ARREARS',
      label: '无欠费 No arrears',
      passed: pastDue === 0,
      zh: pastDue === 0 ? '无逾期欠费' : `存在逾期欠费 ${money(pastDue)} 元`,
      en: pastDue === 0 ? 'No overdue bills' : `Overdue arrears of ${money(pastDue)} yuan`,
    },
    {
      code: 'REAL_NAME',
      label: '已实名认证 Real-name verified',
      passed: c.realNameVerified,
      zh: c.realNameVerified ? '已完成实名认证' : '未完成实名认证',
      en: c.realNameVerified ? 'Real-name verified' : 'Not real-name verified',
    },
    {
      code: 'REGION',
      label: '套餐在本地区销售 Plan offered in region',
      passed: plan.regions.includes(c.region),
      zh: plan.regions.includes(c.region) ? `套餐在 ${c.region} 销售` : `套餐仅在 ${plan.regions.join('、')} 销售，客户属于 ${c.region}`,
      en: plan.regions.includes(c.region) ? `Plan is offered in ${c.region}` : `Plan is offered only in ${plan.regions.join(', ')}; customer is in ${c.region}`,
    },
    {
      code: 'CONTRACT_LOCK',
      label: '合约期内不可降档 Contract lock',
      passed: !(locked && cheaper),
      zh:
        locked && cheaper
          ? `合约 ${contractEnd} 到期前不能从 ${money(current?.fee ?? 0)} 元降到 ${money(plan.monthlyFee)} 元`
          : locked
            ? `合约期内（至 ${contractEnd}），目标套餐不低于当前套餐`
            : '无在约合约限制',
      en:
        locked && cheaper
          ? `Contract runs to ${contractEnd}: cannot move from ${money(current?.fee ?? 0)} to a cheaper ${money(plan.monthlyFee)} yuan plan`
          : locked
            ? `Under contract to ${contractEnd}; the plan is not cheaper than the current one`
            : 'No contract in force',
    },
    {
      code: 'ONE_ID_FIVE_NUMBERS',
      label: '一证五号 At most 5 numbers per ID',
      passed: !plan.addsNumber || numbers < MAX_NUMBERS_PER_ID,
      zh: !plan.addsNumber
        ? `不新增号码（该证件名下 ${numbers} 个号码）`
        : numbers < MAX_NUMBERS_PER_ID
          ? `该证件名下 ${numbers} 个号码，可再办理`
          : `该证件名下已有 ${numbers} 个号码，已达上限 ${MAX_NUMBERS_PER_ID} 个`,
      en: !plan.addsNumber
        ? `Adds no number (${numbers} numbers under this ID)`
        : numbers < MAX_NUMBERS_PER_ID
          ? `${numbers} numbers under this ID, below the limit`
          : `${numbers} numbers under this ID already: the limit is ${MAX_NUMBERS_PER_ID}`,
    },
  ];
  return rules;
}

function periodError(...values: Array<string | undefined>): SafeHtml | null {
  const bad = values.filter((v): v is string => v !== undefined && v.trim() !== '' && !PERIOD_RE.test(v.trim()));
  return bad.length > 0 ? alertBox([`账期格式错误，应为 YYYY-MM / Period must look like 2026-10: ${bad.join(', ')}`], 'validation_error') : null;
}

export function billingRoutes(scope: FastifyInstance, ctx: PortalContext): void {
  const world = () => ctx.state.billing;
  const b = () => currentLayout() === 'b';
  scope.get('/', async (_req, reply) => reply.redirect(sys.home, 302));

  scope.get('/bills', async (req, reply) => {
    const q = queryOf(req);
    const query = (q.q ?? '').trim();
    const from = (q.from ?? '').trim();
    const to = (q.to ?? '').trim();
    const form = html`<h2>账单查询 Bill query</h2>
<form method="get" action="${sys.prefix}/bills" role="search" aria-label="账单查询 Bill query">
<fieldset>
${textField({ name: 'q', label: '客户编号/手机号码 Customer ID / mobile', value: query, hint: '例 e.g. C000123, 13857101234' })}
${textField({ name: 'from', label: '起始账期 From period', value: from, hint: 'YYYY-MM' })}
${textField({ name: 'to', label: '截止账期 To period', value: to, hint: 'YYYY-MM' })}
<button type="submit">查询 Search</button>
</fieldset>
</form>`;
    let results: SafeHtml | string = '';
    const invalid = periodError(from, to);
    if (invalid) results = invalid;
    else if (query) {
      const c = findBillingCustomer(ctx.state.customers, world(), query);
      if (!c) results = statusBox('not_found', '未找到客户 / No customer found');
      else {
        const account = world().accounts.find((a) => a.customerId === c.id);
        const { owed: arrears, pastDue } = arrearsOf(world(), c.id);
        let bills = world()
          .bills.filter((x) => x.customerId === c.id && (!from || x.period >= from) && (!to || x.period <= to))
          .sort((x, y) => y.period.localeCompare(x.period));
        // Layout b: oldest first.
        if (b()) bills = bills.reverse();
        results = html`${detailTable(
          '账户信息 Account',
          [
            { label: '客户编号 Customer ID', field: 'customer_id', value: c.id },
            { label: '区域 Region', field: 'region', value: c.region },
            { label: '缴费状态 Payment status', field: 'payment_status', value: pastDue > 0 ? '欠费 Arrears' : '正常 Current' },
            { label: '欠费金额 Arrears', field: 'arrears', value: money(arrears) },
            { label: '合约到期 Contract end', field: 'contract_end', value: account?.contractEnd ?? '' },
            {
              label: '当前套餐 Current plans',
              field: 'plans',
              value: html`<ul>${[account?.mobilePlan, account?.broadbandPlan].filter((p) => p).map((p) => html`<li>${p?.name} (${money(p?.fee ?? 0)})</li>`)}</ul>`,
            },
          ],
          'account-detail',
        )}
${dataTable(
  '账单列表 Bills',
  [
    { label: '账期 Period', field: 'period' },
    { label: '应收金额 Amount', field: 'amount' },
    { label: '实收金额 Paid', field: 'paid' },
    { label: '到期日 Due date', field: 'due_date' },
    { label: '状态 Status', field: 'status' },
    { label: '缴费时间 Paid at', field: 'paid_at' },
    { label: '欠款 Owed', field: 'owed' },
  ],
  bills.map((x) => ({ id: `${x.customerId}-${x.period}`, cells: [x.period, money(x.amount), money(x.paid), x.dueDate, BILL_STATUS[x.status], x.paidAt, money(owed(x))] })),
  'bills',
)}
${bills.length === 0 ? statusBox('no_bills', '该账期范围内无账单 / No bills in this range') : ''}`;
      }
    }
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '账单查询 Bill query', body: html`${form}${results}` }));
  });

  scope.get('/plans', async (req, reply) => {
    let plans = [...world().plans];
    if (b()) plans = plans.reverse();
    const body = html`<h2>套餐目录 Plan catalogue</h2>
${dataTable(
  '套餐目录 Plan catalogue',
  [
    { label: '套餐编码 Plan code', field: 'plan_code' },
    { label: '套餐名称 Plan name', field: 'plan_name' },
    { label: '类型 Kind', field: 'kind' },
    { label: '月费 Monthly fee', field: 'monthly_fee' },
    { label: '销售区域 Regions', field: 'regions' },
    { label: '操作 Action', field: 'action' },
  ],
  plans.map((p) => ({
    id: p.code,
    cells: [p.code, p.name, KIND[p.kind], money(p.monthlyFee), p.regions.join(', '), html`<a href="${urlWith(`${sys.prefix}/eligibility`, { plan: p.code })}">资格校验 Check eligibility</a>`],
  })),
  'plans',
)}`;
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '套餐目录 Plan catalogue', body }));
  });

  scope.get('/eligibility', async (req, reply) => {
    const q = queryOf(req);
    const query = (q.q ?? '').trim();
    const code = (q.plan ?? '').trim().toUpperCase();
    const form = html`<h2>套餐资格校验 Plan eligibility check</h2>
<form method="get" action="${sys.prefix}/eligibility" role="search" aria-label="资格校验 Eligibility check">
<fieldset>
${textField({ name: 'q', label: '客户编号/手机号码 Customer ID / mobile', value: query })}
${textField({ name: 'plan', label: '套餐编码 Plan code', value: code, hint: '例 e.g. P5G_199' })}
<button type="submit">校验 Check</button>
</fieldset>
</form>`;
    let results: SafeHtml | string = '';
    if (!query || !code) results = statusBox('no_criteria', '请输入客户和套餐编码 / Enter a customer and a plan code');
    else {
      const c = findBillingCustomer(ctx.state.customers, world(), query);
      const plan = world().plans.find((p) => p.code === code);
      if (!c) results = statusBox('not_found', '未找到客户 / No customer found');
      else if (!plan) results = statusBox('not_found', `未找到套餐 / No such plan: ${code}`);
      else {
        let rules = evaluateEligibility(world(), c, plan);
        const failed = rules.filter((r) => !r.passed).length;
        if (b()) rules = [...rules].reverse();
        results = html`${detailTable(
          '客户信息 Customer',
          [
            { label: '客户编号 Customer ID', field: 'customer_id', value: c.id },
            { label: '区域 Region', field: 'region', value: c.region },
            { label: '客户状态 Customer status', field: 'status', value: c.status },
          ],
          'customer-detail',
        )}
${detailTable(
  '目标套餐 Target plan',
  [
    { label: '套餐编码 Plan code', field: 'plan_code', value: plan.code },
    { label: '套餐名称 Plan name', field: 'plan_name', value: plan.name },
    { label: '月费 Monthly fee', field: 'monthly_fee', value: money(plan.monthlyFee) },
  ],
  'plan-detail',
)}
${dataTable(
  '校验规则 Eligibility rules',
  [
    { label: '规则编码 Rule code', field: 'rule_code' },
    { label: '规则 Rule', field: 'rule' },
    { label: '结果 Result', field: 'result' },
    { label: '原因 Reason (zh)', field: 'reason_zh' },
    { label: '说明 Reason (en)', field: 'reason_en' },
  ],
  rules.map((r) => ({ id: r.code, cells: [r.code, r.label, r.passed ? '通过 Pass' : '不通过 Fail', r.zh, r.en] })),
  'rules',
)}
${
  failed === 0
    ? statusBox('eligible', '可以办理 / Eligible', 'ok')
    : statusBox('not_eligible', `不可办理：${failed} 条规则未通过 / Not eligible: ${failed} rule(s) failed`)
}`;
      }
    }
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '资格校验 Eligibility check', body: html`${form}${results}` }));
  });

  scope.get('/settlements', async (req, reply) => {
    const q = queryOf(req);
    const channelId = (q.channel ?? '').trim().toUpperCase();
    const period = (q.period ?? '').trim();
    const form = html`<h2>渠道结算 Channel settlements</h2>
<form method="get" action="${sys.prefix}/settlements" role="search" aria-label="结算查询 Settlement query">
<fieldset>
${textField({ name: 'channel', label: '渠道编号 Channel ID', value: channelId, hint: '例 e.g. CH001' })}
${textField({ name: 'period', label: '账期 Period', value: period, hint: 'YYYY-MM' })}
<button type="submit">查询 Search</button>
</fieldset>
</form>`;
    let results: SafeHtml | string = '';
    const invalid = periodError(period);
    const channel = world().channels.find((c) => c.id === channelId);
    if (invalid) results = invalid;
    else if (!channelId || !period) results = statusBox('no_criteria', '请输入渠道编号和账期 / Enter a channel and a period');
    else if (!channel) results = statusBox('not_found', `未找到渠道 / No such channel: ${channelId}`);
    else {
      let all = world()
        .settlements.filter((s) => s.channelId === channelId && s.period === period)
        .sort((x, y) => x.settledAt.localeCompare(y.settledAt) || x.recordId.localeCompare(y.recordId));
      if (b()) all = all.reverse();
      const { page: current, totalPages } = pageNumber(q.page, all.length, SETTLEMENTS_PAGE_SIZE);
      const rows = all.slice((current - 1) * SETTLEMENTS_PAGE_SIZE, current * SETTLEMENTS_PAGE_SIZE);
      const href = (n: number) => urlWith(`${sys.prefix}/settlements`, { channel: channelId, period, page: n });
      results = html`${detailTable(
        '结算信息 Settlement',
        [
          { label: '渠道编号 Channel ID', field: 'channel_id', value: channel.id },
          { label: '渠道名称 Channel name', field: 'channel_name', value: channel.name },
          { label: '账期 Period', field: 'period', value: period },
        ],
        'settlement-detail',
      )}
${dataTable(
  '结算记录 Settlement records',
  [
    { label: '订单号 Order ID', field: 'order_id' },
    { label: '手机号码 Mobile', field: 'mobile' },
    { label: '套餐 Plan', field: 'plan' },
    { label: '结算金额 Amount', field: 'amount' },
    { label: '结算时间 Settled at', field: 'settled_at' },
    { label: '记录号 Record ID', field: 'record_id' },
  ],
  rows.map((s) => ({ id: s.recordId, cells: [s.orderId, s.mobile, s.planCode, money(s.amount), s.settledAt, s.recordId] })),
  'settlements',
)}
${all.length === 0 ? statusBox('no_records', '无结算记录 / No settlement records') : ''}
${pager({ page: current, totalPages, totalRows: all.length, href, noun: '条 records' })}`;
    }
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '渠道结算 Channel settlements', body: html`${form}${results}` }));
  });
}
