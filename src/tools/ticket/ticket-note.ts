/**
 * ticket.addNote: append a note to a ticket through the portal's note form and confirm step. The
 * approval id is the note's idempotency key (a repeated write finds its note and adds nothing),
 * the ticket's status must still be what the approver saw, and verify finds the note by its key.
 */
import type { Page } from 'playwright-core';
import { defineTool, type ToolContext } from '../define.js';
import { gotoPage } from '../browser-pool.js';
import { BusinessError, SystemError } from '../errors.js';
import { addTicketNoteInput, addTicketNoteOutput } from './schemas.js';
import { column, pageResult, readKeyValues, readListTable } from '../portal/page-reading.js';
import { confirmAndRead, exact, fillAndSubmit } from '../portal/form-flow.js';

const SYSTEM = 'ticket';

interface NoteRow {
  id: string;
  text: string;
  idempotencyKey: string;
}

async function readTicketWithNotes(page: Page, base: string, ticketId: string, ctx: ToolContext): Promise<{ status: string; version: number; notes: NoteRow[] }> {
  ctx.step('open ticket', { ticketId });
  await gotoPage(page, `${base}/${encodeURIComponent(ticketId)}`, SYSTEM);
  if ((await pageResult(page))?.result === 'not_found') {
    throw new BusinessError('not_found', `Ticket ${ticketId} does not exist`, { zh: `工单系统中没有工单 ${ticketId}` });
  }
  const kv = await readKeyValues(page);
  const version = Number.parseInt(exact(kv, 'Version', SYSTEM), 10);
  if (!Number.isInteger(version)) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unreadable version`);
  const table = await readListTable(page, /Notes/i);
  if (!table) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: the ticket page has no notes table`);
  const c = { id: column(table, 'Note ID', SYSTEM), text: column(table, 'Text', SYSTEM), key: column(table, 'Idempotency key', SYSTEM) };
  return {
    status: exact(kv, 'Status', SYSTEM),
    version,
    notes: table.rows.map((r) => ({ id: r[c.id] ?? '', text: r[c.text] ?? '', idempotencyKey: r[c.key] ?? '' })),
  };
}

export const addTicketNote = defineTool({
  name: 'ticket.addNote',
  effect: 'write',
  system: 'ticket',
  description: '为工单添加备注（需主管审批）。Add a note to a ticket (needs a manager\'s approval); refuses if the ticket status changed since the approval.',
  input: addTicketNoteInput,
  output: addTicketNoteOutput,
  scope: { input: [{ path: 'ticketId', kind: 'region', via: 'ticketRegion' }], output: [] },
  async run(input, ctx) {
    const key = ctx.idempotencyKey;
    return ctx.withPage('ticket', async (page, base) => {
      const before = await readTicketWithNotes(page, base, input.ticketId, ctx);
      const mine = before.notes.find((n) => n.idempotencyKey === key);
      if (mine) {
        ctx.step('note with our key exists', { noteId: mine.id });
        return { ticketId: input.ticketId, noteId: mine.id, version: before.version, alreadyApplied: true };
      }
      if (before.status === 'closed') throw new BusinessError('conflict', `Ticket ${input.ticketId} is closed`, { zh: `工单 ${input.ticketId} 已关闭，不能添加备注` });
      if (before.status !== input.expected.status) {
        throw new BusinessError('stale_state', `Ticket ${input.ticketId} changed since it was approved: status is now ${before.status}`, {
          zh: `工单 ${input.ticketId} 在审批后状态已变为 ${before.status}，未添加备注`,
          fields: ['status'],
        });
      }
      ctx.step('open note form');
      await gotoPage(page, `${base}/${encodeURIComponent(input.ticketId)}/notes/new`, SYSTEM);
      const formOutcome = await fillAndSubmit(
        page,
        [
          { label: 'Note', value: input.note },
          { label: 'Idempotency key', value: key },
        ],
        'ticket',
        '工单系统',
      );
      if (formOutcome?.result === 'closed') throw new BusinessError('conflict', `Ticket ${input.ticketId} is closed`, { zh: `工单 ${input.ticketId} 已关闭，不能添加备注` });
      ctx.step('confirm note');
      const out = await confirmAndRead(page, /Confirm save/i, '/notes/new/confirm', SYSTEM);
      switch (out.result) {
        case 'saved':
        case 'already_applied': {
          const noteId = exact(out.kv, 'Note ID', SYSTEM);
          const version = Number.parseInt(exact(out.kv, 'Version', SYSTEM), 10);
          ctx.step(out.result, { noteId, version });
          return { ticketId: input.ticketId, noteId, version, alreadyApplied: out.result === 'already_applied' };
        }
        case 'conflict':
          throw new BusinessError('stale_state', `Ticket ${input.ticketId} was changed by someone else while saving`, { zh: `保存时工单 ${input.ticketId} 被他人修改，未添加备注` });
        case 'closed':
          throw new BusinessError('conflict', `Ticket ${input.ticketId} is closed`, { zh: `工单 ${input.ticketId} 已关闭，不能添加备注` });
        default:
          throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unexpected result after saving the note (${out.result || 'none'}: ${out.text})`);
      }
    });
  },
  async verify(input, output, ctx) {
    return ctx.withPage('ticket', async (page, base) => {
      const t = await readTicketWithNotes(page, base, input.ticketId, ctx);
      const note = ctx.idempotencyKey ? t.notes.find((n) => n.idempotencyKey === ctx.idempotencyKey) : t.notes.find((n) => n.id === output?.noteId);
      const ok = !!note && note.text === input.note;
      return {
        ok,
        lines: [
          {
            label: 'Note',
            value: note ? `${note.id}${note.text === input.note ? ' ✓' : `: expected "${input.note}", found "${note.text}"`}` : 'no note carries the approval id',
            zh: { label: '备注', value: note ? `${note.id}${note.text === input.note ? ' ✓' : `：应为"${input.note}"，实为"${note.text}"`}` : '没有带本审批编号的备注' },
          },
          { label: 'Version', value: String(t.version), zh: { label: '版本', value: String(t.version) } },
        ],
      };
    });
  },
  summarize(input, lang) {
    return [
      { label: lang === 'zh' ? '工单' : 'Ticket', value: input.ticketId },
      { label: lang === 'zh' ? '工单状态' : 'Ticket status', value: input.expected.status },
      { label: lang === 'zh' ? '新增备注' : 'Note to add', value: input.note, key: 'note' },
    ];
  },
});
