/**
 * Scale-out on one PostgreSQL (issue 14): two bot replicas (RPA_WORKERS=external, no browser) and
 * first one, then two `npm run worker` processes, each a process of its own, under a load
 * generator on loopback: console port queries from BENCH_USERS people at once (closed loop: each
 * asks again when answered) and signed Feishu `help` events at BENCH_RATE/s (open loop), both
 * spread over the two replicas, for BENCH_SECONDS per phase. The floor, in the same run: a bare
 * Fastify handler checking the same Feishu signature.
 *
 * Prints, per phase: port turns/s, turn latency p50/p99, Feishu acks p50/p99 (and the floor's),
 * events accepted vs sent, queue lag (pg-boss job created → started, p50/p99), errors, and
 * duplicate effects (a Feishu event answered more than once, a turn answered twice).
 *
 *   npm run bench:scale
 *   BENCH_SECONDS=60 BENCH_RATE=20 BENCH_USERS=16 npm run bench:scale
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startSandbox } from '../src/sandbox/server.js';
import { LEGACY_SYSTEMS } from '../src/tools/systems.js';
import { feishuEnv, feishuRequest, messageEvent, startFakeOpenApi } from '../tests/helpers/feishu-open-api.js';
import { TEST_AUDIT_KEY, TEST_DATA_KEYS } from '../tests/helpers/audit-key.js';
import { summarize } from './lib/stats.js';
import { startAppProcess, startWorkerProcess } from '../tests/helpers/processes.js';
import { startBareFeishuHandler } from './lib/bare-feishu.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const USERS = Number(process.env.BENCH_USERS ?? 16);
/** bot/notices.ts queuedText, in both languages. */
const QUEUED_NOTICE = /已收到，当前请求较多|Received\. It is busy right now/;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const stop = async (c: ChildProcess) => {
  if (c.exitCode !== null) return;
  c.kill('SIGTERM');
  await new Promise((r) => c.once('exit', r));
};

const name = `sb_bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${name}`;
const sandbox = await startSandbox({ port: 0 });
const fake = await startFakeOpenApi();
const dataDirs: string[] = [];
const dataDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-scale-'));
  dataDirs.push(d);
  return d;
};
const common = {
  DATABASE_URL: dbUrl.toString(),
  DATA_KEYS: TEST_DATA_KEYS,
  AUDIT_KEY: TEST_AUDIT_KEY,
  LOG_LEVEL: 'warn',
  ...Object.fromEntries(LEGACY_SYSTEMS.map((s) => [s.env, `${sandbox.url}${s.sandboxPath}`])),
};
// The load is one demo person asking many times a minute: the policy's rate limits would answer
// most of it "too many requests", which measures the limiter, not the system. Raised for the run.
const policyFile = path.join(dataDir(), 'policy.yaml');
fs.writeFileSync(
  policyFile,
  fs
    .readFileSync(path.join(root, 'config', 'policy.yaml'), 'utf8')
    .replace(/perUser: \{[^}]*\}/, 'perUser: { requestsPerMinute: 100000, toolCallsPerTurn: 600, pendingApprovals: 50 }')
    .replace(/perDepartment: \{[^}]*\}/, 'perDepartment: { requestsPerMinute: 100000, pendingApprovals: 500 }'),
);
Object.assign(common, { POLICY_FILE: policyFile });
const children: ChildProcess[] = [];
const db = new pg.Client({ connectionString: dbUrl.toString() });

const { url: bareUrl, app: bare } = await startBareFeishuHandler();

interface Phase {
  workers: number;
  turns: number[];
  turnErrors: number;
  acks: number[];
  floorAcks: number[];
  accepted: number;
  sent: number;
  lag: { p50: number; p99: number; n: number };
  duplicates: number;
  unanswered: number;
}

async function feishuLoad(urls: string[], until: number, ids: string[], acks: number[]): Promise<{ accepted: number; sent: number }> {
  let accepted = 0;
  let sent = 0;
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; performance.now() < until; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const messageId = `om_bench_${randomUUID().slice(0, 12)}`;
    ids.push(messageId);
    const req = feishuRequest(messageEvent({ messageId, chatId: `oc_bench_${i % 40}`, chatType: 'p2p', from: 'ou_bob', text: 'help' }));
    const t0 = performance.now();
    sent++;
    inFlight.push(
      fetch(`${urls[i % urls.length]}/feishu/events`, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(30_000) })
        .then(async (res) => {
          await res.arrayBuffer();
          acks.push(performance.now() - t0);
          if (res.status === 200) accepted++;
        })
        .catch(() => void acks.push(performance.now() - t0)),
    );
  }
  await Promise.all(inFlight);
  return { accepted, sent };
}

