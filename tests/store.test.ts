/**
 * Store invariants on both databases: the audit chain names the first tampered row, the trigger
 * refuses edits, and one conditional UPDATE lets exactly one of many concurrent decisions win.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { appendAudit, verifyAuditChain } from '../src/store/audit.js';
import { createApproval, decideApproval } from '../src/store/approvals-repo.js';
import { createRun } from '../src/store/runs-repo.js';
import { seedDirectory } from '../src/store/directory.js';
import { seedDepartments, seedIdentities, seedPrincipals } from '../src/policies/principals.js';
import { randomUUID } from '../src/lib/ids.js';
import { createTestDatabase, dbKinds, type TestDatabase } from './helpers/test-app.js';
import { DataKeyring, installDataKeys, parseDataKeys } from '../src/store/data-keys.js';
import { TEST_DATA_KEYS } from './helpers/test-app.js';

// Repositories seal personal data at rest: the test key (startApp installs it in the app tests).
installDataKeys(new DataKeyring(parseDataKeys(TEST_DATA_KEYS)));


const kinds = await dbKinds();

describe.each(kinds)('store on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 10 });
    await migrate(db);
    await seedDirectory(db, { departments: seedDepartments, principals: seedPrincipals, identities: seedIdentities });
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('keeps serving after a failed query', async () => {
    await expect(db.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
    await expect(db.tx(async (c) => c.query('SELECT 1/0'))).rejects.toThrow(/division by zero/);
    expect((await db.query<{ n: number }>('SELECT 41 + 1 AS n')).rows[0]!.n).toBe(42);
  });

  it('refuses UPDATE and DELETE on the audit log', async () => {
    const row = await appendAudit(db, { actor: 'alice', action: 'test.append', details: { n: 1 } });
    await expect(db.query('UPDATE audit_log SET actor = $1 WHERE id = $2', ['mallory', row.id])).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_log WHERE id = $1', [row.id])).rejects.toThrow(/append-only/);
  });

  it('names the first edited or deleted row', async () => {
    // Concurrent appends still form one chain.
    await Promise.all(Array.from({ length: 12 }, (_, i) => appendAudit(db, { actor: 'bob', action: 'test.append', details: { i } })));
    const ok = await verifyAuditChain(db);
    expect(ok.ok).toBe(true);

    const ids = (await db.query<{ id: string }>('SELECT id FROM audit_log ORDER BY id')).rows.map((r) => r.id);
    const victim = ids[4]!;
    // Tampering needs the trigger out of the way, as a superuser could do: the chain still tells.
    const original = (await db.query<{ details: unknown }>('SELECT details FROM audit_log WHERE id = $1', [victim])).rows[0]!.details;
    await db.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await db.query(`UPDATE audit_log SET details = '{"i": 999}' WHERE id = $1`, [victim]);
    const edited = await verifyAuditChain(db);
    expect(edited).toMatchObject({ ok: false, brokenAt: victim });
    if (!edited.ok) expect(edited.reason).toMatch(/altered/);

    await db.query('DELETE FROM audit_log WHERE id = $1', [ids[7]]);
    await db.query(`UPDATE audit_log SET details = $2 WHERE id = $1`, [victim, JSON.stringify(original)]);
    await db.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    const deleted = await verifyAuditChain(db);
    expect(deleted).toMatchObject({ ok: false, brokenAt: ids[8] });
    if (!deleted.ok) expect(deleted.reason).toContain(`rows ${ids[7]}..${ids[7]} are missing`);
  });

  it('lets exactly one of 20 concurrent decisions win, with one outbox row', async () => {
    const runId = randomUUID();
    await createRun(db, { id: runId, inboxId: null, channel: 'console', conversationId: 'c', requesterId: 'alice', department: 'cs-hangzhou', lang: 'en' });
    const { row } = await createApproval(db, {
      id: randomUUID(),
      runId,
      threadId: runId,
      tool: 'ticket.updateFields',
      input: { ticketId: 'T20261124-0001' },
      actionHash: 'x',
      requesterId: 'alice',
      department: 'cs-hangzhou',
      approverIds: ['carol'],
      title: 't',
      lines: [],
      lang: 'en',
      ttlSeconds: 60,
      targetScope: [{ kind: 'region', id: 'hangzhou' }],
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        decideApproval(db, { id: row.id, status: i % 2 ? 'approved' : 'rejected', deciderId: 'carol', comment: 'r', auditDetails: {} }),
      ),
    );
    expect(results.filter((r) => r.won)).toHaveLength(1);
    const outbox = await db.query('SELECT count(*)::int AS n FROM outbox WHERE approval_id = $1', [row.id]);
    const winner = results.find((r) => r.won)!;
    expect(outbox.rows[0]!.n).toBe(winner.won && winner.row.status === 'approved' ? 1 : 0);
    const audits = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE subject = $1`, [row.id]);
    expect(audits.rows[0]!.n).toBe(1);
    expect((await verifyAuditChain(db)).ok).toBe(false); // still broken from the tamper test above
  });
});
