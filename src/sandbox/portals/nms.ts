/** 网管告警系统 NMS: alarm list with filters and 20-row pages. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formOf, queryOf, sendHtml, sessionOf } from '../auth.js';
import { alertBox, dataTable, detailTable, html, page, pageNumber, pager, statusBox, textField, urlWith, yesNo, type SafeHtml } from '../html.js';
import { formatLocal } from '../time.js';
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
  /** "YYYY-MM-DD HH:mm[:ss]": only alarms raised at or after it. */
  since?: string;
}

/** Newest first, like the real alarm console. */
export function filterAlarms(alarms: Alarm[], f: AlarmFilter): Alarm[] {
  return alarms
    .filter(
      (a) =>
        (!f.ne || a.ne === f.ne) &&
        (!f.object || objectMatches(a.object, f.object)) &&
        (f.state === 'all' || (f.state === 'active' ? a.clearedAt === '' : a.clearedAt !== '')) &&
        (!f.since || a.raisedAt >= f.since),
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
    // Times compare as text in this fixed format; anything else is ignored like an empty field.
    const rawSince = (q.since ?? '').trim().replace('T', ' ');
    const since = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(rawSince) ? rawSince : '';
    const all = filterAlarms(ctx.state.alarms, { ne, object, state, since });
    const { page: current, totalPages } = pageNumber(q.page, all.length, ALARMS_PAGE_SIZE);
    const rows = all.slice((current - 1) * ALARMS_PAGE_SIZE, current * ALARMS_PAGE_SIZE);
    const href = (n: number) => urlWith(`${sys.prefix}/alarms`, { ne, object, state, since, page: n });

    const body = html`<h2>告警查询 Alarm query</h2>
<form method="get" action="${sys.prefix}/alarms" role="search" aria-label="告警查询 Alarm query">
<fieldset>
${textField({ name: 'ne', label: '网元 NE', value: ne, hint: '例 e.g. OLT-HZ-01' })}
${textField({ name: 'object', label: '对象 Object', value: object, hint: '例 e.g. 0/1/3' })}
${textField({ name: 'since', label: '起始时间 Raised since', value: since, hint: '例 e.g. 2026-11-23 00:00' })}
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
    cells: [html`<a href="${alarmUrl(a.id)}">${a.id}</a>`, a.severity, a.ne, a.object, a.type, a.probableCause, a.raisedAt, a.clearedAt, yesNo(a.acknowledged), yesNo(a.serviceAffecting)],
  })),
  'alarms',
)}
${all.length === 0 ? statusBox('no_alarms', '无告警 / No alarms') : ''}
${pager({ page: current, totalPages, totalRows: all.length, href, noun: '条 alarms' })}`;
    return sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title: '告警查询 Alarm query', body }));
  });

  alarmAckRoutes(scope, ctx);
}

// ---------------------------------------------------------------------------------------------
// Alarm detail and acknowledgement (告警确认): form → confirm page → saved, with an idempotency
// key. An alarm acknowledged under another key (or by hand) answers "conflict"; the same key
// again answers "already_applied" and changes nothing.

export const ACK_NOTE_MAX = 200;
const ACK_KEY_RE = /^[A-Za-z0-9._:-]{1,100}$/;
const alarmUrl = (id: string) => `${sys.prefix}/alarms/${encodeURIComponent(id)}`;

interface PendingAck {
  alarmId: string;
  sessionId: string;
  note: string;
  idempotencyKey: string;
  expiresAt: number;
}

