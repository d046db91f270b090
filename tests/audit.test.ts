/**
 * Invariants 7 and 12 on both databases: the keyed audit chain names the first edited, deleted,
 * re-ordered or inserted row, a cut-off tail and an emptied table (against the signed heads
 * anchored outside the database); concurrent appends (more than pool connections) keep one chain;
 * anchors reach the file, the log and a webhook; on PostgreSQL the runtime role cannot alter the
 * audit table; `npm run audit -- verify` exits 0 / 1 / 2.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { appendAudit, appendAuditInTx, auditHash, auditHead, sealAuditChain, verifyAuditChain, type AuditRow } from '../src/store/audit.js';
import { keyring } from '../src/store/audit-keys.js';
import { readAnchors, startAuditAnchoring, verifyAnchor, type AuditAnchor } from '../src/store/audit-anchor.js';
import { prepareDatabase } from '../src/store/db-roles.js';
import { runAuditCli } from '../src/cli/audit.js';
import { TEST_AUDIT_KEY, testAuditKeys } from './helpers/audit-key.js';
import { createTestDatabase, dbKinds, postgresAvailable, type TestDatabase } from './helpers/test-app.js';

const kinds = await dbKinds();
const POOL = 3;

/** Tampering as whoever owns the table could: triggers off, change, triggers back on. */
async function tamper(db: Db, fn: () => Promise<unknown>): Promise<void> {
  await db.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
  try {
    await fn();
  } finally {
    await db.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
  }
}

async function allRows(db: Db): Promise<AuditRow[]> {
  return (await db.query<AuditRow>('SELECT * FROM audit_log ORDER BY id')).rows;
}

function contentOf(r: AuditRow) {
  return { at: new Date(r.at), actor: r.actor, action: r.action, subject: r.subject, runId: r.run_id, details: r.details };
}

