/**
 * 渠道管理系统 channel portal: the channel list and each channel's sales per period (20 a page),
 * the channel side of the channel/BOSS reconciliation.
 *
 *   /channel/channels
 *   /channel/sales?channel=CH001&period=2026-10&page=N
 */
import type { FastifyInstance } from 'fastify';
import { queryOf, sendHtml, sessionOf } from '../auth.js';
import { currentLayout } from '../layout.js';
import { alertBox, dataTable, detailTable, html, page, pageNumber, pager, statusBox, textField, urlWith, type SafeHtml } from '../html.js';
import { SYSTEMS } from '../systems.js';
import type { PortalContext } from './context.js';
import { money, PERIOD_RE } from './billing.js';

const sys = SYSTEMS.channel;
export const SALES_PAGE_SIZE = 20;

export function channelRoutes(scope: FastifyInstance, ctx: PortalContext): void {
  const world = () => ctx.state.billing;
  scope.get('/', async (_req, reply) => reply.redirect(sys.home, 302));

  scope.get('/channels', async (req, reply) => {
    let channels = [...world().channels];
    if (currentLayout() === 'b') channels = channels.reverse();
    const body = html`<h2>渠道列表 Channels</h2>
${dataTable(
  '渠道列表 Channel list',
  [
    { label: '渠道编号 Channel ID', field: 'channel_id' },
    { label: '渠道名称 Name', field: 'name' },
    { label: '区域 Region', field: 'region' },
    { label: '操作 Action', field: 'action' },
  ],
  channels.map((c) => ({ id: c.id, cells: [c.id, c.name, c.region, html`<a href="${urlWith(`${sys.prefix}/sales`, { channel: c.id })}">销售记录 Sales</a>`] })),
  'channels',
)}`;
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '渠道列表 Channels', body }));
  });

  scope.get('/sales', async (req, reply) => {
    const q = queryOf(req);
    const channelId = (q.channel ?? '').trim().toUpperCase();
    const period = (q.period ?? '').trim();
    const form = html`<h2>渠道销售 Channel sales</h2>
<form method="get" action="${sys.prefix}/sales" role="search" aria-label="销售查询 Sales query">
<fieldset>
${textField({ name: 'channel', label: '渠道编号 Channel ID', value: channelId, hint: '例 e.g. CH001' })}
${textField({ name: 'period', label: '账期 Period', value: period, hint: 'YYYY-MM' })}
<button type="submit">查询 Search</button>
</fieldset>
</form>`;
    let results: SafeHtml | string = '';
    const channel = world().channels.find((c) => c.id === channelId);
    if (period && !PERIOD_RE.test(period)) {
      results = alertBox([`账期格式错误，应为 YYYY-MM / Period must look like 2026-10: ${period}`], 'validation_error');
    } else if (!channelId || !period) results = statusBox('no_criteria', '请输入渠道编号和账期 / Enter a channel and a period');
    else if (!channel) results = statusBox('not_found', `未找到渠道 / No such channel: ${channelId}`);
    else {
      let all = world()
        .sales.filter((s) => s.channelId === channelId && s.period === period)
        .sort((x, y) => x.soldAt.localeCompare(y.soldAt) || x.recordId.localeCompare(y.recordId));
      if (currentLayout() === 'b') all = all.reverse();
      const { page: current, totalPages } = pageNumber(q.page, all.length, SALES_PAGE_SIZE);
      const rows = all.slice((current - 1) * SALES_PAGE_SIZE, current * SALES_PAGE_SIZE);
      const href = (n: number) => urlWith(`${sys.prefix}/sales`, { channel: channelId, period, page: n });
      results = html`${detailTable(
        '渠道信息 Channel',
        [
          { label: '渠道编号 Channel ID', field: 'channel_id', value: channel.id },
          { label: '渠道名称 Channel name', field: 'channel_name', value: channel.name },
          { label: '区域 Region', field: 'region', value: channel.region },
          { label: '账期 Period', field: 'period', value: period },
        ],
        'channel-detail',
      )}
${dataTable(
  '销售记录 Sales records',
  [
    { label: '记录号 Record ID', field: 'record_id' },
    { label: '订单号 Order ID', field: 'order_id' },
    { label: '手机号码 Mobile', field: 'mobile' },
    { label: '套餐 Plan', field: 'plan' },
    { label: '销售金额 Amount', field: 'amount' },
    { label: '佣金 Commission', field: 'commission' },
    { label: '销售时间 Sold at', field: 'sold_at' },
  ],
  rows.map((s) => ({ id: s.recordId, cells: [s.recordId, s.orderId, s.mobile, s.planCode, money(s.amount), money(s.commission), s.soldAt] })),
  'sales',
)}
${all.length === 0 ? statusBox('no_records', '无销售记录 / No sales records') : ''}
${pager({ page: current, totalPages, totalRows: all.length, href, noun: '条 records' })}`;
    }
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '渠道销售 Channel sales', body: html`${form}${results}` }));
  });
}
