/**
 * Two app replicas (two OS processes, each with its own pool, data dir and browser) behind no
 * shared memory, on one PostgreSQL (issue 14):
 *   - a client's ?wait=1 retry that lands on the replica which did not run the turn gets the
 *     turn's reply (inbox completion heard by NOTIFY, the outcome read from the row);
 *   - the turn's evidence (a screenshot) is served by the other replica, to a manager whose data
 *     scope covers the call, refused to someone without the role, and never written to either's disk.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../src/sandbox/server.js';
import { LEGACY_SYSTEMS } from '../src/tools/systems.js';
import { createTestDatabase, postgresAvailable, textOf, TestClient, type Reply, type TestDatabase } from './helpers/test-app.js';
import { startAppProcess } from './helpers/processes.js';

const pgOnly = (await postgresAvailable()) || process.env.CI ? describe : describe.skip;


pgOnly('two replicas on one postgres', () => {
  let sandbox: SandboxHandle;
  let db: TestDatabase;
  let admin: pg.Client;
  const apps: { child: ChildProcess; url: string; dataDir: string }[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    db = await createTestDatabase('postgres');
    admin = new pg.Client({ connectionString: db.env.DATABASE_URL });
    await admin.connect();
    const env = { ...db.env, ...Object.fromEntries(LEGACY_SYSTEMS.map((s) => [s.env, `${sandbox.url}${s.sandboxPath}`])), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    // One after the other: both would migrate at once otherwise (that is covered elsewhere), and the host has two cores.
    for (const name of ['a', 'b']) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `sb-replica-${name}-`));
      apps.push({ ...(await startAppProcess({ ...env, DATA_DIR: dataDir })), dataDir });
    }
  }, 120_000);
  afterAll(async () => {
    for (const a of apps) {
      a.child.kill('SIGTERM');
      await new Promise((r) => (a.child.exitCode !== null ? r(undefined) : a.child.once('exit', r)));
      fs.rmSync(a.dataDir, { recursive: true, force: true });
    }
    await admin?.end();
    await db?.drop();
    await sandbox?.close();
  });

  it("hands the turn's reply to a ?wait=1 retry that reached the other replica, and serves its evidence from there", async () => {
    const [a, b] = apps.map((x) => new TestClient(x.url));
    const body = { user: 'bob', conversation: 'across-replicas', text: 'port OLT-HZ-01 0/1/3', clientMessageId: 'retry-elsewhere' };
    // The resource portal is slow: the retry arrives at B while A is still in the turn.
    sandbox.faults.set({ system: 'resource', latencyMs: 1_500 });
    let replies: Reply[];
    try {
      const accepted = await a!.post('/console/api/messages', body);
      expect(accepted.status).toBe(202);
      const retried = await b!.post('/console/api/messages?wait=1', body);
      expect(retried.status).toBe(200);
      expect(retried.json.duplicate).toBe(true);
      replies = retried.json.replies as Reply[];
    } finally {
      sandbox.faults.reset();
    }
    expect(textOf(replies)).toContain('-26.40 dBm');
    // A ran it (B never claimed it), once.
    const runs = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE conversation_id = 'across-replicas'`);
    expect(runs.rows[0]).toEqual({ n: 1 });

    // The call's screenshot, recorded by A, served by B.
    const calls = await admin.query<{ id: string; evidence: { files: string[] } }>(
      `SELECT t.id, t.evidence FROM tool_calls t JOIN runs r ON r.id = t.run_id WHERE r.conversation_id = 'across-replicas' AND t.evidence->'files' <> '[]'::jsonb`,
    );
    const ref = calls.rows.flatMap((r) => r.evidence.files).find((f) => f.endsWith('.png'));
    expect(ref).toMatch(/^evidence\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.png$/);
    const url = `${apps[1]!.url}/console/api/${ref}`;
    await expect.poll(async () => (await fetch(`${url}?user=carol`)).status, { timeout: 20_000, interval: 200 }).toBe(200);
    const shown = await fetch(`${url}?user=carol`);
    expect(shown.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await shown.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    // Bob made the call, but evidence is for managers and auditors: refused, and audited.
    expect((await fetch(`${url}?user=bob`)).status).toBe(403);
    const refused = await admin.query(`SELECT 1 FROM audit_log WHERE action = 'access.refused' AND actor = 'bob'`);
    expect(refused.rows.length).toBeGreaterThan(0);
    const viewed = await admin.query(`SELECT subject FROM audit_log WHERE action = 'evidence.viewed' AND actor = 'carol'`);
    expect(viewed.rows.length).toBeGreaterThan(0);
    // Neither replica wrote evidence to its disk.
    for (const x of apps) expect(fs.existsSync(path.join(x.dataDir, 'evidence'))).toBe(false);
  }, 120_000);
});
