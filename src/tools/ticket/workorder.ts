/**
 * workorder.get and workorder.dispatch on the ticket system's work orders (派工单). The dispatch
 * goes through the portal's own form and confirm step from the ticket, carries the approval id as
 * idempotency key (a repeated dispatch is answered with the work order it already made), refuses
 * when the ticket's status is no longer what the approver saw, and is verified by finding the
 * work order that carries the key and comparing team, engineer, priority and window.
 */
import type { z } from 'zod';
import type { Page } from 'playwright-core';
import { defineTool, type CardLineOut, type ToolContext } from '../define.js';
import { gotoPage } from '../browser-pool.js';
import { BusinessError, SystemError } from '../errors.js';
import {
  dispatchWorkOrderInput,
  dispatchWorkOrderOutput,
  getWorkOrderInput,
  getWorkOrderOutput,
  listWorkOrdersInput,
  listWorkOrdersOutput,
  workOrderSchema,
  type DispatchWorkOrderInput,
  type WorkOrder,
} from './schemas.js';
import { column, pageResult, readKeyValues, readListTable } from '../portal/page-reading.js';
import { confirmAndRead, exact, exactOrNull, fillAndSubmit } from '../portal/form-flow.js';

const SYSTEM = 'ticket';
const MAX_PAGES = 20;

async function readWorkOrder(page: Page, base: string, id: string, ctx: ToolContext): Promise<WorkOrder> {
  ctx.step('open work order', { workOrderId: id });
  await gotoPage(page, `${base}/workorders/${encodeURIComponent(id)}`, SYSTEM);
  if ((await pageResult(page))?.result === 'not_found') {
    throw new BusinessError('not_found', `Work order ${id} does not exist`, { zh: `工单系统中没有派工单 ${id}` });
  }
  const kv = await readKeyValues(page);
  const v = (label: string) => exactOrNull(kv, label, SYSTEM);
  const version = Number.parseInt(exact(kv, 'Version', SYSTEM), 10);
  if (!Number.isInteger(version)) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unreadable work order version`);
  const parsed = workOrderSchema.safeParse({
    id: exact(kv, 'Work order ID', SYSTEM),
    ticketId: v('Ticket ID'),
    type: exact(kv, 'Type', SYSTEM),
    status: exact(kv, 'Status', SYSTEM),
    team: v('Team'),
    engineer: v('Engineer'),
    priority: exact(kv, 'Priority', SYSTEM),
    appointmentStart: v('Appointment start'),
    appointmentEnd: v('Appointment end'),
    address: v('Address'),
    region: v('Region'),
    note: v('Note'),
    version,
    idempotencyKey: v('Idempotency key'),
  });
  if (!parsed.success) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unreadable work order ${id}`);
  return parsed.data;
}

/** Status of a ticket, read from its detail page (not found: BusinessError). */
async function readTicketStatus(page: Page, base: string, ticketId: string, ctx: ToolContext): Promise<string> {
  ctx.step('open ticket', { ticketId });
  await gotoPage(page, `${base}/${encodeURIComponent(ticketId)}`, SYSTEM);
  if ((await pageResult(page))?.result === 'not_found') {
    throw new BusinessError('not_found', `Ticket ${ticketId} does not exist`, { zh: `工单系统中没有工单 ${ticketId}` });
  }
  return exact(await readKeyValues(page), 'Status', SYSTEM);
}

