/**
 * The RPA tool layer on its own (no agent, no database): what the ToolRunner + warm BrowserPool
 * cost over bare Playwright, what the warm pool saves over a fresh browser per call, and how a
 * batch query scales with pages per system.
 *
 *   npm run bench:rpa     knobs: BENCH_N=40 (runner, floor rounds), BENCH_N_FRESH=6, BENCH_WARMUP=5,
 *                         BENCH_BATCH=200 (numbers per batch), BENCH_PAGES=1,2,4, BENCH_PARTS=a,b (a: latency,
 *                         b: batch + memory), CHROMIUM_PATH
 *
 * (a) warm read latency of resource.getPort: the real ToolRunner from createToolRuntime (evidence
 *     screenshot on every call, handed back after the result) vs the floor (bare Playwright, its own
 *     browser, one warm logged-in page, the same navigation and the same page reads as the tool) vs
 *     a fresh browser per call. Interleaved rounds. Goals: runner median <= 1.2 x floor median, and
 *     a fresh browser >= 10 x slower than the runner (medians).
 * (b) throughput of a batch number-status query (runBatch, crm.getNumberStatus) with 1, 2, 4 pages.
 * (c) peak RSS of the pool's Chromium process tree during (b), per page count.
 *
 * Exits 1 when a measured call fails with a SystemError or reads a wrong value; the goal lines are
 * printed either way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { loadConfig, type Config } from '../src/config.js';
import { startSandbox, type SandboxHandle } from '../src/sandbox/server.js';
import { runBatch } from '../src/tools/batch.js';
import { processTree, pssMb, treeRssMb } from '../src/tools/proc-memory.js';
import { pageResult, pick, readKeyValues } from '../src/tools/portal/page-reading.js';
import { ToolRunner } from '../src/tools/runner.js';
import { systemCaller } from '../src/tools/scope.js';
import { createToolRuntime, type ToolRuntime } from '../src/tools/runtime.js';
import { CONTEXT_OPTIONS, chromiumPath, launchChromium, loginVia, open, portUrl, type PortTarget } from './lib/bare-playwright.js';
import { formatTable, summarize } from './lib/stats.js';

const SYS = systemCaller('test');

const TARGET: PortTarget = { olt: 'OLT-HZ-01', fsp: '0/1/3' };
const RATIO_GOAL = 1.2;
const FRESH_GOAL = 10;

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (got "${raw}")`);
  return n;
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const mb = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(0)} MB`);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** The port page's Rx power, read the way resource.getPort reads it (outcome box, then the key/value rows). */
async function readRx(page: Page): Promise<number> {
  const outcome = await pageResult(page);
  if (outcome?.result === 'not_found') throw new Error('port not found');
  const kv = await readKeyValues(page);
  return Number.parseFloat(pick(kv, 'Rx power (dBm)', 'resource'));
}

/** Bare Playwright: its own browser, one warm logged-in page. */
async function startFloor(sandboxUrl: string, creds: { username: string; password: string }) {
  const browser = await launchChromium();
  const context = await browser.newContext(CONTEXT_OPTIONS);
  const page = await context.newPage();
  await loginVia(page, portUrl(sandboxUrl, TARGET), creds);
  return {
    async read(): Promise<number> {
      await open(page, portUrl(sandboxUrl, TARGET));
      return readRx(page);
    },
    close: () => browser.close(),
  };
}

/** A fresh Chromium per call: launch, land on the login form, log in, read, close. */
async function readFresh(sandboxUrl: string, creds: { username: string; password: string }): Promise<number> {
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext(CONTEXT_OPTIONS)).newPage();
    await loginVia(page, portUrl(sandboxUrl, TARGET), creds);
    return await readRx(page);
  } finally {
    await browser.close();
  }
}

