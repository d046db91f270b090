/**
 * 工单系统 Trouble tickets: list, detail, and the two-step edit (form → confirm page → save).
 *
 * The save is guarded twice, as the write path of Switchboard expects of a real system:
 *  - optimistic locking: the form carries the version it was read at; a save against a newer
 *    version is refused ("工单已被他人修改 / Ticket was changed by someone else");
 *  - idempotency: a key already applied to this ticket is not applied again ("已处理 / Already
 *    applied"), so a retried write after a crash cannot double-save.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formOf, queryOf, sendHtml, sessionOf } from '../auth.js';
import { alertBox, dataTable, detailTable, html, page, pageNumber, pager, statusBox, textField, urlWith, type SafeHtml } from '../html.js';
import { currentLayout } from '../layout.js';
import { BROADBAND_ACCOUNT_RE } from '../seed.js';
import { formatMinute, parseMinute } from '../seed-workorders.js';
import { formatLocal } from '../time.js';
import {
  findTicket,
  type FieldTeam,
  type Priority,
  type Ticket,
  type TicketEditableFields,
  type TicketNote,
  type TicketStatus,
  type WorkOrder,
  type WorkOrderType,
} from '../state.js';
import { SYSTEMS } from '../systems.js';
import type { PortalContext } from './context.js';

const sys = SYSTEMS.tickets;
export const TICKETS_PAGE_SIZE = 20;
const CONFIRM_TTL_MS = 10 * 60_000;
const STATUSES: TicketStatus[] = ['open', 'in_progress', 'resolved', 'closed'];

export const ACCESS_PORT_RE = /^OLT-[A-Z]{2}-\d{2} \d{1,2}\/\d{1,2}\/\d{1,2}$/;
/** 4-letter vendor code + 8 hex digits, e.g. HWTC1A2B3C4D. */
export const ONU_SN_RE = /^[A-Z]{4}[0-9A-F]{8}$/;
export const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9._:-]{1,100}$/;
const ADDRESS_MAX = 120;

interface EditField {
  key: keyof TicketEditableFields;
  /** Form field name. */
  name: string;
  label: string;
  hint: string;
}

export const EDIT_FIELDS: EditField[] = [
  { key: 'broadbandAccount', name: 'broadband_account', label: '宽带账号 Broadband account', hint: 'hz/nb/wz + 8 位数字, 例 e.g. hz81000123' },
  { key: 'address', name: 'address', label: '装机地址 Address', hint: `不超过 ${ADDRESS_MAX} 字 / at most ${ADDRESS_MAX} characters` },
  { key: 'accessPort', name: 'access_port', label: '接入端口 Access port', hint: 'OLT-XX-NN F/S/P, 例 e.g. OLT-HZ-01 0/1/3' },
  { key: 'onuSn', name: 'onu_sn', label: 'ONU SN', hint: '厂商码 + 8 位十六进制, 例 e.g. HWTC1A2B3C4D' },
];

export interface EditSubmission {
  fields: TicketEditableFields;
  version: number | null;
  idempotencyKey: string;
  /** Keyed by form field name. */
  errors: Record<string, string>;
}

/** Empty values are allowed (the field stays empty); non-empty ones must have the right format. */
export function validateEdit(form: Record<string, string>): EditSubmission {
  const v = (name: string) => (form[name] ?? '').trim();
  const fields: TicketEditableFields = {
    broadbandAccount: v('broadband_account'),
    address: v('address'),
    accessPort: v('access_port'),
    onuSn: v('onu_sn'),
  };
  const errors: Record<string, string> = {};
  if (fields.broadbandAccount && !BROADBAND_ACCOUNT_RE.test(fields.broadbandAccount))
    errors.broadband_account = '宽带账号格式错误（hz/nb/wz + 8 位数字）/ Invalid broadband account (hz/nb/wz + 8 digits)';
  if (fields.address.length > ADDRESS_MAX || /[\u0000-\u001f\u007f]/.test(fields.address))
    errors.address = `装机地址无效（不超过 ${ADDRESS_MAX} 字）/ Invalid address (at most ${ADDRESS_MAX} characters)`;
  if (fields.accessPort && !ACCESS_PORT_RE.test(fields.accessPort))
    errors.access_port = '接入端口格式错误（OLT-XX-NN F/S/P）/ Invalid access port (OLT-XX-NN F/S/P)';
  if (fields.onuSn && !ONU_SN_RE.test(fields.onuSn)) errors.onu_sn = 'ONU SN 格式错误 / Invalid ONU SN (e.g. HWTC1A2B3C4D)';
  const idempotencyKey = v('idempotency_key');
  if (idempotencyKey && !IDEMPOTENCY_KEY_RE.test(idempotencyKey))
    errors.idempotency_key = '幂等键格式错误（字母、数字、._:-，最多 100 位）/ Invalid idempotency key (letters, digits, ._:-, up to 100)';
  const version = /^\d{1,9}$/.test(v('version')) ? Number(v('version')) : null;
  if (version === null) errors.version = '缺少版本号，请重新打开修改页面 / Missing version, reopen the edit page';
  return { fields, version, idempotencyKey, errors };
}

interface PendingEdit {
  ticketId: string;
  sessionId: string;
  version: number;
  fields: TicketEditableFields;
  idempotencyKey: string;
  expiresAt: number;
}

