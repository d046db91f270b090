/**
 * The executor's claim against the real databases, with more concurrent executions than pool
 * connections: each approved write runs once however many callers (and, on PostgreSQL, however
 * many executors, as two replicas would have) try at once; a lapsed claim is verified before
 * anything is written again; a live one is not taken; a used approval is refused by hand.
 * The tool side is a counting stand-in at the tool boundary: the subject here is the claim.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dbKinds, type TestDatabase } from '../../../tests/helpers/test-app.js';
import { actionHash } from '../../policies/action-hash.js';
import { seedDepartments, seedIdentities, seedPrincipals } from '../../policies/principals.js';
import { createApproval, decideApproval } from '../../store/approvals-repo.js';
import { openDb, type Db } from '../../store/db.js';
import { Directory, seedDirectory } from '../../store/directory.js';
import { migrate } from '../../store/migrate.js';
import { createRun } from '../../store/runs-repo.js';
import { ApprovedWriteExecutor, type WriteTools } from './executor.js';

const kinds = await dbKinds();

function countingTools() {
  const runs = new Map<string, number>();
  const verifies: string[] = [];
  const tools: WriteTools = {
    async run(_name, _input, opts) {
      const key = opts?.idempotencyKey ?? '';
      runs.set(key, (runs.get(key) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 30));
      return { output: { ok: true }, record: undefined as never };
    },
    async verify(_name, _input, output, opts) {
      if (output === null) verifies.push(opts?.idempotencyKey ?? '');
      return { ok: true, lines: [{ label: 'check', value: 'ok' }] };
    },
  };
  return { tools, runs, verifies };
}

describe.each(kinds)('approved-write executor on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;
  let directory: Directory;

  async function approved(): Promise<string> {
    const runId = randomUUID();
    const input = { ticketId: 'T20261124-0012', fields: { broadbandAccount: `hz8${Math.floor(Math.random() * 1e7)}` } };
    await createRun(db, { id: runId, inboxId: null, channel: 'console', conversationId: 'c', requesterId: 'alice', department: 'cs-hangzhou', lang: 'en' });
    const { row } = await createApproval(db, {
      id: randomUUID(),
      runId,
      threadId: runId,
      tool: 'ticket.updateFields',
      input,
      actionHash: actionHash({ tool: 'ticket.updateFields', input, requesterId: 'alice', threadId: runId }),
      requesterId: 'alice',
      department: 'cs-hangzhou',
      approverIds: ['carol'],
      targetScope: [{ kind: 'region', id: 'hangzhou' }],
      title: 't',
      lines: [],
      lang: 'en',
      ttlSeconds: 600,
    });
    expect((await decideApproval(db, { id: row.id, status: 'approved', deciderId: 'carol', comment: null, auditDetails: {} })).won).toBe(true);
    return row.id;
  }

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 2 });
    await migrate(db);
    await seedDirectory(db, { departments: seedDepartments, principals: seedPrincipals, identities: seedIdentities });
    directory = await new Directory(db).reload();
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('runs each approved write once under 24 concurrent executions on a pool of 2', async () => {
    const { tools, runs } = countingTools();
    // Two executors = two replicas on PostgreSQL; PGlite is one process by construction.
    const executors = [new ApprovedWriteExecutor({ db, tools, directory, leaseMs: 5_000, pollMs: 20 })];
    if (kind === 'postgres') executors.push(new ApprovedWriteExecutor({ db, tools, directory, leaseMs: 5_000, pollMs: 20 }));
    const ids = await Promise.all(Array.from({ length: 6 }, () => approved()));
    const outcomes = await Promise.all(
      ids.flatMap((id) => Array.from({ length: 4 }, (_, i) => executors[i % executors.length]!.execute({ approvalId: id, source: i % 2 ? 'recovery' : 'graph', actor: 'switchboard' }))),
    );
    for (const id of ids) expect(runs.get(id), id).toBe(1);
    // Recovery callers that met another executor's live claim step aside ('busy'); everyone else sees the result.
    expect(outcomes.every((o) => o.state === 'verified' || o.state === 'busy')).toBe(true);
    const rows = await db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM outbox WHERE approval_id = ANY($1)', [ids]);
    expect(rows.rows).toEqual(ids.map(() => ({ status: 'done', attempts: 1 })));
    const audits = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'write.verified' AND subject = ANY($1)`, [ids]);
    expect(audits.rows[0]!.n).toBe(ids.length);

    // By hand, a used approval is refused.
    const again = await executors[0]!.execute({ approvalId: ids[0]!, source: 'cli', actor: 'cli:test' });
    expect(again).toMatchObject({ state: 'refused', reason: 'used' });
    expect(runs.get(ids[0]!)).toBe(1);
  });

  it('verifies a lapsed claim before writing again, and leaves a live one alone', async () => {
    const { tools, runs, verifies } = countingTools();
    const executor = new ApprovedWriteExecutor({ db, tools, directory, leaseMs: 5_000 });
    const [lapsed, live] = [await approved(), await approved()];
    // A crashed executor's claim: running, one attempt, lease over.
    await db.query(`UPDATE outbox SET status = 'running', attempts = 1, claimed_by = 'dead', claim_expires_at = now() - interval '1 second' WHERE approval_id = $1`, [lapsed]);
    const recovered = await executor.execute({ approvalId: lapsed, source: 'recovery', actor: 'switchboard' });
    expect(recovered).toMatchObject({ state: 'verified', recovered: true });
    expect(verifies).toEqual([lapsed]);
    expect(runs.get(lapsed)).toBeUndefined();

    // A live claim of another process (PostgreSQL replicas): not taken.
    await db.query(`UPDATE outbox SET status = 'running', attempts = 1, claimed_by = 'other', claim_expires_at = now() + interval '1 minute' WHERE approval_id = $1`, [live]);
    const outcome = await executor.execute({ approvalId: live, source: kind === 'postgres' ? 'recovery' : 'cli', actor: 'switchboard' });
    if (kind === 'postgres') expect(outcome.state).toBe('busy');
    // PGlite: one process per data dir, so a claim not this process's is a dead one's: verified first.
    else expect(outcome).toMatchObject({ state: 'verified', recovered: true });
    expect(runs.get(live)).toBeUndefined();
  });
});