async function latency(config: Config, sandbox: SandboxHandle, failures: string[]): Promise<void> {
  const n = envInt('BENCH_N', 40, 1);
  const nFresh = envInt('BENCH_N_FRESH', 6, 0);
  const warmup = envInt('BENCH_WARMUP', 5, 0);
  const creds = { username: config.LEGACY_USERNAME, password: config.LEGACY_PASSWORD };
  console.log(`(a) warm read latency: resource.getPort ${TARGET.olt} ${TARGET.fsp}; n=${n} (runner, floor), n=${nFresh} (fresh browser), warm-up ${warmup}`);

  const rt = await createToolRuntime(config, { sandboxUrl: sandbox.url });
  // Diagnostic: the same pool and tools, but each call waits for its screenshot (the old way).
  const blocking = new ToolRunner({ registry: rt.registry, pool: rt.pool, baseUrl: rt.baseUrl, dataDir: rt.dataDir, traces: 'off' });
  const floor = await startFloor(sandbox.url, creds);
  try {
    const expected = await floor.read();
    const check = (label: string, rx: number) => {
      if (rx !== expected) failures.push(`${label}: read Rx ${rx}, expected ${expected}`);
    };
    const viaRunner = (r: Pick<ToolRunner, 'run'>, label: string) => async () => {
      const { ms, value } = await timed(() => r.run('resource.getPort', TARGET, { caller: SYS }));
      check(label, (value.output as { rxPowerDbm: number }).rxPowerDbm);
      return ms;
    };
    const runner = viaRunner(rt.runner, 'runner');
    const runnerBlocking = viaRunner(blocking, 'runner (screenshot awaited)');
    const bare = async () => {
      const { ms, value } = await timed(() => floor.read());
      check('floor', value);
      return ms;
    };
    const fresh = async () => {
      const { ms, value } = await timed(() => readFresh(sandbox.url, creds));
      check('fresh', value);
      return ms;
    };

    for (let i = 0; i < warmup; i++) {
      await runner();
      await bare();
      await runnerBlocking();
    }
    if (warmup > 0 && nFresh > 0) await fresh();
    await rt.runner.settled();

    const s = { runner: [] as number[], floor: [] as number[], blocking: [] as number[], fresh: [] as number[] };
    const freshEvery = nFresh > 0 ? Math.max(1, Math.floor(n / nFresh)) : Infinity;
    const t0 = performance.now();
    for (let r = 0; r < n; r++) {
      // Alternate the order, so neither always follows the other's GC or page churn.
      if (r % 2 === 0) {
        s.runner.push(await runner());
        s.floor.push(await bare());
        s.blocking.push(await runnerBlocking());
      } else {
        s.blocking.push(await runnerBlocking());
        s.floor.push(await bare());
        s.runner.push(await runner());
      }
      if (r % freshEvery === Math.floor(freshEvery / 2) && s.fresh.length < nFresh) s.fresh.push(await fresh());
    }
    while (s.fresh.length < nFresh) s.fresh.push(await fresh());
    await rt.runner.settled();
    const roundsMs = performance.now() - t0;

    const ru = summarize(s.runner);
    const fl = summarize(s.floor);
    const bl = summarize(s.blocking);
    const fr = summarize(s.fresh);
    console.log(
      formatTable([
        { label: '1. ToolRunner + warm pool (screenshot after the result)', summary: ru },
        { label: '2. floor: bare Playwright, warm page, same reads', summary: fl },
        { label: '   (diagnostic) ToolRunner, screenshot awaited', summary: bl },
        { label: '3. fresh browser per call', summary: fr },
      ]),
    );
    console.log(`rounds took ${(roundsMs / 1000).toFixed(1)} s; loadavg now ${load()}`);
    const ratio = ru.median / fl.median;
    const saving = fr.median / ru.median;
    console.log(`runner / floor: median ${ratio.toFixed(2)}x, p99 ${(ru.p99 / fl.p99).toFixed(2)}x; screenshot-awaited / floor: median ${(bl.median / fl.median).toFixed(2)}x`);
    console.log(
      `goal: runner median <= ${RATIO_GOAL} x floor median — ${ratio <= RATIO_GOAL ? 'MET' : 'NOT MET'} (${ru.median.toFixed(1)} ms vs ${(RATIO_GOAL * fl.median).toFixed(1)} ms)`,
    );
    if (fr.n > 0) {
      console.log(
        `goal: fresh browser >= ${FRESH_GOAL} x runner (medians) — ${saving >= FRESH_GOAL ? 'MET' : 'NOT MET'} (${saving.toFixed(1)}x: ${fr.median.toFixed(0)} ms vs ${ru.median.toFixed(1)} ms)`,
      );
    }
  } finally {
    await floor.close().catch(() => undefined);
    await rt.close();
  }
}

