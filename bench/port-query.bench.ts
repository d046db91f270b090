/**
 * Port query latency: Switchboard's whole turn against bare Playwright (the floor) and against a
 * naive RPA robot that launches a fresh browser per query, all in one process against one sandbox.
 * A diagnostic row (floor + one PNG screenshot per page) shows how much of the gap is the evidence
 * screenshots Switchboard takes on every tool call.
 *
 * The measurements run in interleaved rounds (A,B / B,A, with the fresh-browser runs spread
 * evenly) so a noisy, shared machine slows them alike and the ratios stay meaningful.
 *
 *   npm run bench      knobs: BENCH_N=30 (Switchboard, floor), BENCH_N_FRESH=8, BENCH_WARMUP=3,
 *                      BENCH_PNG=1 (0 skips the diagnostic row), CHROMIUM_PATH=/usr/bin/chromium
 *
 * Exits 1 when any measured operation fails (a turn whose reply lacks the port's Rx power is a
 * failure), 0 otherwise; the goal line is printed either way.
 */
import fs from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { startApp, type App } from '../src/app.js';
import { formatTable, summarize } from './lib/stats.js';
import { chromiumRssMb, chromiumTrees, nodePeakRssMb, pssMb, rssMb } from '../src/tools/proc-memory.js';
import { WarmReader, chromiumPath, readWithFreshBrowser, type PortReading, type PortTarget } from './lib/bare-playwright.js';

const TARGET: PortTarget = { olt: 'OLT-HZ-01', fsp: '0/1/3' };
const QUERY = `查端口 ${TARGET.olt} ${TARGET.fsp}`;
const USER = 'bob';
/** Switchboard median must stay within this multiple of the bare-Playwright median. */
const GOAL_RATIO = 3;

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (got "${raw}")`);
  return n;
}

interface TurnReply {
  kind: string;
  text?: string;
}

/** One console turn; returns the reply texts. Throws on a non-200 answer. */
async function sayAndWait(baseUrl: string, text: string): Promise<string> {
  const res = await fetch(`${baseUrl}/console/api/messages?wait=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: USER, text }),
  });
  const body = (await res.json()) as { replies?: TurnReply[]; error?: string; pending?: boolean };
  if (res.status !== 200) throw new Error(`turn answered HTTP ${res.status}: ${JSON.stringify(body)}`);
  return (body.replies ?? []).map((r) => r.text ?? '').join('\n');
}

/** The reply must carry the Rx power the portal shows, formatted as the bot formats it. */
function checkTurn(replyText: string, expectedRx: string): void {
  const want = `${Number.parseFloat(expectedRx).toFixed(2)} dBm`;
  if (!replyText.includes(want)) {
    throw new Error(`turn reply lacks the port's Rx power "${want}":\n${replyText || '(no text replies)'}`);
  }
}

