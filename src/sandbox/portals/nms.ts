/** 网管告警系统 NMS: alarm list with filters and 20-row pages. */
import type { FastifyInstance } from 'fastify';
import { queryOf, sendHtml, sessionOf } from '../auth.js';
import { dataTable, html, page, pageNumber, pager, statusBox, textField, urlWith, yesNo } from '../html.js';
import { objectMatches, type Alarm } from '../state.js';
import { SYSTEMS } from '../systems.js';
import type { PortalContext } from './context.js';

const sys = SYSTEMS.nms;
export const ALARMS_PAGE_SIZE = 20;
type AlarmStateFilter = 'active' | 'cleared' | 'all';
const STATE_OPTIONS: Array<[AlarmStateFilter, string]> = [
  ['active', '当前告警 Active'],
  ['cleared', '已清除 Cleared'],
  ['all', '全部 All'],
];

export interface AlarmFilter {
  ne?: string;
  /** A port "0/1/3" matches the port and its ONUs ("0/1/3 ONU 5"). */
  object?: string;
  state: AlarmStateFilter;
}

/** Newest first, like the real alarm console. */
export function filterAlarms(alarms: Alarm[], f: AlarmFilter): Alarm[] {
  return alarms
    .filter(
      (a) =>
        (!f.ne || a.ne === f.ne) &&
        (!f.object || objectMatches(a.object, f.object)) &&
        (f.state === 'all' || (f.state === 'active' ? a.clearedAt === '' : a.clearedAt !== '')),
    )
    .sort((a, b) => (a.raisedAt === b.raisedAt ? b.id.localeCompare(a.id) : b.raisedAt.localeCompare(a.raisedAt)));
}

export function nmsRoutes(scope: FastifyInstance, ctx: PortalContext): void {
  scope.get('/', async (_req, reply) => reply.redirect(sys.home, 302));

  scope.get('/alarms', async (req, reply) => {
    const q = queryOf(req);
    const ne = (q.ne ?? '').trim().toUpperCase();
    const object = (q.object ?? '').trim().replace(/\s+/g, ' ');
    const state: AlarmStateFilter = q.state === 'all' || q.state === 'cleared' ? q.state : 'active';
    const all = filterAlarms(ctx.state.alarms, { ne, object, state });
    const { page: current, totalPages } = pageNumber(q.page, all.length, ALARMS_PAGE_SIZE);
    const rows = all.slice((current - 1) * ALARMS_PAGE_SIZE, current * ALARMS_PAGE_SIZE);
    const href = (n: number) => urlWith(`${sys.prefix}/alarms`, { ne, object, state, page: n });

    const body = html`<h2>告警查询 Alarm query</h2>
<form method="get" action="${sys.prefix}/alarms" role="search" aria-label="告警查询 Alarm query">
<fieldset>
${textField({ name: 'ne', label: '网元 NE', value: ne, hint: '例 e.g. OLT-HZ-01' })}
${textField({ name: 'object', label: '对象 Object', value: object, hint: '例 e.g. 0/1/3' })}
<div class="field"><label for="f-state">告警状态 Alarm state</label>
<select id="f-state" name="state">${STATE_OPTIONS.map(
      ([v, label]) => html`<option value="${v}"${v === state ? html` selected` : ''}>${label}</option>`,
    )}</select></div>
<button type="submit">查询 Search</button>
</fieldset>
</form>
${dataTable(
  '告警列表 Alarm list',
  [
    { label: '告警ID Alarm ID', field: 'alarm_id' },
    { label: '级别 Severity', field: 'severity' },
    { label: '网元 NE', field: 'ne' },
    { label: '对象 Object', field: 'object' },
    { label: '类型 Type', field: 'type' },
    { label: '可能原因 Probable cause', field: 'probable_cause' },
    { label: '产生时间 Raised', field: 'raised' },
    { label: '清除时间 Cleared', field: 'cleared' },
    { label: '已确认 Acknowledged', field: 'acknowledged' },
    { label: '影响业务 Service affecting', field: 'service_affecting' },
  ],
  rows.map((a) => ({
    id: a.id,
    cells: [a.id, a.severity, a.ne, a.object, a.type, a.probableCause, a.raisedAt, a.clearedAt, yesNo(a.acknowledged), yesNo(a.serviceAffecting)],
  })),
  'alarms',
)}
${all.length === 0 ? statusBox('no_alarms', '无告警 / No alarms') : ''}
${pager({ page: current, totalPages, totalRows: all.length, href, noun: '条 alarms' })}`;
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '告警查询 Alarm query', body }));
  });
}