function alarmAckRoutes(scope: FastifyInstance, ctx: PortalContext): void {
  const pending = new Map<string, PendingAck>();
  const nowMs = () => ctx.now().getTime();
  const render = (req: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml) =>
    sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title, body }));
  const find = (id: string) => ctx.state.alarms.find((a) => a.id === id.trim().toUpperCase());
  const notFound = (id: string) =>
    html`${statusBox('not_found', `未找到告警 / No alarm found: ${id}`)}<p><a href="${sys.prefix}/alarms">返回列表 Back to list</a></p>`;
  /** Already acknowledged: by this key (already applied) or otherwise (conflict). */
  const ackOutcome = (a: Alarm, key: string): SafeHtml | null => {
    if (!a.acknowledged) return null;
    if (key && a.ackIdempotencyKey === key) return ackResult('already_applied', '已处理 / Already applied', a);
    return html`${statusBox('conflict', `告警已被确认 / Alarm ${a.id} is already acknowledged${a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}`)}
${ackResultTable(a)}
<p><a href="${alarmUrl(a.id)}">查看告警 View alarm</a></p>`;
  };

  scope.get<{ Params: { id: string } }>('/alarms/:id', async (req, reply) => {
    const a = find(req.params.id);
    if (!a) return render(req, reply, '告警详情 Alarm detail', notFound(req.params.id));
    return render(
      req,
      reply,
      `告警 Alarm ${a.id}`,
      html`<h2>告警详情 Alarm detail</h2>
${alarmDetail(a)}
<p>${a.acknowledged ? '' : html`<a href="${alarmUrl(a.id)}/ack">确认告警 Acknowledge</a> | `}<a href="${urlWith(`${sys.prefix}/alarms`, { ne: a.ne })}">返回列表 Back to list</a></p>`,
    );
  });

  const formTitle = '确认告警 Acknowledge alarm';
  scope.get<{ Params: { id: string } }>('/alarms/:id/ack', async (req, reply) => {
    const a = find(req.params.id);
    if (!a) return render(req, reply, formTitle, notFound(req.params.id));
    const done = ackOutcome(a, '');
    if (done) return render(req, reply, formTitle, done);
    const token = queryOf(req).token;
    const back = token ? pending.get(token) : undefined;
    const mine = back && back.alarmId === a.id && back.sessionId === sessionOf(req).id ? back : undefined;
    return render(req, reply, formTitle, ackForm(a, mine?.note ?? '', mine?.idempotencyKey ?? '', {}));
  });

  scope.post<{ Params: { id: string } }>('/alarms/:id/ack', async (req, reply) => {
    const a = find(req.params.id);
    if (!a) return render(req, reply, formTitle, notFound(req.params.id));
    const f = formOf(req);
    const note = (f.ack_note ?? '').trim();
    const key = (f.idempotency_key ?? '').trim();
    const errors: Record<string, string> = {};
    if (note.length > ACK_NOTE_MAX || /[\u0000-\u001f\u007f]/.test(note)) errors.ack_note = `确认备注无效（不超过 ${ACK_NOTE_MAX} 字）/ Invalid note (at most ${ACK_NOTE_MAX} characters)`;
    if (key && !ACK_KEY_RE.test(key)) errors.idempotency_key = '幂等键格式错误（字母、数字、._:-，最多 100 位）/ Invalid idempotency key (letters, digits, ._:-, up to 100)';
    if (Object.keys(errors).length > 0) return render(req, reply, formTitle, ackForm(a, note, key, errors));
    const done = ackOutcome(a, key);
    if (done) return render(req, reply, formTitle, done);
    for (const [k, p] of pending) if (p.expiresAt < nowMs()) pending.delete(k);
    const token = randomBytes(16).toString('hex');
    pending.set(token, { alarmId: a.id, sessionId: sessionOf(req).id, note, idempotencyKey: key, expiresAt: nowMs() + 10 * 60_000 });
    return render(req, reply, '请确认 Confirm acknowledgement', ackConfirm(a, note, key, token));
  });

  scope.post<{ Params: { id: string } }>('/alarms/:id/ack/confirm', async (req, reply) => {
    const title = '确认结果 Acknowledgement result';
    const a = find(req.params.id);
    if (!a) return render(req, reply, title, notFound(req.params.id));
    const token = formOf(req).confirm_token;
    for (const [k, p] of pending) if (p.expiresAt < nowMs()) pending.delete(k);
    const p = token ? pending.get(token) : undefined;
    if (!p || !token || p.alarmId !== a.id || p.sessionId !== sessionOf(req).id) {
      return render(
        req,
        reply,
        title,
        html`${alertBox(['确认已失效，请重新提交 / This confirmation is no longer valid, please submit again'], 'token_invalid')}<p><a href="${alarmUrl(a.id)}/ack">重新确认 Start again</a></p>`,
      );
    }
    pending.delete(token);
    const done = ackOutcome(a, p.idempotencyKey);
    if (done) return render(req, reply, title, done);
    a.acknowledged = true;
    a.acknowledgedBy = sessionOf(req).user;
    a.acknowledgedAt = formatLocal(nowMs());
    a.ackNote = p.note;
    a.ackIdempotencyKey = p.idempotencyKey;
    return render(req, reply, title, ackResult('saved', '确认成功 / Acknowledged', a));
  });
}