function checkReading(r: PortReading, expected: PortReading): void {
  if (r.rxPower !== expected.rxPower) throw new Error(`read Rx power "${r.rxPower}", expected "${expected.rxPower}"`);
  if (r.alarmIds.join(',') !== expected.alarmIds.join(',')) throw new Error(`read alarms [${r.alarmIds}], expected [${expected.alarmIds}]`);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Which rounds run a fresh-browser query: nFresh of them, spread evenly over nRounds. */
function freshRounds(nRounds: number, nFresh: number): Set<number> {
  const rounds = new Set<number>();
  for (let k = 0; k < nFresh; k++) rounds.add(Math.floor(((k + 0.5) * nRounds) / Math.max(nFresh, 1)));
  return rounds;
}

const mb = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(0)} MB`);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');

async function main(): Promise<number> {
  const n = envInt('BENCH_N', 30, 1);
  const nFresh = envInt('BENCH_N_FRESH', 8, 0);
  const warmup = envInt('BENCH_WARMUP', 3, 0);
  const withPng = envInt('BENCH_PNG', 1, 0) > 0;

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'));
  let app: App | undefined;
  let floor: WarmReader | undefined;
  try {
    console.log(`port-query benchmark — ${new Date().toISOString()}`);
    console.log(`node ${process.version}, ${os.cpus().length} cpus, loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, chromium ${chromiumPath()}`);
    console.log(`query "${QUERY}" as ${USER}; n=${n} (Switchboard, floor), n=${nFresh} (fresh browser), warm-up ${warmup}\n`);

    const tStart = performance.now();
    const config = loadConfig({
      PORT: '0',
      SANDBOX_PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CHROMIUM_PATH: chromiumPath(),
      LOG_LEVEL: 'warn',
    });
    app = await startApp(config);
    if (!app.sandbox) throw new Error('the app did not start its sandbox');
    const sandboxUrl = app.sandbox.url;
    const creds = { username: config.LEGACY_USERNAME, password: config.LEGACY_PASSWORD };
    // Each launched browser is its own process tree under this process: tell them apart by its root.
    const poolRoots = new Set(chromiumTrees().keys());
    const rssAfterStart = process.memoryUsage().rss / 2 ** 20;
    console.log(`app started in ${(performance.now() - tStart).toFixed(0)} ms (PGlite in ${dataDir}, sandbox ${sandboxUrl})`);

    floor = await WarmReader.start(sandboxUrl, TARGET, creds);
    const floorRoots = new Set([...chromiumTrees().keys()].filter((pid) => !poolRoots.has(pid)));

    // The floor's first read is the reference every other read and every turn is checked against.
    const expected = await floor.read(TARGET);
    if (expected.alarmIds.length === 0) throw new Error('the sandbox shows no active alarm on the port; wrong seed?');

    const treesOf = (roots: Set<number>, trees = chromiumTrees()) => [...trees].filter(([root]) => roots.has(root)).flatMap(([, pids]) => pids);
    const peak = { pool: 0, floor: 0, fresh: 0, all: 0 };
    const sampleMemory = () => {
      const trees = chromiumTrees();
      peak.pool = Math.max(peak.pool, rssMb(treesOf(poolRoots, trees)));
      peak.floor = Math.max(peak.floor, rssMb(treesOf(floorRoots, trees)));
      peak.all = Math.max(peak.all, chromiumRssMb() ?? 0);
    };
    // Runs with the fresh browser still open, after its reads and before it closes.
    const sampleFresh = () => {
      const trees = chromiumTrees();
      const freshPids = [...trees].filter(([root]) => !poolRoots.has(root) && !floorRoots.has(root)).flatMap(([, pids]) => pids);
      peak.fresh = Math.max(peak.fresh, rssMb(freshPids));
      peak.all = Math.max(peak.all, chromiumRssMb() ?? 0);
    };

    const switchboard = async () => {
      const { ms, value } = await timed(() => sayAndWait(app!.url, QUERY));
      checkTurn(value, expected.rxPower);
      return ms;
    };
    const bare = async () => {
      const { ms, value } = await timed(() => floor!.read(TARGET));
      checkReading(value, expected);
      return ms;
    };
    const shotsDir = path.join(dataDir, 'bench-screenshots');
    fs.mkdirSync(shotsDir);
    const bareWithShots = async () => {
      const { ms, value } = await timed(() => floor!.read(TARGET, shotsDir));
      checkReading(value, expected);
      return ms;
    };
    const fresh = async () => {
      const { ms, value } = await timed(() => readWithFreshBrowser(sandboxUrl, TARGET, creds, sampleFresh));
      checkReading(value.reading, expected);
      return ms - value.untimedMs;
    };

    const tWarm = performance.now();
    for (let i = 0; i < warmup; i++) {
      await switchboard();
      await bare();
      if (withPng) await bareWithShots();
    }
    if (warmup > 0 && nFresh > 0) await fresh();
    console.log(`warm-up done in ${(performance.now() - tWarm).toFixed(0)} ms\n`);

    const sinceIso = new Date().toISOString();
    const samples = { switchboard: [] as number[], floor: [] as number[], floorShots: [] as number[], fresh: [] as number[] };
    const rounds = Math.max(n, nFresh);
    const freshAt = freshRounds(rounds, nFresh);
    // PGlite runs its queries on this thread: a blocked event loop delays everything else here,
    // Playwright's protocol messages included.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const tMeasure = performance.now();
    for (let r = 0; r < rounds; r++) {
      if (r < n) {
        // Alternate which goes first, so neither always follows the other's GC or page churn.
        if (r % 2 === 0) {
          samples.switchboard.push(await switchboard());
          samples.floor.push(await bare());
          if (withPng) samples.floorShots.push(await bareWithShots());
        } else {
          if (withPng) samples.floorShots.push(await bareWithShots());
          samples.floor.push(await bare());
          samples.switchboard.push(await switchboard());
        }
      }
      if (freshAt.has(r)) samples.fresh.push(await fresh());
      sampleMemory();
    }
    const measureMs = performance.now() - tMeasure;
    loopDelay.disable();

    // Where a turn's time goes, from the app's own records of the measured turns.
    const breakdown = await app.db.query<{ run_ms: number; tools_ms: number; calls: number }>(
      `SELECT EXTRACT(EPOCH FROM (r.ended_at - r.started_at)) * 1000 AS run_ms,
              COALESCE(SUM(t.duration_ms), 0) AS tools_ms, COUNT(t.id) AS calls
         FROM runs r LEFT JOIN tool_calls t ON t.run_id = r.id
        WHERE r.started_at >= $1 AND r.ended_at IS NOT NULL
        GROUP BY r.id, r.started_at, r.ended_at`,
      [sinceIso],
    );
    const perTool = await app.db.query<{ tool: string; ms: number[] }>(
      `SELECT tool, array_agg(duration_ms) AS ms FROM tool_calls WHERE started_at >= $1 GROUP BY tool ORDER BY tool`,
      [sinceIso],
    );
    const runMs = summarize(breakdown.rows.map((r) => Number(r.run_ms)));
    const toolsMs = summarize(breakdown.rows.map((r) => Number(r.tools_ms)));
    const pssPool = pssMb(treesOf(poolRoots));
    const pssFloor = pssMb(treesOf(floorRoots));

    const sw = summarize(samples.switchboard);
    const fl = summarize(samples.floor);
    const flShots = summarize(samples.floorShots);
    const fr = summarize(samples.fresh);
    console.log(
      formatTable([
        { label: '1. Switchboard turn (console API, wait=1)', summary: sw },
        { label: '2. floor: bare Playwright, warm pages', summary: fl },
        ...(withPng ? [{ label: '   (diagnostic) floor + PNG per page', summary: flShots }] : []),
        { label: '3. naive RPA: fresh browser per query', summary: fr },
      ]),
    );
    console.log('');
    console.log(`Switchboard / floor:        median ${ratio(sw.median, fl.median)}x, p99 ${ratio(sw.p99, fl.p99)}x   (overhead of the product over bare Playwright)`);
    if (withPng) console.log(`Switchboard / (floor + PNG): median ${ratio(sw.median, flShots.median)}x   (overhead left once evidence screenshots are paid for)`);
    if (fr.n > 0) console.log(`fresh browser / Switchboard: median ${ratio(fr.median, sw.median)}x, p99 ${ratio(fr.p99, sw.p99)}x   (what the warm pool saves)`);
    console.log(
      `inside the turn (app records, ${breakdown.rows.length} runs): run median ${runMs.median.toFixed(1)} ms, of which tool calls ` +
        `(browser + evidence) median ${toolsMs.median.toFixed(1)} ms; HTTP + inbox + wait ≈ turn − run = ${(sw.median - runMs.median).toFixed(1)} ms`,
    );
    console.log(`        per tool call (median): ${perTool.rows.map((t) => `${t.tool} ${summarize(t.ms.map(Number)).median.toFixed(1)} ms`).join(', ')}`);
    console.log('');
    const mem = process.memoryUsage();
    console.log(
      `memory: Node peak RSS ${mb(nodePeakRssMb())} (app + sandbox + PGlite + bench, one process); ` +
        `RSS after start-up ${mb(rssAfterStart)}, at end ${mb(mem.rss / 2 ** 20)} (JS heap ${mb(mem.heapUsed / 2 ** 20)})`,
    );
    console.log(
      `        Chromium VmRSS sums (peak; shared pages counted per process): app pool ${mb(peak.pool)}, floor ${mb(peak.floor)}, ` +
        `fresh browser ${mb(peak.fresh)}, all at once ${mb(peak.all)}\n        Chromium PSS at end (shared pages split fairly): app pool ${mb(pssPool)}, floor ${mb(pssFloor)}`,
    );
    const ns = (v: number) => `${(v / 1e6).toFixed(0)} ms`;
    console.log(
      `event loop delay during the rounds (whole process; resolution 10 ms): mean ${ns(loopDelay.mean)}, ` +
        `p99 ${ns(loopDelay.percentile(99))}, max ${ns(loopDelay.max)}`,
    );
    console.log(`measured rounds took ${(measureMs / 1000).toFixed(1)} s; loadavg now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log('');
    const met = sw.median <= GOAL_RATIO * fl.median;
    console.log(
      `goal: Switchboard median <= ${GOAL_RATIO}x floor median — ${met ? 'MET' : 'NOT MET'} ` +
        `(${sw.median.toFixed(1)} ms vs ${GOAL_RATIO} x ${fl.median.toFixed(1)} = ${(GOAL_RATIO * fl.median).toFixed(1)} ms)`,
    );
    return 0;
  } finally {
    await floor?.close().catch((e: Error) => console.error('[bench] closing the floor browser:', e.message));
    await app?.close().catch((e: Error) => console.error('[bench] closing the app:', e.message));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`\nbenchmark FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  },
);
