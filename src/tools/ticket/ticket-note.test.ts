/**
 * ticket.addNote against the sandbox through the real runtime (Chromium): normal, abnormal and
 * boundary cases, both layouts. One harness for the file.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxState } from '../../sandbox/state.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';
import { systemCaller } from '../scope.js';

let h: ToolHarness;
let state: SandboxState;
beforeAll(async () => {
  // A high breaker threshold: the 500 cases must not open the breaker for the rest of the file.
  h = await startToolHarness({ RPA_BREAKER_THRESHOLD: '100' });
  state = h.sandbox.state;
}, 60_000);
afterAll(() => h?.close());
afterEach(() => h.sandbox.faults.reset());

const T13 = 'T20261124-0013';
const ticket = (id: string) => state.tickets.find((t) => t.id === id)!;
const closedTicket = () => state.tickets.find((t) => t.status === 'closed')!;

describe('ticket.addNote', () => {
  it('adds a note, the ticket version goes +1, verify finds it (normal)', async () => {
    const v0 = ticket(T13).version;
    const input = { ticketId: T13, note: '已上门更换光猫 / ONT replaced on site', expected: { status: 'open' } };
    const { output } = await h.run('ticket.addNote', input, { idempotencyKey: 'appr-note-1' });
    expect(output).toMatchObject({ ticketId: T13, version: v0 + 1, alreadyApplied: false });
    expect(state.ticketNotes.filter((n) => n.idempotencyKey === 'appr-note-1')).toEqual([expect.objectContaining({ text: input.note, author: 'rpa_bot' })]);
    expect((await h.runtime.runner.verify('ticket.addNote', input, output, { caller: systemCaller('tool test'), idempotencyKey: 'appr-note-1' })).ok).toBe(true);
    // ticket.get still reads the Notes field beside the notes table.
    const t = (await h.run('ticket.get', { ticketId: T13 })).output as { ticket: { notes: string; version: number } };
    expect(t.ticket).toMatchObject({ notes: '客户反映晚高峰网速明显变慢。', version: v0 + 1 });
  });

  it('the same approval twice adds one note (boundary), a 500-character note in layout b (boundary)', async () => {
    const input = { ticketId: T13, note: '客户确认网络恢复 / Customer confirms service restored', expected: { status: 'open' } };
    const first = (await h.run('ticket.addNote', input, { idempotencyKey: 'appr-note-2' })).output as { noteId: string };
    const again = (await h.run('ticket.addNote', input, { idempotencyKey: 'appr-note-2' })).output;
    expect(again).toMatchObject({ noteId: first.noteId, alreadyApplied: true });
    expect(state.ticketNotes.filter((n) => n.idempotencyKey === 'appr-note-2')).toHaveLength(1);
    h.sandbox.faults.set({ system: 'tickets', layout: 'b' });
    const long = { ...input, note: '长'.repeat(500) };
    expect((await h.run('ticket.addNote', long, { idempotencyKey: 'appr-note-long' })).output).toMatchObject({ alreadyApplied: false });
    expect((await h.runtime.runner.verify('ticket.addNote', long, null, { caller: systemCaller('tool test'), idempotencyKey: 'appr-note-long' })).ok).toBe(true);
    expect((await h.fail('ticket.addNote', { ...input, note: '长'.repeat(501) }, { idempotencyKey: 'appr-note-501' })).code).toBe('invalid_input');
  });

  it('refuses a changed status, a closed or unknown ticket, no approval id (abnormal)', async () => {
    const count = state.ticketNotes.length;
    const stale = await h.fail('ticket.addNote', { ticketId: T13, note: 'x', expected: { status: 'in_progress' } }, { idempotencyKey: 'appr-note-s' });
    expect(stale.code).toBe('stale_state');
    const closed = closedTicket();
    expect((await h.fail('ticket.addNote', { ticketId: closed.id, note: 'x', expected: { status: 'closed' } }, { idempotencyKey: 'appr-note-c' })).code).toBe('conflict');
    expect((await h.fail('ticket.addNote', { ticketId: 'T20991231-0001', note: 'x', expected: { status: 'open' } }, { idempotencyKey: 'appr-note-u' })).code).toBe('not_found');
    expect((await h.fail('ticket.addNote', { ticketId: T13, note: 'x', expected: { status: 'open' } })).code).toBe('invalid_input');
    expect((await h.fail('ticket.addNote', { ticketId: T13, note: '   ', expected: { status: 'open' } }, { idempotencyKey: 'appr-note-e' })).code).toBe('invalid_input');
    expect(state.ticketNotes).toHaveLength(count);
  });
});
