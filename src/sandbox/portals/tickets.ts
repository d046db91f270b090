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
import { BROADBAND_ACCOUNT_RE } from '../seed.js';
import { findTicket, type Ticket, type TicketEditableFields, type TicketStatus } from '../state.js';
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
<p>${t.status !== 'closed' ? html`<a href="${ticketUrl(t.id)}/edit">修改 Edit</a> | ` : ''}<a href="${sys.prefix}">返回列表 Back to list</a></p>`;
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