export function ticketsRoutes(scope: FastifyInstance, ctx: PortalContext): void {
  workOrderRoutes(scope, ctx);
  const pending = new Map<string, PendingEdit>();
  const nowMs = () => ctx.now().getTime();
  const render = (req: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml) =>
    sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title, body }));

  /** The pending edit for this token if it is still usable by this session for this ticket. */
  const pendingFor = (req: FastifyRequest, ticketId: string, token: string | undefined): PendingEdit | undefined => {
    for (const [k, p] of pending) if (p.expiresAt < nowMs()) pending.delete(k);
    const p = token ? pending.get(token) : undefined;
    return p && p.ticketId === ticketId && p.sessionId === sessionOf(req).id ? p : undefined;
  };

  const notFound = (id: string) =>
    html`${statusBox('not_found', `未找到工单 / No ticket found: ${id}`)}<p><a href="${sys.prefix}">返回列表 Back to list</a></p>`;
  const closedError = (t: Ticket) =>
    html`${alertBox([`工单已关闭，不能修改 / Ticket ${t.id} is closed and cannot be edited`], 'closed')}<p><a href="${ticketUrl(t.id)}">返回工单 Back to ticket</a></p>`;

  scope.get('/', async (req, reply) => {
    const q = queryOf(req);
    const status = STATUSES.includes(q.status as TicketStatus) ? (q.status as TicketStatus) : '';
    const text = (q.q ?? '').trim();
    const all = ctx.state.tickets
      .filter((t) => (!status || t.status === status) && (!text || [t.id, t.customerId, t.serviceNumber, t.broadbandAccount].includes(text)))
      .sort((a, b) => b.id.localeCompare(a.id));
    const { page: current, totalPages } = pageNumber(q.page, all.length, TICKETS_PAGE_SIZE);
    const rows = all.slice((current - 1) * TICKETS_PAGE_SIZE, current * TICKETS_PAGE_SIZE);
    const body = html`<h2>工单列表 Ticket list</h2>
<form method="get" action="${sys.prefix}" role="search" aria-label="工单查询 Ticket search">
<fieldset>
<div class="field"><label for="f-status">状态 Status</label>
<select id="f-status" name="status"><option value=""${status === '' ? html` selected` : ''}>全部 All</option>${STATUSES.map(
      (s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${s}</option>`,
    )}</select></div>
${textField({ name: 'q', label: '工单号/客户编号/服务号码 Ticket ID / customer ID / service number', value: text })}
<button type="submit">查询 Search</button>
</fieldset>
</form>
${dataTable(
  '工单列表 Tickets',
  [
    { label: '工单号 Ticket ID', field: 'ticket_id' },
    { label: '状态 Status', field: 'status' },
    { label: '客户编号 Customer ID', field: 'customer_id' },
    { label: '故障类型 Fault type', field: 'fault_type' },
    { label: '优先级 Priority', field: 'priority' },
    { label: '区域 Region', field: 'region' },
    { label: '创建时间 Created', field: 'created' },
    { label: 'SLA 截止 SLA deadline', field: 'sla_deadline' },
  ],
  rows.map((t) => ({
    id: t.id,
    cells: [html`<a href="${ticketUrl(t.id)}">${t.id}</a>`, t.status, t.customerId, t.faultType, t.priority, t.region, t.createdAt, t.slaDeadline],
  })),
  'tickets',
)}
${all.length === 0 ? statusBox('no_tickets', '无工单 / No tickets') : ''}
${pager({ page: current, totalPages, totalRows: all.length, href: (n) => urlWith(sys.prefix, { status, q: text, page: n }), noun: '条 tickets' })}`;
    return render(req, reply, '工单列表 Ticket list', body);
  });

  scope.get<{ Params: { id: string } }>('/:id', async (req, reply) => {
    const t = findTicket(ctx.state, req.params.id);
    if (!t) return render(req, reply, '工单详情 Ticket detail', notFound(req.params.id));
    const body = html`<h2>工单详情 Ticket detail</h2>
${ticketDetail(t)}
${notesTable(ctx.state.ticketNotes.filter((n) => n.ticketId === t.id))}
<p>${t.status !== 'closed' ? html`<a href="${ticketUrl(t.id)}/edit">修改 Edit</a> | <a href="${ticketUrl(t.id)}/notes/new">添加备注 Add note</a> | <a href="${ticketUrl(t.id)}/dispatch">派单 Dispatch work order</a> | ` : ''}<a href="${urlWith(`${sys.prefix}/workorders`, { ticket: t.id })}">派工单 Work orders</a> | <a href="${sys.prefix}">返回列表 Back to list</a></p>`;
    return render(req, reply, `工单 Ticket ${t.id}`, body);
  });

  scope.get<{ Params: { id: string } }>('/:id/edit', async (req, reply) => {
    const t = findTicket(ctx.state, req.params.id);
    if (!t) return render(req, reply, '修改工单 Edit ticket', notFound(req.params.id));
    if (t.status === 'closed') return render(req, reply, '修改工单 Edit ticket', closedError(t));
    // "返回修改 Back" from the confirm page brings the values typed so far.
    const back = pendingFor(req, t.id, queryOf(req).token);
    const values = back ?? { fields: t, version: t.version, idempotencyKey: '' };
    return render(req, reply, '修改工单 Edit ticket', editForm(t, values.fields, values.version, values.idempotencyKey, {}));
  });

  scope.post<{ Params: { id: string } }>('/:id/edit', async (req, reply) => {
    const t = findTicket(ctx.state, req.params.id);
    if (!t) return render(req, reply, '修改工单 Edit ticket', notFound(req.params.id));
    if (t.status === 'closed') return render(req, reply, '修改工单 Edit ticket', closedError(t));
    const sub = validateEdit(formOf(req));
    if (Object.keys(sub.errors).length > 0 || sub.version === null) {
      return render(req, reply, '修改工单 Edit ticket', editForm(t, sub.fields, sub.version ?? t.version, sub.idempotencyKey, sub.errors));
    }
    if (sub.version !== t.version) return render(req, reply, '修改工单 Edit ticket', conflict(t));
    const token = randomBytes(16).toString('hex');
    pending.set(token, {
      ticketId: t.id,
      sessionId: sessionOf(req).id,
      version: sub.version,
      fields: sub.fields,
      idempotencyKey: sub.idempotencyKey,
      expiresAt: nowMs() + CONFIRM_TTL_MS,
    });
    return render(req, reply, '确认修改 Confirm changes', confirmPage(t, sub.fields, sub.idempotencyKey, token));
  });

  scope.post<{ Params: { id: string } }>('/:id/edit/confirm', async (req, reply) => {
    const title = '保存结果 Save result';
    const t = findTicket(ctx.state, req.params.id);
    if (!t) return render(req, reply, title, notFound(req.params.id));
    const token = formOf(req).confirm_token;
    const p = pendingFor(req, t.id, token);
    if (!p || !token) {
      return render(
        req,
        reply,
        title,
        html`${alertBox(['确认已失效，请重新修改 / This confirmation is no longer valid, please edit again'], 'token_invalid')}
