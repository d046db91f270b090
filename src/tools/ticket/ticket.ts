/**
 * ticket.get and ticket.updateFields on the ticket system (工单系统). The write goes through the
 * portal's own edit form and confirm step, carries the approval id as idempotency key (so the
 * portal recognises a repeated save), refuses when the ticket changed since the approver saw it,
 * and is verified by reading the ticket back.
 */
import type { Page } from 'playwright-core';
import { defineTool, type CardLineOut, type ToolContext } from '../define.js';
import { gotoPage } from '../browser-pool.js';
import { BusinessError, SystemError } from '../errors.js';
import {
  completableFields,
  getTicketInput,
  getTicketOutput,
  ticketSchema,
  updateTicketFieldsInput,
  updateTicketFieldsOutput,
  type CompletableField,
  type Ticket,
} from './schemas.js';
import { orNull, pageResult, pick, readKeyValues } from '../portal/page-reading.js';

const SYSTEM = 'ticket';

/** How each completable field is labelled on the portal (English part of "中文 English"). */
const fieldLabel: Record<CompletableField, string> = {
  broadbandAccount: 'Broadband account',
  address: 'Address',
  accessPort: 'Access port',
  onuSn: 'ONU SN',
};
const cardLabel: Record<CompletableField, { zh: string; en: string }> = {
  broadbandAccount: { zh: '宽带账号', en: 'Broadband account' },
  address: { zh: '装机地址', en: 'Address' },
  accessPort: { zh: '接入端口', en: 'Access port' },
  onuSn: { zh: 'ONU SN', en: 'ONU SN' },
};