/** The ticket's work order carrying this idempotency key, if any (list filtered by ticket, every page). */
async function findByKey(page: Page, base: string, ticketId: string, key: string, ctx: ToolContext): Promise<{ id: string; status: string } | null> {
  for (let n = 1; n <= MAX_PAGES; n++) {
    ctx.step('look for a work order with our key', { ticketId, page: n });
    await gotoPage(page, `${base}/workorders?${new URLSearchParams({ ticket: ticketId, page: String(n) }).toString()}`, SYSTEM);
    const table = await readListTable(page, /Work orders/i);
    if (!table) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: no work order list`);
    const id = column(table, 'Work order ID', SYSTEM);
    const keyCol = column(table, 'Idempotency key', SYSTEM);
    const status = column(table, 'Status', SYSTEM);
    const hit = table.rows.find((r) => r[keyCol] === key);
    if (hit) return { id: hit[id] ?? '', status: hit[status] ?? '' };
    const hasNext = await page.evaluate(() => {
      const nav = [...document.querySelectorAll('[aria-label]')].find((el) => /Pagination/i.test(el.getAttribute('aria-label') ?? ''));
      return !!nav && [...nav.querySelectorAll('a')].some((a) => /下一页|\bNext\b/i.test(a.textContent ?? ''));
    });
    if (!hasNext || table.rows.length === 0) return null;
  }
  return null;
}

/** "杭州装维一组 HZ Field Team 1" is the team whether it was given whole or by either half. */
export function sameTeam(shown: string | null, given: string): boolean {
  if (!shown) return false;
  const s = shown.toLowerCase();
  const g = given.trim().toLowerCase();
  const sp = s.indexOf(' ');
  return s === g || (sp > 0 && (s.slice(0, sp) === g || s.slice(sp + 1) === g));
}

const typeLabel = { repair: { zh: '故障维修', en: 'Repair' }, install: { zh: '装机', en: 'Install' }, inspection: { zh: '巡检', en: 'Inspection' } } as const;
const statusOk = (s: string) => workOrderSchema.shape.status.safeParse(s);

export const getWorkOrder = defineTool({
  name: 'workorder.get',
  effect: 'read',
  system: 'ticket',
  description: '查询派工单详情。A work order: team, engineer, priority, window, status.',
  input: getWorkOrderInput,
  output: getWorkOrderOutput,
  scope: { input: [], output: [{ path: 'workOrder.region', kind: 'region' }] },
  async run(input, ctx) {
    return ctx.withPage('ticket', async (page, base) => ({ workOrder: await readWorkOrder(page, base, input.workOrderId, ctx) }));
  },
});

export const listWorkOrders = defineTool({
  name: 'workorder.list',
  effect: 'read',
  system: 'ticket',
  description: '列出工单的派工单。Work orders of a ticket (status, team, engineer, window), newest first.',
  input: listWorkOrdersInput,
  output: listWorkOrdersOutput,
  scope: { input: [{ path: 'ticketId', kind: 'region', via: 'ticketRegion' }], output: [] },
  async run(input, ctx) {
    return ctx.withPage('ticket', async (page, base) => {
      const out: z.infer<typeof listWorkOrdersOutput>['workOrders'] = [];
      for (let n = 1; n <= MAX_PAGES; n++) {
        ctx.step('list work orders', { ticketId: input.ticketId, page: n });
        await gotoPage(page, `${base}/workorders?${new URLSearchParams({ ticket: input.ticketId, page: String(n) }).toString()}`, SYSTEM);
        const table = await readListTable(page, /Work orders/i);
        if (!table) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: no work order list`);
        const col = (label: string) => column(table, label, SYSTEM);
        const [id, ticket, status, team, engineer, start, end] = ['Work order ID', 'Ticket ID', 'Status', 'Team', 'Engineer', 'Appointment start', 'Appointment end'].map(col) as [number, number, number, number, number, number, number];
        const cell = (r: string[], i: number) => (r[i] ?? '').trim() || null;
        for (const r of table.rows) {
          // The list is filtered by ticket; a row of another ticket means the filter was not applied.
          if (cell(r, ticket) !== input.ticketId) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: work order list not filtered by ticket`);
          out.push({ id: cell(r, id) ?? '', status: cell(r, status) ?? '', team: cell(r, team), engineer: cell(r, engineer), appointmentStart: cell(r, start), appointmentEnd: cell(r, end) });
        }
        const hasNext = await page.evaluate(() => {
          const nav = [...document.querySelectorAll('[aria-label]')].find((el) => /Pagination/i.test(el.getAttribute('aria-label') ?? ''));
          return !!nav && [...nav.querySelectorAll('a')].some((a) => /下一页|\bNext\b/i.test(a.textContent ?? ''));
        });
        if (!hasNext || table.rows.length === 0) break;
      }
      return { ticketId: input.ticketId, workOrders: out };
    });
  },
});

export const dispatchWorkOrder = defineTool({
  name: 'workorder.dispatch',
  effect: 'write',
  system: 'ticket',
  description:
    '从工单派发上门派工单（需主管审批）。Dispatch a follow-up work order for a ticket to a team or engineer with a priority and appointment window (needs a manager\'s approval).',
  input: dispatchWorkOrderInput,
  output: dispatchWorkOrderOutput,
  scope: { input: [{ path: 'ticketId', kind: 'region', via: 'ticketRegion' }], output: [] },
  async run(input, ctx) {
    const key = ctx.idempotencyKey;
    return ctx.withPage('ticket', async (page, base) => {
      const status = await readTicketStatus(page, base, input.ticketId, ctx);
      // Our own earlier attempt got through: answer with that work order, change nothing.
      const existing = await findByKey(page, base, input.ticketId, key, ctx);
      if (existing) {
        ctx.step('work order with our key exists', { workOrderId: existing.id });
        const s = statusOk(existing.status);
        return { workOrderId: existing.id, ticketId: input.ticketId, status: s.success ? s.data : 'dispatched', alreadyApplied: true };
      }
      if (status === 'closed') {
        throw new BusinessError('conflict', `Ticket ${input.ticketId} is closed`, { zh: `工单 ${input.ticketId} 已关闭，不能派单` });
      }
      if (status !== input.expected.ticketStatus) {
        throw new BusinessError('stale_state', `Ticket ${input.ticketId} changed since it was approved: status is now ${status}`, {
          zh: `工单 ${input.ticketId} 在审批后状态已变为 ${status}，未派单`,
          fields: ['status'],
        });
      }
      ctx.step('open dispatch form');
      await gotoPage(page, `${base}/${encodeURIComponent(input.ticketId)}/dispatch`, SYSTEM);
      const formOutcome = await fillAndSubmit(
        page,
        [
          { label: 'Type', value: input.type, select: true },
          { label: 'Team', value: input.team ?? '' },
          { label: 'Engineer', value: input.engineer ?? '' },
          { label: 'Priority', value: input.priority, select: true },
          { label: 'Appointment start', value: input.window.start },
          { label: 'Appointment end', value: input.window.end },
          { label: 'Note', value: input.note ?? '' },
          { label: 'Idempotency key', value: key },
        ],
        'ticket',
        '工单系统',
      );
      if (formOutcome?.result === 'closed') throw new BusinessError('conflict', `Ticket ${input.ticketId} is closed`, { zh: `工单 ${input.ticketId} 已关闭，不能派单` });
      ctx.step('confirm dispatch');
      const out = await confirmAndRead(page, /Confirm dispatch/i, '/dispatch/confirm', SYSTEM);
      switch (out.result) {
        case 'saved':
        case 'already_applied': {
          const id = exact(out.kv, 'Work order ID', SYSTEM);
          const s = statusOk(exact(out.kv, 'Status', SYSTEM));
          ctx.step(out.result, { workOrderId: id });
          return { workOrderId: id, ticketId: input.ticketId, status: s.success ? s.data : 'dispatched', alreadyApplied: out.result === 'already_applied' };
        }
        case 'closed':
          throw new BusinessError('conflict', `Ticket ${input.ticketId} is closed`, { zh: `工单 ${input.ticketId} 已关闭，不能派单` });
        case 'validation_error':
          throw new BusinessError('invalid_input', `The ticket system refused the values: ${out.text}`, { zh: `工单系统拒绝了这些值：${out.text}`, portal: out.text });
        default:
          throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unexpected result after dispatching (${out.result || 'none'}: ${out.text})`);
      }
    });
  },
  async verify(input, output, ctx) {
    const key = ctx.idempotencyKey;
    return ctx.withPage('ticket', async (page, base) => {
      const found = key ? await findByKey(page, base, input.ticketId, key, ctx) : output ? { id: output.workOrderId, status: output.status } : null;
      if (!found) return { ok: false, lines: [{ label: 'Work order', value: `no work order for ${input.ticketId} carries the approval id`, zh: { label: '工单派单', value: `工单 ${input.ticketId} 没有带本审批编号的派单` } }] };
      const w = await readWorkOrder(page, base, found.id, ctx);
      const checks: Array<{ label: string; zh: string; ok: boolean; want: string; got: string | null }> = [
        ...(input.team ? [{ label: 'Team', zh: '班组', ok: sameTeam(w.team, input.team), want: input.team, got: w.team }] : []),
        ...(input.engineer ? [{ label: 'Engineer', zh: '工程师', ok: w.engineer === input.engineer, want: input.engineer, got: w.engineer }] : []),
        { label: 'Priority', zh: '优先级', ok: w.priority === input.priority, want: input.priority, got: w.priority },
        { label: 'Window', zh: '预约时段', ok: w.appointmentStart === input.window.start && w.appointmentEnd === input.window.end, want: `${input.window.start} – ${input.window.end}`, got: `${w.appointmentStart ?? ''} – ${w.appointmentEnd ?? ''}` },
      ];
      return {
        ok: w.ticketId === input.ticketId && checks.every((c) => c.ok),
        lines: [
          { label: 'Work order', value: w.id, zh: { label: '派单编号', value: w.id } },
          ...checks.map((c) => ({
            label: c.label,
            value: c.ok ? `${c.want} ✓` : `expected ${c.want}, found ${c.got ?? '(empty)'}`,
            zh: { label: c.zh, value: c.ok ? `${c.want} ✓` : `应为 ${c.want}，实为 ${c.got ?? '（空）'}` },
          })),
          { label: 'Status', value: w.status, zh: { label: '状态', value: w.status } },
        ],
      };
    });
  },
  summarize(input: DispatchWorkOrderInput, lang) {
    const zh = lang === 'zh';
    const lines: CardLineOut[] = [
      { label: zh ? '工单' : 'Ticket', value: input.ticketId },
      { label: zh ? '工单状态' : 'Ticket status', value: input.expected.ticketStatus },
      { label: zh ? '类型' : 'Type', value: typeLabel[input.type][lang], key: 'type' },
    ];
    if (input.team) lines.push({ label: zh ? '班组' : 'Team', value: input.team, key: 'team' });
    if (input.engineer) lines.push({ label: zh ? '工程师' : 'Engineer', value: input.engineer, key: 'engineer' });
    lines.push({ label: zh ? '优先级' : 'Priority', value: input.priority, key: 'priority' }, { label: zh ? '预约时段' : 'Appointment', value: `${input.window.start} – ${input.window.end}`, key: 'window' });
    if (input.note) lines.push({ label: zh ? '备注' : 'Note', value: input.note, key: 'note' });
    return lines;
  },
});
