/**
 * Feishu acknowledgements under load (issue 14): Feishu redelivers an event not answered within
 * 3 s, so accepting one (signature, decryption, the durable inbox insert, dedup) must not queue
 * behind the turns already running. This sends signed, encrypted `help` events at a fixed rate to
 * the real webhook of an app on embedded PGlite (the Feishu cloud is the local stand-in), and the
 * same requests to a bare Fastify handler that checks the same signature and decrypts the same
 * body, in the same run. It prints ack latency (median, p99) for both and their ratio, how many
 * events were accepted, and how long the backlog took to drain after the last one.
 *
 *   npm run bench:acks
 *   BENCH_RATE=50 BENCH_SECONDS=10 npm run bench:acks
 *
 * Goal (fails with exit 1 when missed): every event accepted, and ack p99 under 1 s (a third of
 * Feishu's redelivery window) at BENCH_RATE events/s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { feishuEnv, feishuRequest, messageEvent, startFakeOpenApi, type SignedRequest } from '../tests/helpers/feishu-open-api.js';
import { summarize } from './lib/stats.js';
import { startBareFeishuHandler } from './lib/bare-feishu.js';
import { startAppProcess } from '../tests/helpers/processes.js';

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const GOAL_P99_MS = 1000;

async function drive(url: string, make: (i: number) => SignedRequest): Promise<{ latencies: number[]; accepted: number; sent: number }> {
  const total = RATE * SECONDS;
  const latencies: number[] = [];
  let accepted = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    // Open loop: the i-th event leaves at i / RATE seconds, whatever the answers before it did.
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const req = make(i);
    const t0 = performance.now();
    inFlight.push(
      fetch(url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(30_000) })
        .then(async (res) => {
          await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          if (res.status === 200) accepted++;
        })
        .catch(() => void latencies.push(performance.now() - t0)),
    );
  }
  await Promise.all(inFlight);
  return { latencies, accepted, sent: total };
}

const fake = await startFakeOpenApi();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-acks-'));
const app = await startAppProcess({ ...feishuEnv(fake), DATA_DIR: dataDir, PORT: '0', SANDBOX_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
const backlog = async (): Promise<number> => {
  const h = (await (await fetch(`${app.url}/healthz`)).json()) as { inbound?: { backlog?: { pending: number } } };
  return h.inbound?.backlog?.pending ?? 0;
};

const { url: bareUrl, app: bare } = await startBareFeishuHandler();

const users = ['alice', 'bob', 'carol', 'dave'];
const event = (i: number) => feishuRequest(messageEvent({ chatId: `oc_bench_${i % 20}`, chatType: 'p2p', from: `ou_${users[i % users.length]}`, text: 'help' }));

try {
  const floor = await drive(`${bareUrl}/feishu/events`, event);
  const run = await drive(`${app.url}/feishu/events`, event);
  const lastSent = performance.now();
  // The backlog: every accepted event answered.
  while ((await backlog()) > 0) await new Promise((r) => setTimeout(r, 200));
  const drainMs = performance.now() - lastSent;
  const f = summarize(floor.latencies);
  const a = summarize(run.latencies);
  const fmt = (n: number) => n.toFixed(1).padStart(8);
  console.log(`\nFeishu acks at ${RATE} events/s for ${SECONDS} s (the app in its own process on embedded PGlite; help turns running behind them)`);
  console.log('                      n   median      p99      max   accepted');
  console.log(`bare handler (floor) ${String(f.n).padStart(4)} ${fmt(f.median)} ${fmt(f.p99)} ${fmt(f.max)}   ${floor.accepted}/${floor.sent}`);
  console.log(`switchboard          ${String(a.n).padStart(4)} ${fmt(a.median)} ${fmt(a.p99)} ${fmt(a.max)}   ${run.accepted}/${run.sent}`);
  console.log(`ratio to the floor: median ${(a.median / f.median).toFixed(1)}x, p99 ${(a.p99 / f.p99).toFixed(1)}x; backlog drained ${(drainMs / 1000).toFixed(1)} s after the last event`);
  const ok = run.accepted === run.sent && a.p99 < GOAL_P99_MS;
  console.log(`goal: every event accepted and ack p99 < ${GOAL_P99_MS} ms → ${ok ? 'met' : 'NOT met'}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await bare.close();
  app.child.kill('SIGTERM');
  await new Promise((r) => app.child.once('exit', r));
  await fake.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