async function readTicket(page: Page, base: string, ticketId: string, ctx: ToolContext): Promise<Ticket> {
  ctx.step('open ticket', { ticketId });
  await gotoPage(page, `${base}/${encodeURIComponent(ticketId)}`, SYSTEM);
  if ((await pageResult(page))?.result === 'not_found') {
    throw new BusinessError('not_found', `Ticket ${ticketId} does not exist`, { zh: `工单系统中没有工单 ${ticketId}` });
  }
  const kv = await readKeyValues(page);
  const v = (label: string) => orNull(pick(kv, label, SYSTEM));
  const version = Number.parseInt(pick(kv, 'Version', SYSTEM), 10);
  if (!Number.isInteger(version)) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unreadable version`);
  return ticketSchema.parse({
    id: pick(kv, 'Ticket ID', SYSTEM),
    status: pick(kv, 'Status', SYSTEM),
    customerId: v('Customer ID'),
    serviceNumber: v('Service number'),
    broadbandAccount: v('Broadband account'),
    address: v('Address'),
    accessPort: v('Access port'),
    onuSn: v('ONU SN'),
    faultType: v('Fault type'),
    priority: v('Priority'),
    slaDeadline: v('SLA deadline'),
    region: v('Region'),
    assignedTeam: v('Assigned team'),
    notes: v('Notes'),
    version,
    idempotencyKey: v('Idempotency key'),
  });
}

export const getTicket = defineTool({
  name: 'ticket.get',
  effect: 'read',
  system: 'ticket',
  description: '查询工单详情及缺失字段。Read a trouble ticket and list its missing fields (broadband account, address, access port, ONU SN).',
  input: getTicketInput,
  output: getTicketOutput,
  scope: { input: [], output: [{ path: 'ticket.region', kind: 'region' }] },
  async run(input, ctx) {
    return ctx.withPage('ticket', async (page, base) => {
      const ticket = await readTicket(page, base, input.ticketId, ctx);
      return { ticket, missingFields: completableFields.filter((f) => ticket[f] === null) };
    });
  },
});

export const updateTicketFields = defineTool({
  name: 'ticket.updateFields',
  effect: 'write',
  system: 'ticket',
  description:
    '写回工单字段（需主管审批）。Write missing fields back to a ticket (needs a manager\'s approval); refuses if the ticket changed since the approval.',
  input: updateTicketFieldsInput,
  output: updateTicketFieldsOutput,
  scope: {
    input: [
      { path: 'ticketId', kind: 'region', via: 'ticketRegion' },
      { path: 'fields.accessPort', kind: 'region', via: 'accessPortRegion' },
    ],
    output: [],
  },
  async run(input, ctx) {
    const key = ctx.idempotencyKey;
    const fields = Object.entries(input.fields) as [CompletableField, string][];
    return ctx.withPage('ticket', async (page, base) => {
      const before = await readTicket(page, base, input.ticketId, ctx);
      if (before.status === 'closed') {
        throw new BusinessError('conflict', `Ticket ${before.id} is closed`, { zh: `工单 ${before.id} 已关闭，不能修改` });
      }
      // Stale-state guard: each field must still hold what the approver saw, or already hold
      // exactly what we are writing (our own earlier attempt got through).
      const changed = fields.filter(([f, value]) => before[f] !== (input.expected[f] ?? null) && before[f] !== value);
      if (changed.length > 0) {
        throw new BusinessError(
          'stale_state',
          `Ticket ${before.id} changed since it was approved: ${changed.map(([f]) => fieldLabel[f]).join(', ')}`,
          { zh: `工单 ${before.id} 在审批后已被修改（${changed.map(([f]) => cardLabel[f].zh).join('、')}），未写入`, fields: changed.map(([f]) => f) },
        );
      }
      ctx.step('open edit form');
      await gotoPage(page, `${base}/${encodeURIComponent(before.id)}/edit`, SYSTEM);
      for (const [f, value] of fields) await page.getByLabel(fieldLabel[f], { exact: false }).first().fill(value);
      await page.getByLabel('Idempotency key', { exact: false }).fill(key);
      ctx.step('submit edit form', { fields: fields.map(([f]) => f) });
      await Promise.all([page.waitForLoadState('domcontentloaded'), page.getByRole('button', { name: /Submit/i }).click()]);
      const afterSubmit = await pageResult(page);
      if (afterSubmit?.result === 'validation_error') {
        throw new BusinessError('invalid_input', `The ticket system refused the values: ${afterSubmit.text}`, { zh: `工单系统拒绝了这些值：${afterSubmit.text}` });
      }
      ctx.step('confirm save');
      const confirm = page.getByRole('button', { name: /Confirm save/i });
      await confirm.waitFor({ timeout: 5_000 }).catch((e: unknown) => {
        throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: no confirm step after submitting`, { cause: e });
      });
      // Wait for the save's own answer, not the confirm page we are still on: reading that one
      // would report "no result" while the portal may be saving. A late answer times out here
      // (SystemError), and the executor reads the ticket back before anything else.
      await Promise.all([
        page.waitForURL((u) => u.pathname.replace(/\/+$/, '').endsWith('/edit/confirm'), { waitUntil: 'domcontentloaded' }),
        confirm.click(),
      ]);
      const outcome = await pageResult(page);
      const kv = await readKeyValues(page);
      const version = Number.parseInt(pick(kv, 'Version', SYSTEM), 10);
      switch (outcome?.result) {
        case 'saved':
          ctx.step('saved', { version });
          return { ticketId: before.id, version, updated: fields.map(([f]) => f), alreadyApplied: false };
        case 'already_applied':
          ctx.step('portal recognised the idempotency key');
          return { ticketId: before.id, version: Number.parseInt(pick(kv, 'Current version', SYSTEM), 10) || version, updated: fields.map(([f]) => f), alreadyApplied: true };
        case 'conflict':
          throw new BusinessError('stale_state', `Ticket ${before.id} was changed by someone else while saving`, { zh: `保存时工单 ${before.id} 被他人修改，未写入` });
        case 'closed':
          throw new BusinessError('conflict', `Ticket ${before.id} is closed`, { zh: `工单 ${before.id} 已关闭，不能修改` });
        default:
          throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unexpected result after saving (${outcome?.result ?? 'none'}: ${outcome?.text ?? ''})`);
      }
    });
  },
  async verify(input, _output, ctx) {
    return ctx.withPage('ticket', async (page, base) => {
      const t = await readTicket(page, base, input.ticketId, ctx);
      const fields = Object.entries(input.fields) as [CompletableField, string][];
      const mismatched = fields.filter(([f, v]) => t[f] !== v);
      return {
        ok: mismatched.length === 0,
        lines: [
          ...fields.map(([f, v]) => ({
            label: fieldLabel[f],
            value: t[f] === v ? `${v} ✓` : `expected ${v}, found ${t[f] ?? '(empty)'}`,
            zh: { label: cardLabel[f].zh, value: t[f] === v ? `${v} ✓` : `应为 ${v}，实为 ${t[f] ?? '（空）'}` },
          })),
          { label: 'Version', value: String(t.version), zh: { label: '版本', value: String(t.version) } },
        ],
      };
    });
  },
  summarize(input, lang) {
    // Each field as current → new: the current value is the guard's `expected` (null: empty now).
    const lines: CardLineOut[] = [{ label: lang === 'zh' ? '工单' : 'Ticket', value: input.ticketId }];
    for (const [f, v] of Object.entries(input.fields) as [CompletableField, string][]) lines.push({ label: cardLabel[f][lang], value: v, key: f, current: input.expected[f] ?? null });
    return lines;
  },
});
