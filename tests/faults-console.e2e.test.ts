/**
 * Faults through the console API (issue 3): a write whose answer comes late (after the portal
 * saved) is recognised by read-back and not written twice; an open circuit breaker refuses the
 * approval click without spending the approval, shows on /healthz, and lets it through once closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '../src/sandbox/seed.js';
import type { SandboxState, Ticket } from '../src/sandbox/state.js';
import { cardOf, createTestDatabase, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

const postFaults = async (baseUrl: string, body: Record<string, unknown>) => {
  const res = await fetch(`${baseUrl}/admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`faults: ${res.status} ${await res.text()}`);
};
const resetFaults = (baseUrl: string) => fetch(`${baseUrl}/admin/faults`, { method: 'DELETE' });

describe('faults through the console API', () => {
  let db: TestDatabase;
  let t: TestApp;
  let url: string;
  const writesOf = (id: string) => (t.app.sandbox!.state as SandboxState).writes.filter((w) => w.ticketId === id);

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    t = await startTestApp({
      ...db.env,
      // Short enough that the 8 s slow save below times out; long enough for a loaded CI machine's page loads.
      RPA_TASK_TIMEOUT_MS: '4000',
      RPA_BREAKER_THRESHOLD: '3',
      RPA_BREAKER_COOLDOWN_MS: '1500',
    });
    url = t.app.sandbox!.url;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('a write whose answer times out after the portal saved it is verified by read-back and not written twice', async () => {
    const id = demo.ticketMissing.id;
    const card = cardOf(await t.client.say('alice', `补全工单 ${id}`))!;
    expect(card.approvalId).toBeDefined();
    await postFaults(url, { system: 'ticket', slowAfterSaveMs: 8_000 });
    const approved = await t.client.act('carol', card.approvalId!, 'approve');
    expect(approved.status).toBe('approved');
    await resetFaults(url);

    const writes = writesOf(id);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.idempotencyKey).toBe(card.approvalId);
    expect(textOf(await t.client.transcript('console-alice'))).toContain('已由 Carol 批准，已写入并核验');
    // The write call itself failed (its answer never came in time); the read-back decided.
    const calls = await t.app.db.query<{ tool: string; status: string; error: { code: string } | null }>(
      `SELECT tool, status, error FROM tool_calls WHERE tool = 'ticket.updateFields' ORDER BY started_at`,
    );
    expect(calls.rows[0]).toMatchObject({ status: 'system_error', error: { code: 'timeout' } });
    expect(calls.rows.at(-1)).toMatchObject({ status: 'ok' });
    const audit = await t.app.db.query<{ details: { output: unknown } }>(`SELECT details FROM audit_log WHERE action = 'write.verified' AND subject = $1`, [card.approvalId]);
    expect(audit.rows[0]!.details.output).toEqual({ recovered: true });
  });

  it('an open circuit breaker refuses the approval without spending it, shows on /healthz, and lets it through once closed', async () => {
    const state = t.app.sandbox!.state as SandboxState;
    const ticket = state.tickets.find(
      (tk: Ticket) => tk.region === 'hangzhou' && tk.status === 'open' && tk.customerId && tk.broadbandAccount === '' && tk.id !== demo.ticketMissing.id,
    )!;
    expect(ticket).toBeDefined();
    const card = cardOf(await t.client.say('alice', `complete ticket ${ticket.id}`))!;
    const approvalId = card.approvalId!;

    // The ticket system starts answering 500 to everything: three reads failed after their retries open its breaker.
    await postFaults(url, { system: 'ticket', errorRate: 1 });
    expect(textOf(await t.client.say('alice', `查工单 ${ticket.id}`))).toContain('工单系统暂时无法访问');
    for (let i = 0; i < 2; i++) expect(textOf(await t.client.say('alice', `查工单 ${ticket.id}`))).toContain('工单系统暂时无法访问');
    const health = await t.client.get('/healthz');
    expect(health.json.breakers).toEqual(expect.arrayContaining([expect.objectContaining({ system: 'ticket', state: 'open' })]));

    const refused = await t.client.act('carol', approvalId, 'approve');
    expect(refused).toMatchObject({ status: 'refused', reason: 'circuit_open' });
    expect(refused.message).toMatch(/ticket system is unavailable.*still pending/);
    const row = await t.app.db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [approvalId]);
    expect(row.rows[0]!.status).toBe('pending');
    expect(writesOf(ticket.id)).toHaveLength(0);

    // The system recovers; after the cool-down the same approval goes through, once.
    await resetFaults(url);
    await new Promise((r) => setTimeout(r, 1_600));
    const approved = await t.client.act('carol', approvalId, 'approve');
    expect(approved.status).toBe('approved');
    // Whichever path runs it (the resumed thread, or the outbox recovery sweep on a loaded machine), it runs once.
    await t.app.agent.idle();
    expect(writesOf(ticket.id), textOf(await t.client.transcript('console-alice'))).toHaveLength(1);
    expect(textOf(await t.client.transcript('console-alice'))).toContain('was approved by Carol, written and verified');
    const after = await t.client.get('/healthz');
    expect((after.json.breakers as { system: string; state: string }[]).find((b) => b.system === 'ticket')?.state).toBe('closed');
  });
});
