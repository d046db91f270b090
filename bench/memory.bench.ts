/**
 * Memory of the bot process with a big backlog (issue 14: `GET /console/api/approvals` with 10,001
 * pending approvals took 1.7 s, answered 22 MB and added 583 MB of peak RSS).
 *
 *   npm run bench:memory                           # 10,000 pending, 1,000 conversations
 *   BENCH_APPROVALS=2000 BENCH_CONVERSATIONS=200 npm run bench:memory
 *
 * The app runs as `npm start` does, in a process of its own on a fresh PostgreSQL database
 * (TEST_PG_URL's server), so its RSS is the bot's alone: the database is elsewhere, as in
 * production. Measured from /proc/<pid>/status (VmRSS) every 10 ms:
 *   1. floor: a bare `node` process, and the app process idle (after start-up, nothing asked);
 *   2. the app after 10,000 pending approvals (inserted by SQL, as tests/paging.e2e.test.ts does)
 *      and 1,000 conversations that each had a turn (`help` in the console, 16 at a time);
 *   3. the peak while one manager pages through every approval waiting for her
 *      (`GET /console/api/approvals`, limit 50 and 200, following `next`), with each call's latency.
 * Bounded: the turns stop after BENCH_TURN_SECONDS whatever count they reached (printed).
 *
 * The JS heap retained after a full collection (V8 asked over the app's loopback inspector) says
 * whether the conversations left state behind, apart from garbage not yet collected.
 *
 * BENCH_BEFORE=<git ref> (e.g. main) also runs the same scenario, first, on that commit's code
 * (extracted with `git archive` under .bench-before/, which is removed afterwards; it resolves this
 * checkout's node_modules), each build on a fresh database: before and after in one run.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase, postgresAvailable } from '../tests/helpers/test-app.js';
import { seedApprovals } from '../tests/helpers/seed-approvals.js';
import { summarize } from './lib/stats.js';

const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 10_000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1_000);
const TURN_SECONDS = Number(process.env.BENCH_TURN_SECONDS ?? 300);
const CONCURRENCY = 16;

const rssKb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
};
const mb = (kb: number) => (kb / 1024).toFixed(1);

/** Samples a process's RSS every 10 ms until stopped: the peak, and the median of the samples. */
function sampler(pid: number): { stop(): { peakKb: number; medianKb: number; n: number } } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssKb(pid)), 10);
  return {
    stop() {
      clearInterval(timer);
      samples.push(rssKb(pid));
      const s = summarize(samples);
      return { peakKb: s.max, medianKb: s.median, n: s.n };
    },
  };
}
const settle = async (pid: number, ms = 3000) => {
  const s = sampler(pid);
  await new Promise((r) => setTimeout(r, ms));
  return s.stop();
};

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The app process, with its inspector on a loopback port: the bench asks V8 for a full collection
 * and the heap in use after it (what is retained, not garbage waiting for the next GC).
 */
function startAppProcess(root: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string; inspector: string }> {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', '--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let inspector = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /console:\s+(http:\/\/\S+)\/console/.exec(out);
      if (m && inspector) resolve({ child, url: m[1]!.replace('localhost', '127.0.0.1'), inspector });
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
      inspector ||= /Debugger listening on (ws:\/\/\S+)/.exec(out)?.[1] ?? '';
    });
    child.once('exit', (code) => reject(new Error(`app exited (${code}) before it was up: ${out.slice(-2000)}`)));
  });
}

/** Full GC in the app process, then its heap in use (bytes), over the inspector protocol. */
async function retainedHeap(inspector: string): Promise<number> {
  const ws = new WebSocket(inspector);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const mine = ++id;
      ws.addEventListener('message', function on(e) {
        const msg = JSON.parse(String(e.data)) as { id?: number; result?: Record<string, unknown> };
        if (msg.id !== mine) return;
        ws.removeEventListener('message', on);
        resolve(msg.result ?? {});
      });
      ws.send(JSON.stringify({ id: mine, method }));
    });
  await call('HeapProfiler.collectGarbage');
  await call('HeapProfiler.collectGarbage');
  const usage = await call('Runtime.getHeapUsage');
  ws.close();
  return Number(usage.usedSize);
}

if (!(await postgresAvailable())) {
  console.error('bench:memory needs PostgreSQL (TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres)');
  process.exit(2);
}

// The floor: a bare node process doing nothing.
const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 1000));
const bareRss = (await settle(bare.pid!, 1000)).medianKb;
bare.kill();

