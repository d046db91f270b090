/**
 * Feishu's 5 messages per second per chat, kept by two replicas sending into one chat at once (issue
 * 14): two OS processes, each with its own Feishu channel and pool on one PostgreSQL, send 12 texts
 * each into the same chat through the Open API stand-in; the stand-in never sees more than 5
 * arrive in any one second, and every text arrives once, in each replica's order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { startFakeOpenApi, TEST_APP_ID, TEST_APP_SECRET, type FakeOpenApi } from './helpers/feishu-open-api.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from './helpers/test-app.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const worker = path.join(root, 'tests/helpers/feishu-send-worker.ts');

function startWorker(env: Record<string, string>): { child: ChildProcess; saw(text: string): Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.filter((w) => out.includes(w.text))) w.resolve();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    saw: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        waiters.push({ text, resolve });
        child.once('exit', (code) => (out.includes(text) ? resolve() : reject(new Error(`worker exited (${code}) before "${text}": ${out}`))));
      }),
  };
}

/** The most arrivals within any window of `ms` (sliding, from each arrival). */
function busiestWindow(at: number[], ms: number): number {
  const t = [...at].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

const pg = (await postgresAvailable()) || process.env.CI ? describe : describe.skip;

pg('Feishu send rate per chat across replicas (postgres)', () => {
  let tdb: TestDatabase;
  let db: Db;
  let fake: FakeOpenApi;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 2 });
    await migrate(db);
    fake = await startFakeOpenApi();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await fake?.close();
    await db?.close();
    await tdb?.drop();
  });

  it('two replicas sending into one chat at once: never more than 5 arrivals in any second, each text once', async () => {
    const chat = 'oc_shared_chat';
    const env = { DATABASE_URL: tdb.env.DATABASE_URL!, FEISHU_DOMAIN: fake.url, FEISHU_APP_ID: TEST_APP_ID, FEISHU_APP_SECRET: TEST_APP_SECRET, FEISHU_CHAT: chat, SENDS: '12' };
    const replicas = [startWorker(env), startWorker(env)];
    children.push(...replicas.map((r) => r.child));
    await Promise.all(replicas.map((r) => r.saw('READY')));
    for (const r of replicas) r.child.stdin!.write('go\n');
    await Promise.all(replicas.map((r) => r.saw('DONE')));
    const arrivals = fake.sent.filter((m) => m.kind === 'create' && m.receiveId === chat);
    expect(arrivals).toHaveLength(24);
    expect(busiestWindow(arrivals.map((m) => m.at), 1000)).toBeLessThanOrEqual(5);
    // Each replica's texts arrive in the order it sent them.
    const texts = arrivals.map((m) => (JSON.parse(m.content) as { text: string }).text);
    for (const pid of replicas.map((r) => r.child.pid)) {
      const mine = texts.filter((t) => t.startsWith(`${pid} `));
      expect(mine).toEqual(Array.from({ length: 12 }, (_, i) => `${pid} #${i}`));
    }
    // Both really sent at once: arrivals of the two interleave (neither waited for the other to finish).
    const owners = texts.map((t) => t.split(' ')[0]);
    expect(owners.slice(0, 12).some((o) => o !== owners[0])).toBe(true);
  });
});