<p><a href="${ticketUrl(t.id)}/edit">重新修改 Edit again</a></p>`,
      );
    }
    pending.delete(token);
    if (t.status === 'closed') return render(req, reply, title, closedError(t));

    const previous = p.idempotencyKey
      ? ctx.state.writes.find((w) => w.ticketId === t.id && w.idempotencyKey === p.idempotencyKey)
      : undefined;
    if (previous) {
      return render(
        req,
        reply,
        title,
        html`${statusBox('already_applied', '已处理 / Already applied')}
${detailTable('处理结果 Result', [
  { label: '工单号 Ticket ID', field: 'ticket_id', value: t.id },
  { label: '版本 Version', field: 'version', value: String(previous.version) },
  { label: '当前版本 Current version', field: 'current_version', value: String(t.version) },
  { label: '幂等键 Idempotency key', field: 'idempotency_key', value: p.idempotencyKey },
], 'save-result')}
<p><a href="${ticketUrl(t.id)}">查看工单 View ticket</a></p>`,
      );
    }
    if (p.version !== t.version) return render(req, reply, title, conflict(t));

    Object.assign(t, p.fields);
    t.version += 1;
    if (p.idempotencyKey) t.lastIdempotencyKey = p.idempotencyKey;
    ctx.state.writes.push({
      ticketId: t.id,
      fields: { ...p.fields },
      idempotencyKey: p.idempotencyKey || null,
      at: ctx.now().toISOString(),
      version: t.version,
    });
    // Fault "slowAfterSave": the save is committed, the answer is late (the robot times out).
    const slow = ctx.state.faults.tickets.slowAfterSaveMs;
    if (slow > 0) await (ctx.sleep ?? ((n: number) => new Promise<void>((r) => setTimeout(r, n))))(slow).catch(() => undefined);
    return render(
      req,
      reply,
      title,
      html`${statusBox('saved', '保存成功 / Saved', 'ok')}
${detailTable('处理结果 Result', [
  { label: '工单号 Ticket ID', field: 'ticket_id', value: t.id },
  { label: '版本 Version', field: 'version', value: String(t.version) },
  { label: '幂等键 Idempotency key', field: 'idempotency_key', value: p.idempotencyKey },
], 'save-result')}
<p><a href="${ticketUrl(t.id)}">查看工单 View ticket</a></p>`,
    );
  });
}

const ticketUrl = (id: string) => `${sys.prefix}/${encodeURIComponent(id)}`;

function ticketDetail(t: Ticket): SafeHtml {
  return detailTable(
    '工单信息 Ticket information',
    [
      { label: '工单号 Ticket ID', field: 'ticket_id', value: t.id },
      { label: '状态 Status', field: 'status', value: t.status },
      { label: '客户编号 Customer ID', field: 'customer_id', value: t.customerId },
      { label: '服务号码 Service number', field: 'service_number', value: t.serviceNumber },
      { label: '宽带账号 Broadband account', field: 'broadband_account', value: t.broadbandAccount },
      { label: '装机地址 Address', field: 'address', value: t.address },
      { label: '接入端口 Access port', field: 'access_port', value: t.accessPort },
      { label: 'ONU SN', field: 'onu_sn', value: t.onuSn },
      { label: '故障类型 Fault type', field: 'fault_type', value: t.faultType },
      { label: '优先级 Priority', field: 'priority', value: t.priority },
      { label: '创建时间 Created', field: 'created', value: t.createdAt },
      { label: 'SLA 截止 SLA deadline', field: 'sla_deadline', value: t.slaDeadline },
      { label: '区域 Region', field: 'region', value: t.region },
      { label: '处理班组 Assigned team', field: 'assigned_team', value: t.assignedTeam },
      { label: '备注 Notes', field: 'notes', value: t.notes },
      { label: '版本 Version', field: 'version', value: String(t.version) },
      { label: '幂等键 Idempotency key', field: 'idempotency_key', value: t.lastIdempotencyKey },
    ],
    'ticket-detail',
  );
}

function editForm(t: Ticket, values: TicketEditableFields, version: number, idempotencyKey: string, errors: Record<string, string>): SafeHtml {
  const messages = Object.values(errors);
  return html`<h2>修改工单 Edit ticket ${t.id}</h2>
${alertBox(messages, 'validation_error')}
<form method="post" action="${ticketUrl(t.id)}/edit" aria-label="修改工单 Edit ticket">
<fieldset>
<input type="hidden" name="version" value="${String(version)}">
${EDIT_FIELDS.map((f) => textField({ name: f.name, label: f.label, value: values[f.key], hint: f.hint, error: errors[f.name] }))}
${textField({ name: 'idempotency_key', label: '幂等键 Idempotency key', value: idempotencyKey, hint: '可选 / optional', error: errors.idempotency_key })}
<button type="submit">提交 Submit</button> <a href="${ticketUrl(t.id)}">取消 Cancel</a>
</fieldset>
</form>`;
}

function confirmPage(t: Ticket, next: TicketEditableFields, idempotencyKey: string, token: string): SafeHtml {
  return html`<h2>请确认修改 / Please confirm the changes</h2>