async function consoleLoad(urls: string[], until: number, turns: number[]): Promise<number> {
  let errors = 0;
  const ports = ['0/1/3', '0/1/4', '0/2/1', '0/2/2'];
  await Promise.all(
    Array.from({ length: USERS }, async (_, u) => {
      for (let k = 0; performance.now() < until; k++) {
        const port = ports[(u + k) % ports.length]!;
        const t0 = performance.now();
        try {
          const res = await fetch(`${urls[(u + k) % urls.length]}/console/api/messages?wait=1`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ user: 'bob', text: `查端口 OLT-HZ-01 ${port}`, conversation: `bench-${u}` }),
            signal: AbortSignal.timeout(120_000),
          });
          const json = (await res.json()) as { replies?: { text?: string }[] };
          const text = (json.replies ?? []).map((r) => r.text ?? '').join('\n');
          if (res.status !== 200 || !text.includes(port)) errors++;
          else turns.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  return errors;
}

async function runPhase(replicaUrls: string[], workers: number): Promise<Phase> {
  const since = new Date();
  const turns: number[] = [];
  const acks: number[] = [];
  const ids: string[] = [];
  const until = performance.now() + SECONDS * 1000;
  const [turnErrors, feishu] = await Promise.all([consoleLoad(replicaUrls, until, turns), feishuLoad(replicaUrls, until, ids, acks)]);
  // Every accepted event answered: wait for the backlog (bounded).
  const deadline = Date.now() + 120_000;
  // An event's answers: replies to it, the "received, queued" notice left out (it is not the answer).
  const answers = () => fake.sent.filter((m) => m.kind === 'reply' && m.targetMessageId && ids.includes(m.targetMessageId) && !QUEUED_NOTICE.test(m.content));
  const answered = () => new Set(answers().map((m) => m.targetMessageId));
  while (answered().size < feishu.accepted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const perEvent = new Map<string, number>();
  for (const m of answers()) perEvent.set(m.targetMessageId!, (perEvent.get(m.targetMessageId!) ?? 0) + 1);
  const duplicates = [...perEvent.values()].filter((n) => n > 1).length;
  const lagRows = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM (started_on - created_on)) * 1000 AS ms FROM pgboss.job WHERE name = 'rpa-call' AND created_on >= $1 AND started_on IS NOT NULL`,
    [since],
  );
  const lag = summarize(lagRows.rows.map((r) => Number(r.ms)));
  // A floor for the acks in the same phase, at the same rate and length.
  const floorAcks: number[] = [];
  await feishuLoad([bareUrl], performance.now() + Math.min(SECONDS, 10) * 1000, [], floorAcks);
  return { workers, turns, turnErrors, acks, floorAcks, accepted: feishu.accepted, sent: feishu.sent, lag: { p50: lag.median, p99: lag.p99, n: lag.n }, duplicates, unanswered: feishu.accepted - answered().size };
}

const phases: Phase[] = [];
try {
  await db.connect();
  const replicas: string[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await startAppProcess({ ...common, ...feishuEnv(fake), DATA_DIR: dataDir(), PORT: '0', HOST: '127.0.0.1', RPA_WORKERS: 'external', DATABASE_POOL_SIZE: '6' });
    children.push(r.child);
    replicas.push(r.url);
  }
  const workerEnv = { ...common, DATA_DIR: dataDir(), RPA_WORKER_SLOTS: '8' };
  const w1 = await startWorkerProcess(workerEnv);
  children.push(w1.child);
  // Warm-up: the worker's browser logs in to the portals once.
  await fetch(`${replicas[0]}/console/api/messages?wait=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bob', text: '查端口 OLT-HZ-01 0/1/3' }) });
  phases.push(await runPhase(replicas, 1));
  const w2 = await startWorkerProcess({ ...workerEnv, DATA_DIR: dataDir() });
  children.push(w2.child);
  await fetch(`${replicas[1]}/console/api/messages?wait=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bob', text: '查端口 OLT-HZ-01 0/1/4' }) });
  phases.push(await runPhase(replicas, 2));

  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-').padStart(7);
  console.log(`\nScale-out on one PostgreSQL: 2 replicas (no browser), ${USERS} console users asking port queries (closed loop) + Feishu help events at ${RATE}/s, ${SECONDS} s per phase`);
  console.log('workers  turns/s  turn p50  turn p99  errors   ack p50  ack p99  floor p50 floor p99  accepted   lag p50  lag p99  dup  unanswered');
  for (const p of phases) {
    const t = summarize(p.turns);
    const a = summarize(p.acks);
    const f = summarize(p.floorAcks);
    console.log(
      `${String(p.workers).padStart(7)}  ${(p.turns.length / SECONDS).toFixed(2).padStart(7)}  ${fmt(t.median)}  ${fmt(t.p99)}  ${String(p.turnErrors).padStart(6)}  ${fmt(a.median)}  ${fmt(a.p99)}  ${fmt(f.median)}  ${fmt(f.p99)}  ${`${p.accepted}/${p.sent}`.padStart(9)}  ${fmt(p.lag.p50)}  ${fmt(p.lag.p99)}  ${String(p.duplicates).padStart(3)}  ${String(p.unanswered).padStart(10)}`,
    );
  }
  const [one, two] = phases;
  if (one && two) console.log(`throughput from 1 worker to 2: x${(two.turns.length / Math.max(1, one.turns.length)).toFixed(2)} (ack p99 with 2 workers, to the floor's: ${(summarize(two.acks).p99 / summarize(two.floorAcks).p99).toFixed(1)}x)`);
  const clean = phases.every((p) => p.duplicates === 0 && p.accepted === p.sent && p.unanswered === 0);
  console.log(`goal: every event accepted and answered once, no duplicate effect → ${clean ? 'met' : 'NOT met'}`);
  process.exitCode = clean ? 0 : 1;
} finally {
  for (const c of children.reverse()) await stop(c).catch(() => undefined);
  await db.end().catch(() => undefined);
  await bare.close();
  await fake.close();
  await sandbox.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
}