describe.each(kinds)('audit chain on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;
  let tmp: string;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: POOL });
    await migrate(db);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-audit-'));
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** A fresh chain of n rows (the table emptied first, as its owner could). */
  async function freshChain(n: number): Promise<AuditRow[]> {
    await tamper(db, () => db.query('DELETE FROM audit_log'));
    await db.query('CREATE UNIQUE INDEX IF NOT EXISTS audit_log_seq ON audit_log (seq) WHERE seq IS NOT NULL');
    for (let i = 0; i < n; i++) await appendAudit(db, { actor: 'alice', action: 'test.append', subject: `s${i}`, details: { i } });
    const rows = await allRows(db);
    expect((await verifyAuditChain(db, { anchors: [] })).ok).toBe(true);
    return rows;
  }

  /** Anchor the current head into a file of its own; returns the file. */
  async function anchorHead(name: string): Promise<string> {
    const file = path.join(tmp, `${name}.jsonl`);
    const anchorer = startAuditAnchoring({ db, key: testAuditKeys.current, file, intervalMs: 3_600_000, head: () => auditHead(db), log: () => undefined });
    await anchorer.close();
    return file;
  }

  it('names a row whose details were edited and the chain re-hashed with plain SHA-256', async () => {
    const rows = await freshChain(8);
    const victim = rows[3]!;
    // Edit row 4, then re-hash it and every later row with the project's own SHA-256 function,
    // linking each to the new hash: what fooled the unkeyed chain.
    await tamper(db, async () => {
      let prev = rows[2]!.hash;
      for (const r of rows.slice(3)) {
        const content = { ...contentOf(r), details: r.id === victim.id ? { i: 999 } : r.details };
        const hash = auditHash(prev, content);
        await db.query('UPDATE audit_log SET details = $2, prev_hash = $3, hash = $4 WHERE id = $1', [r.id, JSON.stringify(content.details), prev, hash]);
        prev = hash;
      }
    });
    const verdict = await verifyAuditChain(db, { anchors: [] });
    expect(verdict).toMatchObject({ ok: false, brokenAt: victim.id, kind: 'edited' });
  });

  it('names the row after a deleted middle row', async () => {
    const rows = await freshChain(8);
    await tamper(db, () => db.query('DELETE FROM audit_log WHERE id = $1', [rows[4]!.id]));
    const verdict = await verifyAuditChain(db, { anchors: [] });
    expect(verdict).toMatchObject({ ok: false, brokenAt: rows[5]!.id, kind: 'deleted' });
    // A verifier without the signing key cannot vouch for anything.
    const stranger = keyring(Buffer.alloc(32, 1));
    expect(await verifyAuditChain(db, { keys: stranger, anchors: [] })).toMatchObject({ ok: false, brokenAt: rows[0]!.id, kind: 'unknown_key' });
    if (!verdict.ok) expect(verdict.reason).toContain('#5..#5');
  });

  it('names a cut-off tail of five rows against the anchored head', async () => {
    const rows = await freshChain(10);
    const file = await anchorHead('tail');
    expect((await verifyAuditChain(db, { anchors: file })).ok).toBe(true);
    await tamper(db, () => db.query('DELETE FROM audit_log WHERE id >= $1', [rows[5]!.id]));
    // The rows that are left form a valid chain: only the anchor outside the database can tell.
    expect((await verifyAuditChain(db, { anchors: [] })).ok).toBe(true);
    const verdict = await verifyAuditChain(db, { anchors: file });
    expect(verdict).toMatchObject({ ok: false, kind: 'truncated' });
    if (!verdict.ok) expect(verdict.reason).toContain(`ends at entry #5 (row ${rows[4]!.id})`);
    if (!verdict.ok) expect(verdict.reason).toContain('#6..#10 were cut off');
  });

  it('names a table emptied of every row against the anchored head', async () => {
    await freshChain(4);
    const file = await anchorHead('empty');
    await tamper(db, () => db.query('DELETE FROM audit_log'));
    const verdict = await verifyAuditChain(db, { anchors: file });
    expect(verdict).toMatchObject({ ok: false, kind: 'truncated', brokenAt: null });
    if (!verdict.ok) expect(verdict.reason).toMatch(/every row was deleted/);
  });

  it('names a reordered row when two rows swap places', async () => {
    const rows = await freshChain(8);
    const [a, b] = [rows[2]!, rows[3]!];
    const cols = 'at = $2, actor = $3, action = $4, subject = $5, run_id = $6, details = $7, prev_hash = $8, hash = $9, seq = $10, key_id = $11';
    const vals = (r: AuditRow) => [r.at, r.actor, r.action, r.subject, r.run_id, JSON.stringify(r.details), r.prev_hash, r.hash, r.seq, r.key_id];
    await tamper(db, async () => {
      // Free a's unique hash and seq first, then give each row the other's content.
      await db.query(`UPDATE audit_log SET hash = 'moving', seq = NULL, key_id = NULL WHERE id = $1`, [a.id]);
      await db.query(`UPDATE audit_log SET ${cols} WHERE id = $1`, [b.id, ...vals(a)]);
      await db.query(`UPDATE audit_log SET ${cols} WHERE id = $1`, [a.id, ...vals(b)]);
    });
    const after = await allRows(db);
    expect(after[2]!.hash).toBe(b.hash);
    expect(after[3]!.hash).toBe(a.hash);
    const verdict = await verifyAuditChain(db, { anchors: [] });
    expect(verdict).toMatchObject({ ok: false, brokenAt: a.id, kind: 'reordered' });
  });

  it('names a forged row inserted into the middle and one appended at the end', async () => {
    const rows = await freshChain(8);
    const at = rows[4]!;
    // Make room after row 5 and forge a row linking to it, hashed the only way a forger can.
    const forgedId = String(BigInt(at.id) + 1n);
    const forge = (prev: AuditRow, id: string) => {
      const content = { at: new Date(), actor: 'carol', action: 'approval.approved', subject: 'forged', runId: null, details: {} };
      return db.query(
        `INSERT INTO audit_log (id, at, actor, action, subject, run_id, details, prev_hash, hash, seq, key_id)
         VALUES ($1, $2, $3, $4, $5, NULL, '{}', $6, $7, $8, $9)`,
        [id, content.at, content.actor, content.action, content.subject, prev.hash, auditHash(prev.hash, content), String(BigInt(prev.seq!) + 1n), prev.key_id],
      );
    };
    await tamper(db, async () => {
      await db.query('UPDATE audit_log SET id = id + 1000 WHERE id > $1', [at.id]);
      // The forged row claims the real row 6's place in the chain; a forger drops what refuses it.
      await db.query('DROP INDEX audit_log_seq');
      await forge(at, forgedId);
    });
    const verdict = await verifyAuditChain(db, { anchors: [] });
    expect(verdict).toMatchObject({ ok: false, brokenAt: forgedId, kind: 'inserted' });

    const clean = await freshChain(5);
    const last = clean[4]!;
    const endId = String(BigInt(last.id) + 1n);
    await tamper(db, async () => {
      await forge(last, endId);
      await db.query(`SELECT setval(pg_get_serial_sequence('audit_log', 'id'), (SELECT max(id) FROM audit_log))`);
    });
    expect(await verifyAuditChain(db, { anchors: [] })).toMatchObject({ ok: false, brokenAt: endId, kind: 'inserted' });
    // The app, chaining its next row onto the forged head, raises an alert at once.
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await appendAudit(db, { actor: 'bob', action: 'test.after_forgery' });
      expect(errors.mock.calls.flat().join('\n')).toMatch(new RegExp(`ALERT: audit row ${endId} .*does not verify`));
    } finally {
      errors.mockRestore();
    }
    expect(await verifyAuditChain(db, { anchors: [] })).toMatchObject({ ok: false, brokenAt: endId });
  });

  it(`keeps one valid chain under 80 concurrent appends on a pool of ${kind === 'pglite' ? 1 : POOL}`, async () => {
    await freshChain(0);
    const standalone = Array.from({ length: 60 }, (_, i) => appendAudit(db, { actor: 'bob', action: 'test.concurrent', details: { i } }));
    // Appends inside a caller's transaction (as a decision is audited) race the queued ones.
    const inTx = Array.from({ length: 20 }, (_, i) =>
      db.tx(async (c) => {
        await c.query('SELECT 1');
        return appendAuditInTx(c, { actor: 'carol', action: 'test.concurrent.tx', details: { i } });
      }),
    );
    const written = await Promise.all([...standalone, ...inTx]);
    expect(new Set(written.map((r) => r.seq)).size).toBe(80);
    const verdict = await verifyAuditChain(db, { anchors: [] });
    expect(verdict).toMatchObject({ ok: true, rows: 80, lastSeq: 80 });
  });

  it('seals rows written before the chain was keyed, and names a rewrite of them', async () => {
    await freshChain(0);
    // Three rows as the unkeyed code wrote them (plain SHA-256, no seq, no key id).
    await tamper(db, async () => {
      let prev = '0'.repeat(64);
      for (let i = 0; i < 3; i++) {
        const content = { at: new Date(Date.now() - 60_000 + i), actor: 'legacy', action: 'old.row', subject: null, runId: null, details: { i } };
        const hash = auditHash(prev, content);
        await db.query('INSERT INTO audit_log (at, actor, action, subject, run_id, details, prev_hash, hash) VALUES ($1, $2, $3, NULL, NULL, $4, $5, $6)', [
          content.at, content.actor, content.action, JSON.stringify(content.details), prev, hash,
        ]);
        prev = hash;
      }
    });
    expect((await verifyAuditChain(db, { anchors: [] })).ok).toBe(true);
    // What startApp does on an existing data dir, then the first new row.
    await sealAuditChain(db);
    await sealAuditChain(db); // once only
    await appendAudit(db, { actor: 'alice', action: 'test.after_upgrade' });
    const rows = await allRows(db);
    expect(rows.map((r) => r.action)).toEqual(['old.row', 'old.row', 'old.row', 'audit.chain_keyed', 'test.after_upgrade']);
    expect(rows[3]!.details).toMatchObject({ unkeyedRows: 3, lastUnkeyedHash: rows[2]!.hash });
    expect(await verifyAuditChain(db, { anchors: [] })).toMatchObject({ ok: true, rows: 5, unkeyedRows: 3, lastSeq: 5 });

    // Rewriting an old row and re-hashing the old part no longer passes: the epoch row sealed it.
    await tamper(db, async () => {
      let prev = '0'.repeat(64);
      for (const r of rows.slice(0, 3)) {
        const content = { ...contentOf(r), details: r.id === rows[1]!.id ? { i: 42 } : r.details };
        const hash = auditHash(prev, content);
        await db.query('UPDATE audit_log SET details = $2, prev_hash = $3, hash = $4 WHERE id = $1', [r.id, JSON.stringify(content.details), prev, hash]);
        prev = hash;
      }
    });
    const verdict = await verifyAuditChain(db, { anchors: [] });
    expect(verdict).toMatchObject({ ok: false, brokenAt: rows[3]!.id, kind: 'edited' });
    if (!verdict.ok) expect(verdict.reason).toMatch(/unkeyed rows before it were rewritten/);
    // An unkeyed row slipped in after the keyed ones is named as inserted.
    await freshChain(3);
    await tamper(db, () =>
      db.query(`INSERT INTO audit_log (at, actor, action, details, prev_hash, hash) VALUES (now(), 'x', 'y', '{}', 'p', 'h')`),
    );
    expect(await verifyAuditChain(db, { anchors: [] })).toMatchObject({ ok: false, kind: 'inserted' });
  });

  it('appends signed heads to the anchor file, the log and a webhook', async () => {
    await freshChain(3);
    const received: unknown[] = [];
    let failNext = true;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        // The first delivery fails: the head is sent again at the next interval.
        if (failNext) {
          failNext = false;
          res.writeHead(503).end();
          return;
        }
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/anchors`;
    const file = path.join(tmp, 'hook.jsonl');
    const logs: string[] = [];
    const anchorer = startAuditAnchoring({ db, key: testAuditKeys.current, file, intervalMs: 3_600_000, url, head: () => auditHead(db), log: (l) => logs.push(l) });
    try {
      const first = await anchorer.anchorNow();
      expect(first).toMatchObject({ lastSeq: 3, count: 3 });
      expect(logs.some((l) => l.includes('anchor webhook failed'))).toBe(true);
      expect(await anchorer.anchorNow()).toBeUndefined(); // head unchanged: no new line, the retry is sent
      await appendAudit(db, { actor: 'bob', action: 'test.more' });
      const second = await anchorer.anchorNow();
      expect(second).toMatchObject({ lastSeq: 4 });
      await anchorer.close();

      const { anchors } = readAnchors(file);
      expect(anchors).toEqual([first, second]);
      for (const a of anchors) expect(verifyAnchor(a, testAuditKeys)).toBe(true);
      expect(received).toEqual([first, second]);
      expect(logs.filter((l) => l.startsWith('[audit] anchor {'))).toHaveLength(2);
      expect(logs.find((l) => l.startsWith('[audit] anchor {'))).toContain(`"lastHash":"${first!.lastHash}"`);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect((await verifyAuditChain(db, { anchors: file })).ok).toBe(true);

      // An anchor someone edited (a higher count to frame the app, or a lower one to hide a cut)
      // does not verify.
      const forged: AuditAnchor = { ...second!, lastSeq: 2, count: 2 };
      expect(verifyAnchor(forged, testAuditKeys)).toBe(false);
      fs.appendFileSync(file, JSON.stringify(forged) + '\n');
      expect(await verifyAuditChain(db, { anchors: file })).toMatchObject({ ok: false, kind: 'anchor_invalid' });
    } finally {
      await anchorer.close();
      await new Promise((r) => server.close(r));
    }
  });
});

// In CI PostgreSQL must answer: these run and fail there rather than shrink.
describe.skipIf(!(await postgresAvailable()) && !process.env.CI)(
  'runtime role (PostgreSQL only: PGlite is one embedded process with one superuser, the data dir file permissions are the boundary)',
  () => {
    let tdb: TestDatabase;
    let db: Db;
    const warnings: string[] = [];

    beforeAll(async () => {
      tdb = await createTestDatabase('postgres', { runtimeRole: true });
      db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 2 });
      const { protection } = await prepareDatabase(db, { ownerUrl: tdb.env.DATABASE_OWNER_URL, log: (l) => warnings.push(l) }, (owner) =>
        new PostgresSaver(owner.pool).setup(),
      );
      expect(protection).toMatchObject({ protected: true, role: tdb.runtimeRole });
    });
    afterAll(async () => {
      await db?.close();
      await tdb?.drop();
    });

    it('cannot update, delete, truncate, disable or drop the audit triggers, or drop the table', async () => {
      expect(warnings).toEqual([]);
      const row = await appendAudit(db, { actor: 'alice', action: 'test.runtime' });
      const refused = [
        [`UPDATE audit_log SET actor = 'mallory' WHERE id = ${row.id}`, /permission denied/],
        [`DELETE FROM audit_log WHERE id = ${row.id}`, /permission denied/],
        ['TRUNCATE audit_log', /permission denied/],
        ['ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update', /must be owner/],
        ['ALTER TABLE audit_log DISABLE TRIGGER USER', /must be owner/],
        ['DROP TRIGGER audit_log_no_update ON audit_log', /must be owner/],
        ['DROP TABLE audit_log', /must be owner/],
        ['ALTER TABLE audit_log ADD COLUMN x int', /must be owner/],
        [`CREATE TRIGGER t BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`, /permission denied|must be owner/],
        [`ALTER TABLE audit_log OWNER TO ${tdb.runtimeRole}`, /must be owner/],
        [`DELETE FROM schema_migrations`, /permission denied/],
      ] as const;
      for (const [sql, error] of refused) await expect(db.query(sql), sql).rejects.toThrow(error);
      // What the app does need still works as this role.
      await db.query(`INSERT INTO departments (id, name_zh, name_en) VALUES ('d1', '部门', 'Dept')`);
      await db.query(`UPDATE departments SET name_en = 'Dept 1' WHERE id = 'd1'`);
      await db.query('SELECT count(*) FROM checkpoints');
      expect(await verifyAuditChain(db, { anchors: [] })).toMatchObject({ ok: true, rows: 1 });
    });

    it('warns loudly when the runtime role is the owner (no DATABASE_OWNER_URL)', async () => {
      const owned = await openDb({ databaseUrl: tdb.env.DATABASE_OWNER_URL, dataDir: '', poolSize: 2 });
      try {
        const logs: string[] = [];
        const { protection } = await prepareDatabase(owned, { log: (l) => logs.push(l) }, async () => undefined);
        expect(protection?.protected).toBe(false);
        expect(logs.join('\n')).toMatch(/NOT protected from the app's own database role/);
        expect(logs.join('\n')).toMatch(/DATABASE_OWNER_URL/);
      } finally {
        await owned.close();
      }
    });
  },
);

describe('npm run audit -- verify', () => {
  // PostgreSQL when it answers: a child process opening PGlite takes long on a busy machine.
  let tdb: TestDatabase;
  let env: Record<string, string | undefined>;
  const run = (...args: string[]) =>
    promisify(execFile)('npm', ['run', '-s', 'audit', '--', ...args], { env, cwd: path.resolve(import.meta.dirname, '..') }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  const open = () => openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR! });
  beforeAll(async () => {
    tdb = await createTestDatabase((await postgresAvailable()) ? 'postgres' : 'pglite');
    env = { ...process.env, DATABASE_URL: '', ...tdb.env, AUDIT_KEY: TEST_AUDIT_KEY };
  });
  afterAll(async () => tdb?.drop());

  it('exits 0 on an intact chain, 1 naming the first bad row, 2 on usage or configuration errors', async () => {
    let ids: string[];
    {
      const db = await open();
      await migrate(db);
      for (let i = 0; i < 5; i++) await appendAudit(db, { actor: 'alice', action: 'test.cli', details: { i } });
      ids = (await allRows(db)).map((r) => r.id);
      await db.close();
    }
    const ok = await run('verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit chain OK: 5 rows/);

    {
      const db = await open();
      await tamper(db, () => db.query('DELETE FROM audit_log WHERE id = $1', [ids[2]]));
      await db.close();
    }
    const bad = await run('verify');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`BROKEN at row ${ids[3]} (deleted)`);

    const io = { out: [] as string[], err: [] as string[] };
    const sink = { out: (l: string) => io.out.push(l), err: (l: string) => io.err.push(l) };
    const demo = { DATA_DIR: path.join(tdb.env.DATA_DIR!, 'none') };
    expect(await runAuditCli(['verfy'], env, sink)).toBe(2);
    expect(await runAuditCli(['verify', '--bogus'], env, sink)).toBe(2);
    expect(await runAuditCli(['verify'], { ...demo, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' }, sink)).toBe(2);
    expect(io.err.join('\n')).toMatch(/AUDIT_KEY: required with DATABASE_URL/);
    expect(await runAuditCli(['verify'], demo, sink)).toBe(2);
    expect(io.err.join('\n')).toMatch(/no key file/);
    expect(await runAuditCli(['verify'], { ...demo, AUDIT_KEY: TEST_AUDIT_KEY }, sink)).toBe(2);
    expect(io.err.join('\n')).toMatch(/no embedded database/);
    expect(fs.existsSync(demo.DATA_DIR)).toBe(false);
    expect(io.out).toEqual([]);
  });
});