${detailTable('工单 Ticket', [
  { label: '工单号 Ticket ID', field: 'ticket_id', value: t.id },
  { label: '版本 Version', field: 'version', value: String(t.version) },
  { label: '幂等键 Idempotency key', field: 'idempotency_key', value: idempotencyKey },
])}
${dataTable(
  '修改内容 Changes',
  [
    { label: '字段 Field', field: 'field' },
    { label: '原值 Old value', field: 'old' },
    { label: '新值 New value', field: 'new' },
    { label: '是否变更 Changed', field: 'changed' },
  ],
  EDIT_FIELDS.map((f) => ({ id: f.name, cells: [f.label, t[f.key], next[f.key], t[f.key] === next[f.key] ? '否' : '是'] })),
  'changes',
)}
<form method="post" action="${ticketUrl(t.id)}/edit/confirm" style="display:inline" aria-label="确认保存 Confirm save">
<input type="hidden" name="confirm_token" value="${token}">
<button type="submit">确认保存 Confirm save</button>
</form>
<form method="get" action="${ticketUrl(t.id)}/edit" style="display:inline" aria-label="返回修改 Back">
<input type="hidden" name="token" value="${token}">
<button type="submit">返回修改 Back</button>
</form>`;
}

function conflict(t: Ticket): SafeHtml {
  return html`${alertBox(['工单已被他人修改 / Ticket was changed by someone else'], 'conflict')}
${detailTable('当前工单 Current ticket', [
  { label: '工单号 Ticket ID', field: 'ticket_id', value: t.id },
  { label: '当前版本 Current version', field: 'current_version', value: String(t.version) },
], 'save-result')}
<p><a href="${ticketUrl(t.id)}/edit">重新修改 Edit again</a> | <a href="${ticketUrl(t.id)}">查看工单 View ticket</a></p>`;
}

// ---------------------------------------------------------------------------------------------
// Work orders (派工单), dispatch from a ticket and ticket notes: the same form → confirm page →
// save shape as the edit above, with an idempotency key per work order / per note.

export const WORK_ORDERS_PAGE_SIZE = 20;
export const NOTE_MAX = 500;
export const WO_NOTE_MAX = 200;
/** The longest appointment window a team accepts. */
export const MAX_WINDOW_MS = 8 * 3600_000;
const WO_TYPES: Array<[WorkOrderType, string]> = [
  ['repair', '故障维修 Repair'],
  ['install', '装机 Install'],
  ['inspection', '巡检 Inspection'],
];
const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];
const MINUTE_RE = /^20\d{2}-\d{2}-\d{2} [0-2]\d:[0-5]\d$/;

/** A directory name given as "杭州装维一组 HZ Field Team 1", or either of its halves. */
export function findTeam(teams: readonly FieldTeam[], given: string): FieldTeam | undefined {
  const g = given.trim().toLowerCase();
  if (!g) return undefined;
  return teams.find((t) => {
    const n = t.name.toLowerCase();
    const sp = n.indexOf(' ');
    return n === g || n.slice(0, sp) === g || n.slice(sp + 1) === g;
  });
}

export interface DispatchSubmission {
  type: WorkOrderType;
  /** Canonical team name ("" when invalid). */
  team: string;
  engineer: string;
  priority: Priority;
  start: string;
  end: string;
  note: string;
  idempotencyKey: string;
  /** As typed, for the form shown again. */
  raw: Record<string, string>;
  errors: Record<string, string>;
}

/** Dispatch form checks, against the team directory and the sandbox clock. */
export function validateDispatch(form: Record<string, string>, teams: readonly FieldTeam[], nowMs: number): DispatchSubmission {
  const v = (name: string) => (form[name] ?? '').trim().replace(/\s+/g, ' ');
  const raw = Object.fromEntries(['type', 'team', 'engineer', 'priority', 'appointment_start', 'appointment_end', 'note', 'idempotency_key'].map((k) => [k, v(k)]));
  const errors: Record<string, string> = {};
  const type = WO_TYPES.find(([t]) => t === raw.type)?.[0];
  if (!type) errors.type = '类型无效 / Invalid type (repair, install, inspection)';
  const priority = PRIORITIES.find((p) => p === raw.priority);
  if (!priority) errors.priority = '优先级无效 / Invalid priority (P1-P4)';
  const teamText = raw.team ?? '';
  const engineer = raw.engineer ?? '';
  let team = teamText ? findTeam(teams, teamText) : undefined;
  if (teamText && !team) errors.team = `未知班组 / Unknown team: ${teamText}`;
  const engineersTeam = engineer ? teams.find((t) => t.engineers.includes(engineer)) : undefined;
  if (engineer && !engineersTeam) errors.engineer = `未知工程师 / Unknown engineer: ${engineer}`;
  else if (engineer && team && engineersTeam !== team) errors.engineer = `工程师 ${engineer} 不属于 ${team.name} / Engineer ${engineer} is not in team ${team.name}`;
  if (!teamText && !engineer) errors.team = '请填写班组或工程师 / Give a team or an engineer';
  if (!teamText && engineersTeam) team = engineersTeam;
  const start = raw.appointment_start ?? '';
  const end = raw.appointment_end ?? '';
  const startOk = MINUTE_RE.test(start) && formatMinute(parseMinute(start)) === start;
  const endOk = MINUTE_RE.test(end) && formatMinute(parseMinute(end)) === end;
  if (!startOk) errors.appointment_start = '预约开始时间格式错误 / Invalid appointment start (YYYY-MM-DD HH:mm)';
  if (!endOk) errors.appointment_end = '预约结束时间格式错误 / Invalid appointment end (YYYY-MM-DD HH:mm)';
  if (startOk && endOk) {
    const s = parseMinute(start);
    const e = parseMinute(end);
    if (s < nowMs) errors.appointment_start = `预约开始时间已过 / Appointment start is in the past (now ${formatLocal(nowMs).slice(0, 16)})`;
    if (e <= s) errors.appointment_end = '预约结束时间须晚于开始时间 / Appointment end must be after its start';
    else if (e - s > MAX_WINDOW_MS) errors.appointment_end = '预约时段不能超过 8 小时 / Appointment window longer than 8 hours';
  }
  const note = raw.note ?? '';
  if (note.length > WO_NOTE_MAX || /[\u0000-\u001f\u007f]/.test(note)) errors.note = `备注无效（不超过 ${WO_NOTE_MAX} 字）/ Invalid note (at most ${WO_NOTE_MAX} characters)`;
  const idempotencyKey = raw.idempotency_key ?? '';
  if (idempotencyKey && !IDEMPOTENCY_KEY_RE.test(idempotencyKey))
    errors.idempotency_key = '幂等键格式错误（字母、数字、._:-，最多 100 位）/ Invalid idempotency key (letters, digits, ._:-, up to 100)';
  return { type: type ?? 'repair', team: team?.name ?? '', engineer, priority: priority ?? 'P3', start, end, note, idempotencyKey, raw, errors };
}

interface Pending<T> {
  ticketId: string;
  sessionId: string;
  value: T;
  expiresAt: number;
}

function workOrderRoutes(scope: FastifyInstance, ctx: PortalContext): void {
  const nowMs = () => ctx.now().getTime();
  const render = (req: FastifyRequest, reply: FastifyReply, title: string, body: SafeHtml) =>
    sendHtml(reply, page({ system: sys, user: sessionOf(req).user, title, body }));
  const dispatches = new Map<string, Pending<DispatchSubmission>>();
  const notes = new Map<string, Pending<{ text: string; version: number; idempotencyKey: string }>>();
  function take<T>(map: Map<string, Pending<T>>, req: FastifyRequest, ticketId: string, token: string | undefined, consume: boolean): T | undefined {
    for (const [k, p] of map) if (p.expiresAt < nowMs()) map.delete(k);
    const p = token ? map.get(token) : undefined;
    if (!p || p.ticketId !== ticketId || p.sessionId !== sessionOf(req).id) return undefined;
    if (consume && token) map.delete(token);
    return p.value;
  }
  function put<T>(map: Map<string, Pending<T>>, req: FastifyRequest, ticketId: string, value: T): string {
    const token = randomBytes(16).toString('hex');
    map.set(token, { ticketId, sessionId: sessionOf(req).id, value, expiresAt: nowMs() + CONFIRM_TTL_MS });
    return token;
  }
  const notFound = (what: string, id: string) =>
    html`${statusBox('not_found', `未找到${what === 'wo' ? '派工单' : '工单'} / No ${what === 'wo' ? 'work order' : 'ticket'} found: ${id}`)}<p><a href="${sys.prefix}">返回列表 Back to list</a></p>`;
  const closed = (t: Ticket, action: 'dispatch' | 'note') =>
    html`${statusBox('closed', action === 'dispatch' ? `工单已关闭，不能派单 / Ticket ${t.id} is closed, no work order can be dispatched` : `工单已关闭，不能添加备注 / Ticket ${t.id} is closed, no note can be added`)}