function alarmDetail(a: Alarm): SafeHtml {
  return detailTable(
    '告警信息 Alarm information',
    [
      { label: '告警ID Alarm ID', field: 'alarm_id', value: a.id },
      { label: '级别 Severity', field: 'severity', value: a.severity },
      { label: '网元 NE', field: 'ne', value: a.ne },
      { label: '对象 Object', field: 'object', value: a.object },
      { label: '类型 Type', field: 'type', value: a.type },
      { label: '可能原因 Probable cause', field: 'probable_cause', value: a.probableCause },
      { label: '产生时间 Raised', field: 'raised', value: a.raisedAt },
      { label: '清除时间 Cleared', field: 'cleared', value: a.clearedAt },
      { label: '影响业务 Service affecting', field: 'service_affecting', value: yesNo(a.serviceAffecting) },
      { label: '已确认 Acknowledged', field: 'acknowledged', value: yesNo(a.acknowledged) },
      { label: '确认人 Acknowledged by', field: 'acknowledged_by', value: a.acknowledgedBy ?? '' },
      { label: '确认时间 Acknowledged at', field: 'acknowledged_at', value: a.acknowledgedAt ?? '' },
      { label: '确认备注 Ack note', field: 'ack_note', value: a.ackNote ?? '' },
      { label: '幂等键 Idempotency key', field: 'idempotency_key', value: a.ackIdempotencyKey ?? '' },
    ],
    'alarm-detail',
  );
}

function ackForm(a: Alarm, note: string, key: string, errors: Record<string, string>): SafeHtml {
  return html`<h2>确认告警 Acknowledge alarm ${a.id}</h2>
${alertBox(Object.values(errors), 'validation_error')}
${detailTable('告警 Alarm', [
  { label: '告警ID Alarm ID', field: 'alarm_id', value: a.id },
  { label: '类型 Type', field: 'type', value: a.type },
  { label: '清除时间 Cleared', field: 'cleared', value: a.clearedAt },
])}
<form method="post" action="${alarmUrl(a.id)}/ack" aria-label="确认告警 Acknowledge alarm">
<fieldset>
${textField({ name: 'ack_note', label: '确认备注 Ack note', value: note, hint: `可选，不超过 ${ACK_NOTE_MAX} 字 / optional`, error: errors.ack_note })}
${textField({ name: 'idempotency_key', label: '幂等键 Idempotency key', value: key, hint: '可选 / optional', error: errors.idempotency_key })}
<button type="submit">提交 Submit</button> <a href="${alarmUrl(a.id)}">取消 Cancel</a>
</fieldset>
</form>`;
}

function ackConfirm(a: Alarm, note: string, key: string, token: string): SafeHtml {
  return html`<h2>请确认 / Please confirm the acknowledgement</h2>
${detailTable('确认内容 Acknowledgement', [
  { label: '告警ID Alarm ID', field: 'alarm_id', value: a.id },
  { label: '类型 Type', field: 'type', value: a.type },
  { label: '确认备注 Ack note', field: 'ack_note', value: note },
  { label: '幂等键 Idempotency key', field: 'idempotency_key', value: key },
], 'ack-confirm')}
<form method="post" action="${alarmUrl(a.id)}/ack/confirm" style="display:inline" aria-label="确认提交 Confirm acknowledgement">
<input type="hidden" name="confirm_token" value="${token}">
<button type="submit">确认提交 Confirm acknowledgement</button>
</form>
<form method="get" action="${alarmUrl(a.id)}/ack" style="display:inline" aria-label="返回修改 Back">
<input type="hidden" name="token" value="${token}">
<button type="submit">返回修改 Back</button>
</form>`;
}

function ackResultTable(a: Alarm): SafeHtml {
  return detailTable(
    '处理结果 Result',
    [
      { label: '告警ID Alarm ID', field: 'alarm_id', value: a.id },
      { label: '已确认 Acknowledged', field: 'acknowledged', value: yesNo(a.acknowledged) },
      { label: '确认人 Acknowledged by', field: 'acknowledged_by', value: a.acknowledgedBy ?? '' },
      { label: '确认时间 Acknowledged at', field: 'acknowledged_at', value: a.acknowledgedAt ?? '' },
      { label: '幂等键 Idempotency key', field: 'idempotency_key', value: a.ackIdempotencyKey ?? '' },
    ],
    'save-result',
  );
}

function ackResult(result: 'saved' | 'already_applied', text: string, a: Alarm): SafeHtml {
  return html`${statusBox(result, text, result === 'saved' ? 'ok' : 'info')}
${ackResultTable(a)}
<p><a href="${alarmUrl(a.id)}">查看告警 View alarm</a></p>`;
}
