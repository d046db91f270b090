/** 资源管理系统 Resource: PON port search and port detail (status, ONU, optical power). */
import type { FastifyInstance } from 'fastify';
import { queryOf, sendHtml, sessionOf } from '../auth.js';
import { alertBox, dataTable, detailTable, html, page, statusBox, textField, type SafeHtml } from '../html.js';
import { findPort, fspOf, type Port } from '../state.js';
import { SYSTEMS } from '../systems.js';
import type { PortalContext } from './context.js';

const sys = SYSTEMS.resource;
const FSP_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{1,3})$/;

/** "-26.40", or "—" when the ONU gives no reading. */
export const formatPower = (dbm: number | null): string => (dbm === null ? '—' : dbm.toFixed(2));
const portUrl = (p: Port) => `${sys.prefix}/ports/${encodeURIComponent(p.olt)}/${p.frame}/${p.slot}/${p.port}`;

function searchForm(q: Record<string, string>): SafeHtml {
  return html`<h2>端口查询 Port search</h2>
<form method="get" action="${sys.prefix}/ports" role="search" aria-label="端口查询 Port search">
<fieldset>
${textField({ name: 'olt', label: 'OLT 名称 OLT name', value: q.olt ?? '', hint: '例 e.g. OLT-HZ-01' })}
${textField({ name: 'fsp', label: '框/槽/端口 F/S/P', value: q.fsp ?? '', hint: '例 e.g. 0/1/3' })}
${textField({ name: 'account', label: '宽带账号 Broadband account', value: q.account ?? '', hint: '例 e.g. hz81000123' })}
<button type="submit">查询 Search</button>
</fieldset>
</form>`;
}

export function resourceRoutes(scope: FastifyInstance, ctx: PortalContext): void {
  scope.get('/', async (_req, reply) => reply.redirect(sys.home, 302));

  scope.get('/ports', async (req, reply) => {
    const q = queryOf(req);
    const olt = (q.olt ?? '').trim().toUpperCase();
    const fsp = (q.fsp ?? '').trim();
    const account = (q.account ?? '').trim().toLowerCase();
    let results: SafeHtml;
    if (!olt && !fsp && !account) {
      results = statusBox('no_criteria', '请输入查询条件 / Enter search criteria');
    } else if (fsp && !FSP_RE.test(fsp)) {
      results = alertBox(['框/槽/端口格式错误，应为 0/1/3 / Invalid F/S/P, expected like 0/1/3']);
    } else {
      const found = ctx.state.ports.filter(
        (p) => (!olt || p.olt === olt) && (!fsp || fspOf(p) === fsp) && (!account || p.broadbandAccount === account),
      );
      results =
        found.length === 0
          ? statusBox('not_found', '未找到 / No port found')
          : dataTable(
              `查询结果 Search results (${found.length})`,
              [
                { label: 'OLT', field: 'olt' },
                { label: '框/槽/端口 F/S/P', field: 'fsp' },
                { label: '区域 Region', field: 'region' },
                { label: '管理状态 Admin status', field: 'admin_status' },
                { label: '运行状态 Oper status', field: 'oper_status' },
                { label: 'ONU SN', field: 'onu_sn' },
                { label: '宽带账号 Broadband account', field: 'broadband_account' },
                { label: '操作 Action', field: 'action' },
              ],
              found.map((p) => ({
                id: `${p.olt} ${fspOf(p)}`,
                cells: [p.olt, fspOf(p), p.region, p.adminStatus, p.operStatus, p.onuSn, p.broadbandAccount, html`<a href="${portUrl(p)}">详情 Detail</a>`],
              })),
              'results',
            );
    }
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '端口查询 Port search', body: html`${searchForm(q)}${results}` }));
  });

  scope.get<{ Params: { olt: string; frame: string; slot: string; port: string } }>('/ports/:olt/:frame/:slot/:port', async (req, reply) => {
    const { olt, frame, slot, port } = req.params;
    const nums = [frame, slot, port].map((s) => (/^\d{1,3}$/.test(s) ? Number(s) : NaN)) as [number, number, number];
    const p = nums.some(Number.isNaN) ? undefined : findPort(ctx.state, olt.toUpperCase(), ...nums);
    const body = p
      ? html`<h2>端口详情 Port detail</h2>
${detailTable(
  '端口信息 Port information',
  [
    { label: 'OLT', field: 'olt', value: p.olt },
    { label: '框/槽/端口 F/S/P', field: 'fsp', value: fspOf(p) },
    { label: '区域 Region', field: 'region', value: p.region },
    { label: '管理状态 Admin status', field: 'admin_status', value: p.adminStatus },
    { label: '运行状态 Oper status', field: 'oper_status', value: p.operStatus },
    { label: 'ONU ID', field: 'onu_id', value: p.onuId === null ? '' : String(p.onuId) },
    { label: 'ONU SN', field: 'onu_sn', value: p.onuSn },
    { label: '接收光功率 Rx power (dBm)', field: 'rx_power', value: formatPower(p.rxPower) },
    { label: '发送光功率 Tx power (dBm)', field: 'tx_power', value: formatPower(p.txPower) },
    { label: '最近掉线原因 Last down cause', field: 'last_down_cause', value: p.lastDownCause },
    { label: '最近掉线时间 Last down time', field: 'last_down_time', value: p.lastDownTime },
    { label: '宽带账号 Broadband account', field: 'broadband_account', value: p.broadbandAccount },
  ],
  'port-detail',
)}
<p><a href="${sys.prefix}/ports?olt=${encodeURIComponent(p.olt)}">返回查询 Back to search</a></p>`
      : html`${searchForm({})}${statusBox('not_found', `未找到 / No port found: ${olt} ${frame}/${slot}/${port}`)}`;
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '端口详情 Port detail', body }));
  });
}
