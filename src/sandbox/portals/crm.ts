/** 客户关系管理系统 CRM: customer search and customer detail. */
import type { FastifyInstance } from 'fastify';
import { queryOf, sendHtml, sessionOf } from '../auth.js';
import { dataTable, detailTable, html, page, statusBox, textField, yesNo, type SafeHtml } from '../html.js';
import { alertBox } from '../html.js';
import { currentLayout } from '../layout.js';
import { findCustomer, type Customer } from '../state.js';
import { SYSTEMS } from '../systems.js';
import type { PortalContext } from './context.js';

const sys = SYSTEMS.crm;

export function maskName(name: string): string {
  return (name[0] ?? '') + '*'.repeat(Math.max(1, name.length - 1));
}

/** Customer id, mobile (with or without +86/0086, spaces, dashes) or broadband account. */
export function searchCustomers(customers: Customer[], query: string): Customer[] {
  const q = query.trim();
  if (!q) return [];
  const digits = q.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  return customers.filter(
    (c) => c.id === q.toUpperCase() || c.mobile === digits || (c.broadbandAccount !== '' && c.broadbandAccount === q.toLowerCase()),
  );
}

function searchForm(q: string): SafeHtml {
  return html`<h2>客户查询 Customer search</h2>
<form method="get" action="${sys.prefix}/customers" role="search" aria-label="客户查询 Customer search">
<fieldset>
${textField({ name: 'q', label: '客户编号/手机号码/宽带账号 Customer ID / mobile / broadband account', value: q, hint: '例 e.g. C000123, 13857101234, hz81000123' })}
<button type="submit">查询 Search</button>
</fieldset>
</form>`;
}

export function crmRoutes(scope: FastifyInstance, ctx: PortalContext): void {
  scope.get('/', async (_req, reply) => reply.redirect(sys.home, 302));
  numberStatusRoute(scope, ctx);

  scope.get('/customers', async (req, reply) => {
    const q = queryOf(req).q ?? '';
    let results: SafeHtml | string = '';
    if (q.trim()) {
      const found = searchCustomers(ctx.state.customers, q);
      results =
        found.length === 0
          ? statusBox('not_found', '未找到客户 / No customer found')
          : dataTable(
              '查询结果 Search results',
              [
                { label: '客户编号 Customer ID', field: 'customer_id' },
                { label: '姓名 Name', field: 'name' },
                { label: '手机号码 Mobile', field: 'mobile' },
                { label: '状态 Status', field: 'status' },
                { label: '区域 Region', field: 'region' },
                { label: '宽带账号 Broadband account', field: 'broadband_account' },
                { label: '操作 Action', field: 'action' },
              ],
              found.map((c) => ({
                id: c.id,
                cells: [
                  c.id,
                  maskName(c.name),
                  c.mobile,
                  c.status,
                  c.region,
                  c.broadbandAccount,
                  html`<a href="${sys.prefix}/customers/${c.id}">详情 Detail</a>`,
                ],
              })),
              'results',
            );
    }
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '客户查询 Customer search', body: html`${searchForm(q)}${results}` }));
  });

  scope.get<{ Params: { id: string } }>('/customers/:id', async (req, reply) => {
    const c = findCustomer(ctx.state, req.params.id);
    const body = c
      ? html`<h2>客户详情 Customer detail</h2>
${detailTable(
  '客户信息 Customer information',
  [
    { label: '客户编号 Customer ID', field: 'customer_id', value: c.id },
    { label: '姓名 Name', field: 'name', value: maskName(c.name) },
    { label: '手机号码 Mobile', field: 'mobile', value: c.mobile },
    { label: '证件号码 Resident ID', field: 'resident_id', value: c.residentId },
    { label: '状态 Status', field: 'status', value: c.status },
    { label: '实名认证 Real-name verified', field: 'real_name_verified', value: yesNo(c.realNameVerified) },
    { label: '套餐 Plans', field: 'plans', value: html`<ul class="plans">${c.plans.map((p) => html`<li>${p}</li>`)}</ul>` },
    { label: '装机地址 Address', field: 'address', value: c.address },
    { label: '宽带账号 Broadband account', field: 'broadband_account', value: c.broadbandAccount },
    { label: '区域 Region', field: 'region', value: c.region },
  ],
  'customer-detail',
)}
<p><a href="${sys.prefix}/customers">返回查询 Back to search</a></p>`
      : html`${searchForm('')}${statusBox('not_found', `未找到客户 / No customer found: ${req.params.id}`)}`;
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '客户详情 Customer detail', body }));
  });
}

/**
 * 号码状态 Number status: GET /crm/numbers?mobile=… — the line status, holder, region and main
 * plan of one number, or statusBox("unassigned") for a number no customer holds (空号). Layout b:
 * the answer comes before the search form (and detailTable/textField change as everywhere).
 */
function numberStatusRoute(scope: FastifyInstance, ctx: PortalContext): void {
  scope.get('/numbers', async (req, reply) => {
    const raw = queryOf(req).mobile ?? '';
    const form = html`<h2>号码状态查询 Number status</h2>
<form method="get" action="${sys.prefix}/numbers" role="search" aria-label="号码状态查询 Number status">
<fieldset>
${textField({ name: 'mobile', label: '手机号码 Mobile', value: raw, hint: '例 e.g. 13857101234' })}
<button type="submit">查询 Search</button>
</fieldset>
</form>`;
    let result: SafeHtml | string = '';
    if (raw.trim()) {
      const mobile = raw.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
      const holder = /^1[3-9]\d{9}$/.test(mobile) ? ctx.state.customers.find((c) => c.mobile === mobile) : undefined;
      result = !/^1[3-9]\d{9}$/.test(mobile)
        ? alertBox(['号码格式错误，应为 11 位手机号码 / Invalid number: 11-digit mobile expected'], 'validation_error')
        : holder
          ? detailTable(
              '号码状态 Number status',
              [
                { label: '手机号码 Mobile', field: 'mobile', value: holder.mobile },
                { label: '号码状态 Line status', field: 'line_status', value: holder.status },
                { label: '客户编号 Customer ID', field: 'customer_id', value: holder.id },
                { label: '区域 Region', field: 'region', value: holder.region },
                { label: '主套餐 Main plan', field: 'main_plan', value: holder.plans[0] ?? '' },
              ],
              'number-status',
            )
          : statusBox('unassigned', `空号：该号码未分配给任何客户 / Unassigned: no customer holds ${mobile}`);
    }
    const body = currentLayout() === 'b' ? html`${result}${form}` : html`${form}${result}`;
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '号码状态 Number status', body }));
  });
}
