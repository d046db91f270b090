/**
 * Thread serialization across real OS processes on one PostgreSQL (PGlite is one process per data
 * dir by construction, so these run on PostgreSQL only), and a holder killed with -9.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { ThreadLock } from '../src/agents/thread-lock.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from './helpers/test-app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const worker = path.join(root, 'tests/helpers/lease-worker.ts');

/** node itself (not the tsx launcher), so kill -9 hits the process that holds the lease. */
function startWorker(env: Record<string, string>): { child: ChildProcess; output: Promise<string>; saw(text: string): Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.filter((w) => out.includes(w.text))) w.resolve();
  });
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const output = new Promise<string>((resolve) => child.once('exit', () => resolve(out)));
  return {
    child,
    output,
    saw: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        waiters.push({ text, resolve });
        child.once('exit', (code) => reject(new Error(`worker exited (${code}) before "${text}": ${out}`)));
      }),
  };
}

// In CI PostgreSQL must answer: the tests run and fail there rather than shrink.
const pg = (await postgresAvailable()) || process.env.CI ? describe : describe.skip;

pg('thread leases across processes on postgres', () => {
  let tdb: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 2 });
    await migrate(db);
    await db.query('CREATE TABLE lease_probe (id int PRIMARY KEY, n int NOT NULL)');
    await db.query('CREATE TABLE lease_probe_log (seq bigserial PRIMARY KEY, pid int NOT NULL, job int NOT NULL)');
    await db.query('INSERT INTO lease_probe VALUES (1, 0)');
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('two processes and this one never run one thread at the same time (no lost update)', async () => {
    const env = { DATABASE_URL: tdb.env.DATABASE_URL!, WORKER_MODE: 'count', JOBS: '15' };
    const w1 = startWorker(env);
    const w2 = startWorker(env);
    const here = new ThreadLock(db);
    // This process joins in too, on its own pool.
    const mine = Promise.all(
      Array.from({ length: 5 }, () =>
        here.run('shared', async () => {
          const { rows } = await db.query<{ n: number }>('SELECT n FROM lease_probe WHERE id = 1');
          await new Promise((r) => setTimeout(r, 10));
          await db.query('UPDATE lease_probe SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
          await db.query('INSERT INTO lease_probe_log (pid, job) VALUES ($1, -1)', [process.pid]);
        }),
      ),
    );
    const [o1, o2] = await Promise.all([w1.output, w2.output, mine]);
    expect(o1).toContain('DONE');
    expect(o2).toContain('DONE');
    // 35 read-pause-write increments: any two overlapping would have lost one.
    expect((await db.query('SELECT n FROM lease_probe WHERE id = 1')).rows[0]).toEqual({ n: 35 });
    const pids = await db.query<{ pid: number; n: number }>('SELECT pid, count(*)::int AS n FROM lease_probe_log GROUP BY pid ORDER BY n');
    expect(pids.rows.map((r) => r.n)).toEqual([5, 15, 15]);
    expect((await db.query('SELECT count(*)::int AS n FROM thread_leases')).rows[0]).toEqual({ n: 0 });
  });

  it('frees the thread of a holder killed with -9 once its lease lapses, without anyone releasing it', async () => {
    const w = startWorker({ DATABASE_URL: tdb.env.DATABASE_URL!, WORKER_MODE: 'hold', WORKER_THREAD: 'victim', WORKER_TTL_MS: '2000' });
    await w.saw('HOLDING');
    const before = (await db.query<{ owner: string; expires_at: Date }>("SELECT owner, expires_at FROM thread_leases WHERE thread_id = 'victim'")).rows[0]!;
    expect(before.owner).toContain(`:${w.child.pid}:`);
    w.child.kill('SIGKILL');
    await w.output;
    const lock = new ThreadLock(db);
    const taken = await lock.run('victim', async () =>
      (await db.query<{ owner: string; after: boolean }>("SELECT owner, acquired_at >= $1::timestamptz AS after FROM thread_leases WHERE thread_id = 'victim'", [before.expires_at])).rows[0],
    );
    // Taken over by this process, and only after the dead holder's lease had lapsed.
    expect(taken).toEqual({ owner: lock.owner, after: true });
    expect((await db.query("SELECT count(*)::int AS n FROM thread_leases WHERE thread_id = 'victim'")).rows[0]).toEqual({ n: 0 });
    const stats = db.poolStats();
    expect(stats.idle).toBe(stats.total);
  });
});