async function scenario(label: string, root: string): Promise<boolean> {
  const db = await createTestDatabase('postgres');
  const app = await startAppProcess(root, { ...db.env, PORT: '0', SANDBOX_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
  const pid = app.child.pid!;
  const pool = new pg.Pool({ connectionString: db.env.DATABASE_URL, max: 2 });
  try {
    // Each "settled" figure is taken after a full GC, so it is what is kept, not garbage.
    const idleHeap = await retainedHeap(app.inspector);
    const idle = await settle(pid);

    // 10,000 pending approvals waiting for Carol (her department's: all in her scope).
    await seedApprovals(pool, { count: APPROVALS, requester: 'alice', department: 'cs-hangzhou', approvers: ['carol'], targetScope: [{ kind: 'department', id: 'cs-hangzhou' }], title: 'bench', tieredEvery: 50 });

    // 1,000 conversations that each had a turn.
    const users = ['alice', 'bob', 'carol', 'dave', 'erin'];
    let next = 0;
    let done = 0;
    let failed = 0;
    const deadline = performance.now() + TURN_SECONDS * 1000;
    const turns = sampler(pid);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONVERSATIONS && performance.now() < deadline) {
          const i = next++;
          const res = await fetch(`${app.url}/console/api/messages?wait=1`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ user: users[i % users.length], conversation: `bench-conv-${i}`, text: 'help' }),
          }).catch(() => undefined);
          if (res?.status === 200) done++;
          else failed++;
          await res?.arrayBuffer();
        }
      }),
    );
    const duringTurns = turns.stop();
    const loadedHeap = await retainedHeap(app.inspector);
    const loaded = await settle(pid);

    // Paging through everything waiting for Carol, at two page sizes.
    const paging: { limit: number; pages: number; items: number; peakKb: number; latencies: number[]; bytes: number[] }[] = [];
    for (const limit of [50, 200]) {
      const s = sampler(pid);
      const latencies: number[] = [];
      const bytes: number[] = [];
      let cursor: string | null = null;
      let items = 0;
      do {
        const t0 = performance.now();
        const res = await fetch(`${app.url}/console/api/approvals?user=carol&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        const body = await res.text();
        latencies.push(performance.now() - t0);
        bytes.push(Buffer.byteLength(body));
        if (res.status !== 200) throw new Error(`approvals page: ${res.status} ${body.slice(0, 300)}`);
        const page = JSON.parse(body) as { approvals: unknown[]; next: string | null };
        items += page.approvals.length;
        cursor = page.next;
      } while (cursor);
      paging.push({ limit, pages: latencies.length, items, peakKb: s.stop().peakKb, latencies, bytes });
    }
    const afterHeap = await retainedHeap(app.inspector);
    const after = await settle(pid);

    const row = (label: string, kb: number, note = '') => console.log(`  ${label.padEnd(52)} ${mb(kb).padStart(8)} MB  ${note}`);
    console.log(`\n${label} — bot process RSS (the app in its own process on PostgreSQL; ${APPROVALS} pending approvals, ${done} conversations with a turn)`);
    row('floor: bare node process', bareRss);
    row('floor: the same app process, idle (after a full GC)', idle.medianKb);
    row(`peak during the ${done} turns`, duringTurns.peakKb, `(${failed} failed; ${next < CONVERSATIONS ? `stopped after ${TURN_SECONDS} s` : 'all sent'})`);
    row(`after ${APPROVALS} approvals + ${done} conversations (GC)`, loaded.medianKb, `(+${mb(loaded.medianKb - idle.medianKb)} over idle)`);
    for (const p of paging) {
      const l = summarize(p.latencies);
      const b = summarize(p.bytes);
      row(`peak paging all, limit=${p.limit}`, p.peakKb, `(+${mb(p.peakKb - loaded.medianKb)} over before; ${p.pages} pages, ${p.items} items; call median ${l.median.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms; page ${(b.median / 1024).toFixed(0)} KB median)`);
    }
    row('after paging (GC)', after.medianKb);
    const heap = (label: string, bytes: number, note = '') => console.log(`  ${label.padEnd(52)} ${(bytes / 1048576).toFixed(1).padStart(8)} MB  ${note}`);
    heap('JS heap retained (after a full GC), idle', idleHeap);
    heap(`JS heap retained, after ${done} conversations`, loadedHeap, `(+${((loadedHeap - idleHeap) / 1048576).toFixed(1)} MB, ${((loadedHeap - idleHeap) / Math.max(1, done) / 1024).toFixed(1)} KB per conversation)`);
    heap('JS heap retained, after paging', afterHeap, `(+${((afterHeap - loadedHeap) / 1048576).toFixed(1)} MB over before paging)`);
    const complete = paging.every((p) => p.items === APPROVALS);
    if (!complete) console.log(`NOT every approval was listed: ${paging.map((p) => p.items).join(', ')} of ${APPROVALS}`);
    return complete && failed === 0;
  } finally {
    await pool.end();
    app.child.kill('SIGTERM');
    await new Promise((r) => app.child.once('exit', r));
    await db.drop();
}
}

const before = process.env.BENCH_BEFORE;
let ok = true;
if (before) {
  const root = path.join(here, '.bench-before');
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root);
  try {
    execSync(`git archive ${JSON.stringify(before)} src migrations config assets teams tsconfig.json package.json | tar -x -C ${JSON.stringify(root)}`, { cwd: here, stdio: 'inherit', shell: '/bin/bash' });
    // The old build may have no pages: one call answers everything (its "pages" is then 1).
    await scenario(`before (${before})`, root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
ok = await scenario(before ? 'after (this checkout)' : 'this checkout', here);
process.exitCode = ok ? 0 : 1;
