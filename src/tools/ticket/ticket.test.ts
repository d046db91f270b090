/**
 * ticket.get and ticket.updateFields against the sandbox through the real runtime: normal,
 * abnormal and boundary cases (DOMAIN.md test-case sets). One harness for the file; tests run in
 * order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '../../sandbox/seed.js';
import type { SandboxState } from '../../sandbox/state.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';
import { systemCaller } from '../scope.js';

let h: ToolHarness;
let state: SandboxState;
beforeAll(async () => {
  h = await startToolHarness({ RPA_BREAKER_THRESHOLD: '100' });
  state = h.sandbox.state;
}, 60_000);
afterAll(() => h?.close());
afterEach(() => h.sandbox.faults.reset());

describe('ticket.get', () => {
  it('reads the demo ticket and names its four missing fields (normal)', async () => {
    const { output } = await h.run('ticket.get', { ticketId: demo.ticketMissing.id });
    expect(output).toMatchObject({ ticket: { id: demo.ticketMissing.id, status: 'open', customerId: 'C000123', version: 1, broadbandAccount: null }, missingFields: demo.ticketMissing.missing });
  });

  it('reads a complete ticket with nothing missing, the same in layout b (boundary)', async () => {
    const a = (await h.run('ticket.get', { ticketId: demo.ticketComplete.id })).output as { missingFields: string[] };
    expect(a.missingFields).toEqual([]);
    h.sandbox.faults.set({ system: 'tickets', layout: 'b' });
    expect((await h.run('ticket.get', { ticketId: demo.ticketComplete.id })).output).toEqual(a);
  });

  it('answers not_found for an unknown ticket and invalid_input for a malformed id (abnormal)', async () => {
    expect((await h.fail('ticket.get', { ticketId: 'T20991231-0001' })).code).toBe('not_found');
    expect((await h.fail('ticket.get', { ticketId: '12' })).code).toBe('invalid_input');
  });
});

describe('ticket.updateFields', () => {
  const input = { ticketId: demo.ticketMissing.id, fields: demo.ticketMissing.expectedCompletion, expected: { broadbandAccount: null, address: null, accessPort: null, onuSn: null } };

  it('writes the four missing fields and verifies them (normal); the same approval again is alreadyApplied, one write (boundary)', async () => {
    const { output } = await h.run('ticket.updateFields', input, { idempotencyKey: 'appr-upd-1' });
    expect(output).toEqual({ ticketId: demo.ticketMissing.id, version: 2, updated: ['broadbandAccount', 'address', 'accessPort', 'onuSn'], alreadyApplied: false });
    expect((await h.runtime.runner.verify('ticket.updateFields', input, output, { caller: systemCaller('tool test'), idempotencyKey: 'appr-upd-1' })).ok).toBe(true);
    expect((await h.run('ticket.updateFields', input, { idempotencyKey: 'appr-upd-1' })).output).toMatchObject({ alreadyApplied: true });
    expect(state.writes.filter((w) => w.idempotencyKey === 'appr-upd-1')).toHaveLength(1);
  });

  it('refuses a changed ticket, a closed ticket, no approval id, and values the portal rejects (abnormal)', async () => {
    const stale = { ticketId: demo.ticketComplete.id, fields: { onuSn: 'HWTC00000001' }, expected: { onuSn: null } };
    expect((await h.fail('ticket.updateFields', stale, { idempotencyKey: 'appr-upd-s' })).code).toBe('stale_state');
    const closed = state.tickets.find((t) => t.status === 'closed')!;
    expect((await h.fail('ticket.updateFields', { ticketId: closed.id, fields: { address: 'x 路 1 号' }, expected: {} }, { idempotencyKey: 'appr-upd-c' })).code).toBe('conflict');
    expect((await h.fail('ticket.updateFields', input)).code).toBe('invalid_input');
    // Passes the tool's schema (8-16 letters/digits), not the portal's vendor code + 8 hex digits.
    const bad = await h.fail('ticket.updateFields', { ticketId: demo.ticketComplete.id, fields: { onuSn: 'HWTCZZZZZZZZ' }, expected: { onuSn: 'HWTC5E6F7A8B' } }, { idempotencyKey: 'appr-upd-v' });
    expect(bad.code).toBe('invalid_input');
    expect(bad.message).toMatch(/Invalid ONU SN/);
    expect(state.writes.filter((w) => /^appr-upd-[scv]$/.test(w.idempotencyKey ?? ''))).toEqual([]);
  });
});