<p><a href="${ticketUrl(t.id)}">返回工单 Back to ticket</a></p>`;
  const tokenInvalid = (again: string) =>
    html`${alertBox(['确认已失效，请重新提交 / This confirmation is no longer valid, please submit again'], 'token_invalid')}<p><a href="${again}">重新填写 Start again</a></p>`;

  // --- directory of teams and engineers
  scope.get('/teams', async (req, reply) =>
    render(
      req,
      reply,
      '班组目录 Field teams',
      html`<h2>班组目录 Field teams</h2>
${dataTable(
  '班组 Teams',
  [
    { label: '班组 Team', field: 'team' },
    { label: '区域 Region', field: 'region' },
    { label: '工程师 Engineers', field: 'engineers' },
  ],
  ctx.state.teams.map((t) => ({ id: t.name, cells: [t.name, t.region, t.engineers.join('、')] })),
  'teams',
)}`,
    ),
  );

  // --- work order list and detail
  scope.get('/workorders', async (req, reply) => {
    const q = queryOf(req);
    const ticket = (q.ticket ?? '').trim().toUpperCase();
    const all = ctx.state.workOrders.filter((w) => !ticket || w.ticketId === ticket).sort((a, b) => b.id.localeCompare(a.id));
    const { page: current, totalPages } = pageNumber(q.page, all.length, WORK_ORDERS_PAGE_SIZE);
    const rows = all.slice((current - 1) * WORK_ORDERS_PAGE_SIZE, current * WORK_ORDERS_PAGE_SIZE);
    const body = html`<h2>派工单列表 Work order list</h2>
<form method="get" action="${sys.prefix}/workorders" role="search" aria-label="派工单查询 Work order search">
<fieldset>
${textField({ name: 'ticket', label: '工单号 Ticket ID', value: ticket, hint: '例 e.g. T20261124-0012' })}
<button type="submit">查询 Search</button>
</fieldset>
</form>
${dataTable(
  '派工单列表 Work orders',
  [
    { label: '派工单号 Work order ID', field: 'work_order_id' },
    { label: '工单号 Ticket ID', field: 'ticket_id' },
    { label: '类型 Type', field: 'type' },
    { label: '状态 Status', field: 'status' },
    { label: '班组 Team', field: 'team' },
    { label: '工程师 Engineer', field: 'engineer' },
    { label: '优先级 Priority', field: 'priority' },
    { label: '预约开始 Appointment start', field: 'appointment_start' },
    { label: '预约结束 Appointment end', field: 'appointment_end' },
    { label: '幂等键 Idempotency key', field: 'idempotency_key' },
  ],
  rows.map((w) => ({
    id: w.id,
    cells: [html`<a href="${workOrderUrl(w.id)}">${w.id}</a>`, w.ticketId, w.type, w.status, w.team, w.engineer, w.priority, w.appointmentStart, w.appointmentEnd, w.idempotencyKey],
  })),
  'work-orders',
)}
${all.length === 0 ? statusBox('no_work_orders', '无派工单 / No work orders') : ''}
${pager({ page: current, totalPages, totalRows: all.length, href: (n) => urlWith(`${sys.prefix}/workorders`, { ticket, page: n }), noun: '条 work orders' })}`;
    return render(req, reply, '派工单列表 Work order list', body);
  });

  scope.get<{ Params: { id: string } }>('/workorders/:id', async (req, reply) => {
    const id = req.params.id.trim().toUpperCase();
    const w = ctx.state.workOrders.find((x) => x.id === id);
    if (!w) return render(req, reply, '派工单详情 Work order detail', notFound('wo', req.params.id));
    return render(
      req,
      reply,
      `派工单 Work order ${w.id}`,
      html`<h2>派工单详情 Work order detail</h2>
