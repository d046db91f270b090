/**
 * Story 5: stop the process while a card is pending, start it again, and the card still works.
 * Also the harder case: the process dies right after a decision is committed but before the
 * write ran; the next start finds the decision and executes it exactly once.
 */
import { LEGACY_SYSTEMS } from '../src/tools/systems.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../src/sandbox/server.js';
import { decideApproval } from '../src/store/approvals-repo.js';
import { openDb } from '../src/store/db.js';
import { cardOf, createTestDatabase, dbKinds, startTestApp, textOf, type TestDatabase } from './helpers/test-app.js';

const kinds = await dbKinds();

describe.each(kinds)('restart on %s', (kind) => {
  let sandbox: SandboxHandle;
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    // The portals outlive the bot here, as real legacy systems would.
    sandbox = await startSandbox({ port: 0 });
    db = await createTestDatabase(kind);
    env = {
      ...db.env,
      // Every system by its URL, as in a deployment against the real ones.
      ...Object.fromEntries(LEGACY_SYSTEMS.map((s) => [s.env, `${sandbox.url}${s.sandboxPath}`])),
    };
  });
  afterAll(async () => {
    await db?.drop();
    await sandbox?.close();
  });

  it('keeps a pending card working across a restart', async () => {
    const first = await startTestApp(env);
    const card = cardOf(await first.client.say('alice', '补全工单 T20261124-0012'))!;
    expect(card.approvalId).toBeTruthy();
    await first.close();

    const second = await startTestApp(env);
    try {
      const pending = (await second.client.get('/console/api/approvals?user=carol')).json.approvals as { approvalId: string }[];
      expect(pending.map((p) => p.approvalId)).toEqual([card.approvalId]);
      const res = await second.client.act('carol', card.approvalId!, 'approve');
      expect(res.status).toBe('approved');
      expect(sandbox.state.writes.filter((w) => w.ticketId === 'T20261124-0012')).toHaveLength(1);
      const transcript = await second.client.transcript('console-alice');
      expect(textOf(transcript)).toContain('已由 Carol 批准，已写入并核验');
      expect(JSON.stringify(transcript.find((m) => m.approvalId === card.approvalId)!.card)).toContain('已写入并核验');
    } finally {
      await second.close();
    }
  });

  it('executes a decision committed just before a crash exactly once on the next start', async () => {
    const ticket = sandbox.state.tickets.find(
      (t) => t.region === 'hangzhou' && t.status === 'open' && t.address === '' && t.id !== 'T20261124-0012',
    )!;
    const first = await startTestApp(env);
    const card = cardOf(await first.client.say('alice', `complete ticket ${ticket.id}`))!;
    await first.close();

    // The decision commits (with its outbox row), then the process dies before resuming the run.
    const raw = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR! });
    const decided = await decideApproval(raw, { id: card.approvalId!, status: 'approved', deciderId: 'carol', comment: null, auditDetails: { test: 'crash' } });
    expect(decided.won).toBe(true);
    await raw.close();
    expect(sandbox.state.writes.filter((w) => w.ticketId === ticket.id)).toHaveLength(0);

    const second = await startTestApp(env);
    try {
      await second.app.agent.idle();
      expect(sandbox.state.writes.filter((w) => w.ticketId === ticket.id)).toHaveLength(1);
      expect(textOf(await second.client.transcript('console-alice'))).toContain('was approved by Carol, written and verified');
      const outbox = await second.app.db.query('SELECT status FROM outbox WHERE approval_id = $1', [card.approvalId]);
      expect(outbox.rows).toEqual([{ status: 'done' }]);
    } finally {
      await second.close();
    }
    // A third start finds nothing left to do.
    const third = await startTestApp(env);
    await third.app.agent.idle();
    expect(sandbox.state.writes.filter((w) => w.ticketId === ticket.id)).toHaveLength(1);
    await third.close();
  });

  it('finishes a run from the outbox when its checkpoint cannot carry it to the end', async () => {
    // The measured failure: the checkpoint holds no next step (getState: next []), so resuming the
    // graph does nothing. Recovery goes by the outbox: the write runs once and the run is ended
    // from the approval and outbox records (reply, status, every card copy, audit).
    const ticket = sandbox.state.tickets.find(
      (t) =>
        t.region === 'hangzhou' && t.status === 'open' && t.customerId && (t.address === '' || t.broadbandAccount === '') && t.id !== 'T20261124-0012' &&
        sandbox.state.writes.every((w) => w.ticketId !== t.id),
    )!;
    const first = await startTestApp(env);
    const card = cardOf(await first.client.say('alice', `complete ticket ${ticket.id}`))!;
    await first.close();

    const raw = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR! });
    const decided = await decideApproval(raw, { id: card.approvalId!, status: 'approved', deciderId: 'carol', comment: null, auditDetails: { test: 'no checkpoint' } });
    expect(decided.won).toBe(true);
    const thread = decided.won ? decided.row.thread_id : '';
    for (const table of ['checkpoint_writes', 'checkpoint_blobs', 'checkpoints']) await raw.query(`DELETE FROM ${table} WHERE thread_id = $1`, [thread]);
    await raw.close();

    const second = await startTestApp(env);
    try {
      await second.app.agent.idle();
      expect(sandbox.state.writes.filter((w) => w.ticketId === ticket.id)).toHaveLength(1);
      const transcript = await second.client.transcript('console-alice');
      expect(textOf(transcript)).toContain(`"Complete ticket ${ticket.id}" was approved by Carol, written and verified`);
      // Alice asked in English; Carol reads her copy in her own language (Chinese).
      for (const [conversation, done] of [['console-alice', 'Written and verified'], ['console-carol', '已写入并核验']] as const) {
        const copies = (await second.client.transcript(conversation)).filter((m) => m.approvalId === card.approvalId);
        expect(copies.length).toBeGreaterThan(0);
        for (const copy of copies) expect(JSON.stringify(copy.card)).toContain(done);
      }
      const run = await second.app.db.query('SELECT r.status FROM runs r JOIN approvals a ON a.run_id = r.id WHERE a.id = $1', [card.approvalId]);
      expect(run.rows).toEqual([{ status: 'succeeded' }]);
      const finished = await second.app.db.query<{ details: { finishedFrom?: string } }>(`SELECT details FROM audit_log WHERE action = 'run.finished' AND subject = $1`, [thread]);
      expect(finished.rows.map((r) => r.details.finishedFrom)).toEqual(['outbox']);
      // A click now is refused with the current state; nothing runs again.
      expect(await second.client.act('carol', card.approvalId!, 'approve')).toMatchObject({ status: 'refused', reason: 'already_decided' });
    } finally {
      await second.close();
    }
    expect(sandbox.state.writes.filter((w) => w.ticketId === ticket.id)).toHaveLength(1);
  });
});
