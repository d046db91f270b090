/**
 * Issue 14: a flaky portal must stay reachable, a dead one must be refused fast.
 *
 *   npm run bench:flaky    knobs: BENCH_N=50 (queries per phase), BENCH_ERROR_RATE=0.3,
 *                          BENCH_EXPIRY_RATE=0.1 (sessions dropped per request), BENCH_CONCURRENCY=1,
 *                          BENCH_MAX_S=300 (time bound of the flaky phase), BENCH_REFUSALS=20, CHROMIUM_PATH
 *
 * The real tool runtime (createToolRuntime: Chromium pool, runner, default retry and breaker
 * policy) against the sandbox's resource portal, resource.getPort over four demo queries (three by
 * OLT + F/S/P, one by broadband account: two pages):
 *   1. floor: the same BENCH_N queries with no faults, measured in the same run;
 *   2. flaky: BENCH_ERROR_RATE of the portal's answers are HTTP 500 and sessions expire; answered %,
 *      refused % (circuit_open), other failures, latency p50/p99 of the answered ones vs the floor;
 *   3. down: the portal answers 503 to everything, with a fresh breaker: how many calls and
 *      attempts ran before it opened, how long that took, and the latency of BENCH_REFUSALS refusals.
 * Every answer is checked against the floor's; a wrong one exits 1. Goal: >= 95 % answered in 2.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { startSandbox } from '../src/sandbox/server.js';
import { demo } from '../src/sandbox/seed.js';
import { recordOf, ToolRunner, callDeadlineMs } from '../src/tools/runner.js';
import { systemCaller } from '../src/tools/scope.js';
import { createToolRuntime, type ToolRuntime } from '../src/tools/runtime.js';
import { chromiumPath } from './lib/bare-playwright.js';
import { formatTable, summarize } from './lib/stats.js';

const SYS = systemCaller('bench');
const GOAL = 0.95;

function envNum(name: string, fallback: number, min: number, max = Infinity): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number in [${min}, ${max}] (got "${raw}")`);
  return n;
}

const QUERIES = [
  { olt: demo.port.olt, fsp: demo.port.fsp },
  { olt: demo.normalPort.olt, fsp: demo.normalPort.fsp },
  { olt: demo.noReadingPort.olt, fsp: demo.noReadingPort.fsp },
  { broadbandAccount: demo.normalPort.broadbandAccount },
];

interface PhaseResult {
  answered: number;
  refused: number;
  failed: Record<string, number>;
  notRun: number;
  attempts: number;
  latencies: number[];
  wrong: string[];
}

async function phase(runner: ToolRunner, n: number, concurrency: number, maxMs: number, truth: readonly string[] | null): Promise<PhaseResult> {
  const r: PhaseResult = { answered: 0, refused: 0, failed: {}, notRun: 0, attempts: 0, latencies: [], wrong: [] };
  const work = Array.from({ length: n }, (_, i) => i);
  const stopAt = performance.now() + maxMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = work.shift(); i !== undefined; i = work.shift()) {
        if (performance.now() > stopAt) {
          r.notRun++;
          continue;
        }
        const q = QUERIES[i % QUERIES.length]!;
        const t0 = performance.now();
        try {
          const { output, record } = await runner.run('resource.getPort', q, { caller: SYS });
          r.latencies.push(performance.now() - t0);
          r.answered++;
          r.attempts += record.attempts;
          const got = JSON.stringify(output);
          if (truth && got !== truth[i % QUERIES.length]) r.wrong.push(`${JSON.stringify(q)} -> ${got}`);
        } catch (e) {
          r.attempts += recordOf(e)?.attempts ?? 0;
          const code = (e as { code?: string }).code ?? 'error';
          if (code === 'circuit_open') r.refused++;
          else r.failed[code] = (r.failed[code] ?? 0) + 1;
        }
      }
    }),
  );
  return r;
}

const pct = (k: number, n: number) => `${((100 * k) / Math.max(1, n)).toFixed(1)} %`;

async function main(): Promise<number> {
  const n = Math.floor(envNum('BENCH_N', 50, 1, 1000));
  const errorRate = envNum('BENCH_ERROR_RATE', 0.3, 0, 1);
  const expiryRate = envNum('BENCH_EXPIRY_RATE', 0.1, 0, 1);
  const concurrency = Math.floor(envNum('BENCH_CONCURRENCY', 1, 1, 16));
  const maxMs = envNum('BENCH_MAX_S', 300, 1) * 1000;
  const refusals = Math.floor(envNum('BENCH_REFUSALS', 20, 1, 1000));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-flaky-'));
  const sandbox = await startSandbox({ port: 0 });
  const config = loadConfig({ DATA_DIR: dataDir, CHROMIUM_PATH: chromiumPath(), LOG_LEVEL: 'warn' });
  let rt: ToolRuntime | null = null;
  const failures: string[] = [];
  try {
    console.log(`flaky-portal benchmark — ${new Date().toISOString()}`);
    console.log(`node ${process.version}, ${os.cpus().length} cpus, loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, chromium ${chromiumPath()}`);
    console.log(
      `breaker: last ${config.RPA_BREAKER_THRESHOLD} calls (min ${config.RPA_BREAKER_MIN_CALLS ?? Math.ceil(config.RPA_BREAKER_THRESHOLD / 2)}) / ${config.RPA_BREAKER_FAILURE_RATE * 100} % / ${config.RPA_BREAKER_WINDOW_MS} ms, cool-down ${config.RPA_BREAKER_COOLDOWN_MS} ms; ` +
        `n=${n} per phase, concurrency ${concurrency}, faults: errorRate ${errorRate}, sessions expiring at ${expiryRate} per request\n`,
    );
    rt = await createToolRuntime(config, { sandboxUrl: sandbox.url });
    const truth = await Promise.all(QUERIES.map(async (q) => JSON.stringify((await rt!.runner.run('resource.getPort', q, { caller: SYS })).output)));
    for (let i = 0; i < 4; i++) await rt.runner.run('resource.getPort', QUERIES[i % QUERIES.length], { caller: SYS }); // warm-up

    const floor = await phase(rt.runner, n, concurrency, Infinity, truth);
    sandbox.faults.set({ system: 'resource', errorRate, expireSessions: expiryRate > 0, sessionExpiryRate: expiryRate, seed: 14 });
    const loginsBefore = rt.pool.stats().systems.resource?.logins ?? 0;
    const t0 = performance.now();
    const flaky = await phase(rt.runner, n, concurrency, maxMs, truth);
    const flakyS = (performance.now() - t0) / 1000;
    const logins = (rt.pool.stats().systems.resource?.logins ?? 0) - loginsBefore;
    const flakyBreaker = rt.runner.breakers().find((b) => b.system === 'resource');
    sandbox.faults.reset();
    await rt.runner.settled();

    const fl = summarize(floor.latencies);
    const fk = summarize(flaky.latencies);
    console.log(formatTable([
      { label: '1. floor: no faults', summary: fl },
      { label: `2. flaky: ${errorRate * 100} % errors + session expiry (answered)`, summary: fk },
    ]));
    const failedN = Object.values(flaky.failed).reduce((a, b) => a + b, 0);
    console.log(
      `flaky: answered ${flaky.answered}/${n} (${pct(flaky.answered, n)}), refused ${flaky.refused} (${pct(flaky.refused, n)}), ` +
        `failed ${failedN} ${JSON.stringify(flaky.failed)}, not run (time bound) ${flaky.notRun}; ${flaky.attempts} attempts (${(flaky.attempts / n).toFixed(2)} per query), ` +
        `${logins} fresh logins, breaker ${flakyBreaker?.state} (opened ${flakyBreaker?.opens ?? 0} times); took ${flakyS.toFixed(1)} s`,
    );
    console.log(`flaky / floor: median ${(fk.median / fl.median).toFixed(2)}x, p99 ${(fk.p99 / fl.p99).toFixed(2)}x`);
    console.log(`goal: >= ${GOAL * 100} % answered at ${errorRate * 100} % portal errors — ${flaky.answered / n >= GOAL ? 'MET' : 'NOT MET'}`);
    if (floor.answered !== n) failures.push(`floor: ${n - floor.answered} of ${n} failed with no faults`);
    failures.push(...floor.wrong.map((w) => `floor wrong: ${w}`), ...flaky.wrong.map((w) => `flaky wrong: ${w}`));

    // 3. Down: a fresh breaker (the default policy) over the same pool.
    const down = new ToolRunner({
      registry: rt.registry,
      pool: rt.pool,
      api: rt.api.for,
      baseUrl: rt.baseUrl,
      dataDir: rt.dataDir,
      traces: config.RPA_TRACES,
      breakers: { volume: config.RPA_BREAKER_THRESHOLD, ...(config.RPA_BREAKER_MIN_CALLS !== undefined && { minCalls: config.RPA_BREAKER_MIN_CALLS }), failureRate: config.RPA_BREAKER_FAILURE_RATE, windowMs: config.RPA_BREAKER_WINDOW_MS, coolDownMs: config.RPA_BREAKER_COOLDOWN_MS },
      deadlineMs: callDeadlineMs(config),
      screenshotAfterResult: true,
    });
    sandbox.faults.set({ system: 'resource', unavailable: true });
    let calls = 0;
    let attempts = 0;
    const d0 = performance.now();
    const tasksBefore = rt.pool.stats().systems.resource?.tasks ?? 0;
    while (!down.circuitOpen('resource') && calls < 100) {
      calls++;
      try {
        await down.run('resource.getPort', QUERIES[0], { caller: SYS });
        failures.push('down: a call to a portal answering 503 succeeded');
      } catch (e) {
        attempts += recordOf(e)?.attempts ?? 0;
      }
    }
    const openMs = performance.now() - d0;
    const tasksAtOpen = rt.pool.stats().systems.resource?.tasks ?? 0;
    const refusalMs: number[] = [];
    for (let i = 0; i < refusals; i++) {
      const r0 = performance.now();
      try {
        await down.run('resource.getPort', QUERIES[i % QUERIES.length], { caller: SYS });
      } catch (e) {
        if ((e as { code?: string }).code !== 'circuit_open') failures.push(`down: refusal ${i} was ${(e as { code?: string }).code}`);
      }
      refusalMs.push(performance.now() - r0);
    }
    const browserDuringRefusals = (rt.pool.stats().systems.resource?.tasks ?? 0) - tasksAtOpen;
    sandbox.faults.reset();
    await down.settled();
    console.log(`\ndown (503 to everything): opened after ${calls} calls / ${attempts} attempts (${tasksAtOpen - tasksBefore} browser tasks) in ${(openMs / 1000).toFixed(1)} s`);
    console.log(formatTable([{ label: '3. refusal while open (circuit_open)', summary: summarize(refusalMs) }]));
    console.log(`browser tasks during the ${refusals} refusals: ${browserDuringRefusals}`);
    if (browserDuringRefusals !== 0) failures.push(`down: ${browserDuringRefusals} browser tasks while the breaker was open`);
  } finally {
    await rt?.close();
    await sandbox.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`\n${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
    return 1;
  }
  return 0;
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