${workOrderDetail(w)}
<p><a href="${ticketUrl(w.ticketId)}">查看工单 View ticket</a> | <a href="${sys.prefix}/workorders">返回列表 Back to list</a></p>`,
    );
  });

  // --- dispatch: form → confirm → saved
  const dispatchTitle = '派单 Dispatch work order';
  scope.get<{ Params: { id: string } }>('/:id/dispatch', async (req, reply) => {
    const t = findTicket(ctx.state, req.params.id);
    if (!t) return render(req, reply, dispatchTitle, notFound('ticket', req.params.id));
    if (t.status === 'closed') return render(req, reply, dispatchTitle, closed(t, 'dispatch'));
    const back = take(dispatches, req, t.id, queryOf(req).token, false);
    return render(req, reply, dispatchTitle, dispatchForm(t, back?.raw ?? { type: 'repair', priority: t.priority }, {}));
  });

  scope.post<{ Params: { id: string } }>('/:id/dispatch', async (req, reply) => {
    const t = findTicket(ctx.state, req.params.id);
    if (!t) return render(req, reply, dispatchTitle, notFound('ticket', req.params.id));
    if (t.status === 'closed') return render(req, reply, dispatchTitle, closed(t, 'dispatch'));
    const sub = validateDispatch(formOf(req), ctx.state.teams, nowMs());
    if (Object.keys(sub.errors).length > 0) return render(req, reply, dispatchTitle, dispatchForm(t, sub.raw, sub.errors));
    const token = put(dispatches, req, t.id, sub);
    return render(req, reply, '确认派单 Confirm dispatch', dispatchConfirm(t, sub, token));
  });

  scope.post<{ Params: { id: string } }>('/:id/dispatch/confirm', async (req, reply) => {
    const title = '派单结果 Dispatch result';
    const t = findTicket(ctx.state, req.params.id);
    if (!t) return render(req, reply, title, notFound('ticket', req.params.id));
    const sub = take(dispatches, req, t.id, formOf(req).confirm_token, true);
    if (!sub) return render(req, reply, title, tokenInvalid(`${ticketUrl(t.id)}/dispatch`));
    const previous = sub.idempotencyKey ? ctx.state.workOrders.find((w) => w.ticketId === t.id && w.idempotencyKey === sub.idempotencyKey) : undefined;
    if (previous) return render(req, reply, title, dispatchResult('already_applied', '已处理 / Already applied', previous));
    if (t.status === 'closed') return render(req, reply, title, closed(t, 'dispatch'));
    // Checked again at save time: the clock moved while the confirm page was open.
    const recheck = validateDispatch(sub.raw, ctx.state.teams, nowMs());
    if (Object.keys(recheck.errors).length > 0) return render(req, reply, dispatchTitle, dispatchForm(t, sub.raw, recheck.errors));
    const day = formatLocal(nowMs()).slice(0, 10).replace(/-/g, '');
    const seq = ctx.state.workOrders.filter((w) => w.id.startsWith(`W${day}-`)).reduce((m, w) => Math.max(m, Number(w.id.slice(10))), 0) + 1;
    const wo: WorkOrder = {
      id: `W${day}-${String(seq).padStart(4, '0')}`,
      ticketId: t.id,
      type: sub.type,
      status: 'dispatched',
      team: sub.team,
      engineer: sub.engineer,
      priority: sub.priority,
      appointmentStart: sub.start,
      appointmentEnd: sub.end,
      address: t.address,
      region: t.region,
      note: sub.note,
      createdAt: formatLocal(nowMs()),
      version: 1,
      idempotencyKey: sub.idempotencyKey,
    };
    ctx.state.workOrders.push(wo);
    return render(req, reply, title, dispatchResult('saved', '派单成功 / Dispatched', wo));
  });

  // --- notes: form → confirm → saved; the ticket's version +1 per note
  const noteTitle = '添加备注 Add note';
  scope.get<{ Params: { id: string } }>('/:id/notes/new', async (req, reply) => {
    const t = findTicket(ctx.state, req.params.id);
    if (!t) return render(req, reply, noteTitle, notFound('ticket', req.params.id));
    if (t.status === 'closed') return render(req, reply, noteTitle, closed(t, 'note'));
    const back = take(notes, req, t.id, queryOf(req).token, false);
    return render(req, reply, noteTitle, noteForm(t, back?.text ?? '', back?.version ?? t.version, back?.idempotencyKey ?? '', {}));
  });

  scope.post<{ Params: { id: string } }>('/:id/notes/new', async (req, reply) => {
    const t = findTicket(ctx.state, req.params.id);
    if (!t) return render(req, reply, noteTitle, notFound('ticket', req.params.id));
    if (t.status === 'closed') return render(req, reply, noteTitle, closed(t, 'note'));
    const f = formOf(req);
    const text = (f.note ?? '').trim();
    const key = (f.idempotency_key ?? '').trim();
    const version = /^\d{1,9}$/.test((f.version ?? '').trim()) ? Number(f.version) : null;
    const errors: Record<string, string> = {};
    if (!text) errors.note = '请填写备注 / The note is empty';
    else if (text.length > NOTE_MAX || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) errors.note = `备注无效（不超过 ${NOTE_MAX} 字）/ Invalid note (at most ${NOTE_MAX} characters)`;
    if (key && !IDEMPOTENCY_KEY_RE.test(key)) errors.idempotency_key = '幂等键格式错误（字母、数字、._:-，最多 100 位）/ Invalid idempotency key (letters, digits, ._:-, up to 100)';
    if (version === null) errors.version = '缺少版本号，请重新打开页面 / Missing version, reopen the page';
    if (Object.keys(errors).length > 0 || version === null) return render(req, reply, noteTitle, noteForm(t, text, version ?? t.version, key, errors));
    const token = put(notes, req, t.id, { text, version, idempotencyKey: key });
    return render(req, reply, '确认备注 Confirm note', noteConfirm(t, text, key, token));
  });

  scope.post<{ Params: { id: string } }>('/:id/notes/new/confirm', async (req, reply) => {
    const title = '保存结果 Save result';
    const t = findTicket(ctx.state, req.params.id);
    if (!t) return render(req, reply, title, notFound('ticket', req.params.id));
    const p = take(notes, req, t.id, formOf(req).confirm_token, true);
    if (!p) return render(req, reply, title, tokenInvalid(`${ticketUrl(t.id)}/notes/new`));
    const previous = p.idempotencyKey ? ctx.state.ticketNotes.find((n) => n.ticketId === t.id && n.idempotencyKey === p.idempotencyKey) : undefined;
    if (previous) return render(req, reply, title, noteResult('already_applied', '已处理 / Already applied', t, previous));
    if (t.status === 'closed') return render(req, reply, title, closed(t, 'note'));
    if (p.version !== t.version) return render(req, reply, title, conflict(t));
    const seq = ctx.state.ticketNotes.reduce((m, n) => Math.max(m, Number(n.id.slice(1))), 0) + 1;
    const note: TicketNote = {
      id: `N${String(seq).padStart(6, '0')}`,
      ticketId: t.id,
      at: formatLocal(nowMs()),
      author: sessionOf(req).user,
      text: p.text,
      idempotencyKey: p.idempotencyKey,
    };
    ctx.state.ticketNotes.push(note);
    t.version += 1;
    return render(req, reply, title, noteResult('saved', '保存成功 / Saved', t, note));
  });
}

const workOrderUrl = (id: string) => `${sys.prefix}/workorders/${encodeURIComponent(id)}`;

function workOrderDetail(w: WorkOrder): SafeHtml {
  return detailTable(
    '派工单信息 Work order information',
    [
      { label: '派工单号 Work order ID', field: 'work_order_id', value: w.id },
      { label: '工单号 Ticket ID', field: 'ticket_id', value: w.ticketId },
      { label: '类型 Type', field: 'type', value: w.type },
      { label: '状态 Status', field: 'status', value: w.status },
      { label: '班组 Team', field: 'team', value: w.team },
      { label: '工程师 Engineer', field: 'engineer', value: w.engineer },
      { label: '优先级 Priority', field: 'priority', value: w.priority },
      { label: '预约开始 Appointment start', field: 'appointment_start', value: w.appointmentStart },
      { label: '预约结束 Appointment end', field: 'appointment_end', value: w.appointmentEnd },
      { label: '地址 Address', field: 'address', value: w.address },
      { label: '区域 Region', field: 'region', value: w.region },
      { label: '备注 Note', field: 'note', value: w.note },
      { label: '创建时间 Created', field: 'created', value: w.createdAt },
      { label: '版本 Version', field: 'version', value: String(w.version) },
      { label: '幂等键 Idempotency key', field: 'idempotency_key', value: w.idempotencyKey },
    ],
    'work-order-detail',
  );
}

function notesTable(notes: TicketNote[]): SafeHtml {
  return html`${dataTable(
    '备注记录 Notes',
    [
      { label: '备注编号 Note ID', field: 'note_id' },
      { label: '时间 Time', field: 'time' },
      { label: '作者 Author', field: 'author' },
      { label: '内容 Text', field: 'text' },
      { label: '幂等键 Idempotency key', field: 'idempotency_key' },
    ],
    notes.map((n) => ({ id: n.id, cells: [n.id, n.at, n.author, n.text, n.idempotencyKey] })),
    'notes',
  )}${notes.length === 0 ? html`<p class="${currentLayout() === 'b' ? 'empty-v2' : 'empty'}">无备注记录 / No notes yet</p>` : ''}`;
}

/** A labelled select; layout b puts the label after it and renames the id, like textField. */
function selectField(name: string, label: string, options: Array<[string, string]>, value: string, error?: string): SafeHtml {
  const b = currentLayout() === 'b';
  const id = b ? `fld_${name}` : `f-${name}`;
  const l = html`<label for="${id}">${label}</label>`;
  const sel = html`<select id="${id}" name="${name}"${error ? html` aria-invalid="true"` : ''}>${(b ? [...options].reverse() : options).map(
    ([v, text]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${text}</option>`,
  )}</select>`;
  const err = error ? html`<span class="err" id="${id}-error">${error}</span>` : '';
  return b ? html`<div class="frm-row-v2">${sel}\n${l}\n${err}</div>` : html`<div class="field">${l}\n${sel}\n${err}</div>`;
}

function dispatchForm(t: Ticket, v: Record<string, string>, errors: Record<string, string>): SafeHtml {
  return html`<h2>派单 Dispatch work order for ${t.id}</h2>
${alertBox(Object.values(errors), 'validation_error')}
<form method="post" action="${ticketUrl(t.id)}/dispatch" aria-label="派单 Dispatch work order">
<fieldset>
${selectField('type', '类型 Type', WO_TYPES, v.type ?? 'repair', errors.type)}
${textField({ name: 'team', label: '班组 Team', value: v.team ?? '', hint: '例 e.g. 杭州装维一组 HZ Field Team 1', error: errors.team })}
${textField({ name: 'engineer', label: '工程师 Engineer', value: v.engineer ?? '', hint: '可选 / optional', error: errors.engineer })}
${selectField('priority', '优先级 Priority', PRIORITIES.map((p) => [p, p]), v.priority ?? 'P3', errors.priority)}
${textField({ name: 'appointment_start', label: '预约开始 Appointment start', value: v.appointment_start ?? '', hint: 'YYYY-MM-DD HH:mm', error: errors.appointment_start })}
${textField({ name: 'appointment_end', label: '预约结束 Appointment end', value: v.appointment_end ?? '', hint: 'YYYY-MM-DD HH:mm, 不超过 8 小时 / at most 8 hours', error: errors.appointment_end })}
${textField({ name: 'note', label: '备注 Note', value: v.note ?? '', hint: `可选，不超过 ${WO_NOTE_MAX} 字 / optional`, error: errors.note })}
${textField({ name: 'idempotency_key', label: '幂等键 Idempotency key', value: v.idempotency_key ?? '', hint: '可选 / optional', error: errors.idempotency_key })}
<button type="submit">提交 Submit</button> <a href="${ticketUrl(t.id)}">取消 Cancel</a> <a href="${sys.prefix}/teams">班组目录 Field teams</a>
</fieldset>
</form>`;
}

function dispatchConfirm(t: Ticket, s: DispatchSubmission, token: string): SafeHtml {
  return html`<h2>请确认派单 / Please confirm the dispatch</h2>
${detailTable('派单内容 Dispatch', [
  { label: '工单号 Ticket ID', field: 'ticket_id', value: t.id },
  { label: '类型 Type', field: 'type', value: s.type },
  { label: '班组 Team', field: 'team', value: s.team },
  { label: '工程师 Engineer', field: 'engineer', value: s.engineer },
  { label: '优先级 Priority', field: 'priority', value: s.priority },
  { label: '预约开始 Appointment start', field: 'appointment_start', value: s.start },
  { label: '预约结束 Appointment end', field: 'appointment_end', value: s.end },
  { label: '备注 Note', field: 'note', value: s.note },
  { label: '幂等键 Idempotency key', field: 'idempotency_key', value: s.idempotencyKey },
], 'dispatch-confirm')}
<form method="post" action="${ticketUrl(t.id)}/dispatch/confirm" style="display:inline" aria-label="确认派单 Confirm dispatch">
<input type="hidden" name="confirm_token" value="${token}">
<button type="submit">确认派单 Confirm dispatch</button>
</form>
<form method="get" action="${ticketUrl(t.id)}/dispatch" style="display:inline" aria-label="返回修改 Back">
<input type="hidden" name="token" value="${token}">
<button type="submit">返回修改 Back</button>
</form>`;
}

function dispatchResult(result: 'saved' | 'already_applied', text: string, w: WorkOrder): SafeHtml {
  return html`${statusBox(result, text, result === 'saved' ? 'ok' : 'info')}
${detailTable('派单结果 Result', [
  { label: '派工单号 Work order ID', field: 'work_order_id', value: w.id },
  { label: '工单号 Ticket ID', field: 'ticket_id', value: w.ticketId },
  { label: '状态 Status', field: 'status', value: w.status },
  { label: '幂等键 Idempotency key', field: 'idempotency_key', value: w.idempotencyKey },
], 'save-result')}
<p><a href="${workOrderUrl(w.id)}">查看派工单 View work order</a> | <a href="${ticketUrl(w.ticketId)}">查看工单 View ticket</a></p>`;
}

function noteForm(t: Ticket, text: string, version: number, key: string, errors: Record<string, string>): SafeHtml {
  return html`<h2>添加备注 Add note to ${t.id}</h2>
${alertBox(Object.values(errors), 'validation_error')}
<form method="post" action="${ticketUrl(t.id)}/notes/new" aria-label="添加备注 Add note">
<fieldset>
<input type="hidden" name="version" value="${String(version)}">
${textField({ name: 'note', label: '备注内容 Note', value: text, hint: `不超过 ${NOTE_MAX} 字 / at most ${NOTE_MAX} characters`, error: errors.note })}
${textField({ name: 'idempotency_key', label: '幂等键 Idempotency key', value: key, hint: '可选 / optional', error: errors.idempotency_key })}
<button type="submit">提交 Submit</button> <a href="${ticketUrl(t.id)}">取消 Cancel</a>
</fieldset>
</form>`;
}

function noteConfirm(t: Ticket, text: string, key: string, token: string): SafeHtml {
  return html`<h2>请确认备注 / Please confirm the note</h2>
${detailTable('备注 Note', [
  { label: '工单号 Ticket ID', field: 'ticket_id', value: t.id },
  { label: '版本 Version', field: 'version', value: String(t.version) },
  { label: '备注内容 Note', field: 'note', value: text },
  { label: '幂等键 Idempotency key', field: 'idempotency_key', value: key },
], 'note-confirm')}
<form method="post" action="${ticketUrl(t.id)}/notes/new/confirm" style="display:inline" aria-label="确认保存 Confirm save">
<input type="hidden" name="confirm_token" value="${token}">
<button type="submit">确认保存 Confirm save</button>
</form>
<form method="get" action="${ticketUrl(t.id)}/notes/new" style="display:inline" aria-label="返回修改 Back">
<input type="hidden" name="token" value="${token}">
<button type="submit">返回修改 Back</button>
</form>`;
}

function noteResult(result: 'saved' | 'already_applied', text: string, t: Ticket, n: TicketNote): SafeHtml {
  return html`${statusBox(result, text, result === 'saved' ? 'ok' : 'info')}
${detailTable('处理结果 Result', [
  { label: '工单号 Ticket ID', field: 'ticket_id', value: t.id },
  { label: '备注编号 Note ID', field: 'note_id', value: n.id },
  { label: '版本 Version', field: 'version', value: String(t.version) },
  { label: '幂等键 Idempotency key', field: 'idempotency_key', value: n.idempotencyKey },
], 'save-result')}
<p><a href="${ticketUrl(t.id)}">查看工单 View ticket</a></p>`;
}