async function throughput(config: Config, sandbox: SandboxHandle, failures: string[]): Promise<void> {
  const size = envInt('BENCH_BATCH', 200, 1);
  const pageCounts = (process.env.BENCH_PAGES ?? '1,2,4').split(',').map((v) => Number(v.trim())).filter((v) => Number.isInteger(v) && v >= 1);
  const mobiles = sandbox.state.customers.map((c) => c.mobile);
  const inputs = Array.from({ length: size }, (_, i) => ({ mobile: mobiles[i % mobiles.length]! }));
  console.log(`\n(b) batch of ${size} numbers with runBatch (concurrency = pages per system), (c) peak RSS of the pool's browser during it`);
  const rows: { label: string; summary: ReturnType<typeof summarize> }[] = [];
  const lines: string[] = [];
  for (const pages of pageCounts) {
    const rt = await createToolRuntime(config, { sandboxUrl: sandbox.url, pagesPerSystem: pages });
    try {
      let tool = 'crm.getNumberStatus';
      try {
        if (!rt.registry.get(tool)) throw new Error('not registered');
        await rt.runner.run(tool, inputs[0], { caller: SYS });
      } catch (e) {
        if (pages === pageCounts[0]) console.log(`   crm.getNumberStatus unusable (${(e as Error).message.split('\n')[0]}); using crm.getCustomer`);
        tool = 'crm.getCustomer';
      }
      // Warm-up: open and log in every page first.
      await Promise.all(inputs.slice(0, pages * 2).map((input) => rt.runner.run(tool, input, { caller: SYS }).catch(() => undefined)));
      await rt.runner.settled();

      const pid = rt.pool.browserProcessId;
      let peak = 0;
      const sample = () => {
        if (pid !== null) peak = Math.max(peak, treeRssMb(pid) ?? 0);
      };
      sample();
      const sampler = setInterval(sample, 100);
      const perItem: number[] = [];
      const timedRunner = {
        run: async (name: string, input: unknown) => {
          const t0 = performance.now();
          try {
            return await rt.runner.run(name, input, { caller: SYS });
          } finally {
            perItem.push(performance.now() - t0);
          }
        },
      };
      const t0 = performance.now();
      const res = await runBatch({ runner: timedRunner, tool, inputs, pool: rt.pool });
      await rt.runner.settled();
      const wallMs = performance.now() - t0;
      clearInterval(sampler);
      sample();
      const tPss = performance.now();
      const pss = pid !== null ? pssMb(processTree(pid)) : null;
      const pssCostMs = performance.now() - tPss;
      const sysFailures = res.items.filter((i) => !i.ok && i.error.kind === 'system');
      for (const f of sysFailures.slice(0, 3)) if (!f.ok) failures.push(`batch (${pages} pages): ${f.error.code} ${f.error.message}`);
      rows.push({ label: `${pages} page${pages === 1 ? '' : 's'} (${tool}), per item`, summary: summarize(perItem) });
      lines.push(
        `${pages} page${pages === 1 ? ' ' : 's'}: ${(size / (wallMs / 1000)).toFixed(1)} items/s (${(wallMs / 1000).toFixed(1)} s; ok ${res.ok}, failed ${res.failed}, system errors ${sysFailures.length}); ` +
          `browser tree peak VmRSS sum ${mb(peak)}, PSS at end ${mb(pss)} (one PSS sample: ${pssCostMs.toFixed(1)} ms, as the pool's memory bound reads it); loadavg ${load()}`,
      );
    } finally {
      await rt.close();
    }
  }
  console.log(formatTable(rows));
  for (const l of lines) console.log(l);
}

async function main(): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-rpa-'));
  const sandbox = await startSandbox({ port: 0 });
  const failures: string[] = [];
  try {
    console.log(`rpa-tools benchmark — ${new Date().toISOString()}`);
    console.log(`node ${process.version}, ${os.cpus().length} cpus, loadavg ${load()}, chromium ${chromiumPath()}\n`);
    const config = loadConfig({ DATA_DIR: dataDir, CHROMIUM_PATH: chromiumPath(), RPA_TRACES: 'off', LOG_LEVEL: 'warn' });
    const parts = (process.env.BENCH_PARTS ?? 'a,b').split(',').map((p) => p.trim());
    if (parts.includes('a')) await latency(config, sandbox, failures);
    if (parts.includes('b')) await throughput(config, sandbox, failures);
  } finally {
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
