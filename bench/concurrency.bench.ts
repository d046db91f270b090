/**
 * Many conversations at once (issue 10 §1): turns per second and p50/p99 turn latency at 1, 10, 50
 * and 100 concurrent conversations, on embedded PGlite and on PostgreSQL, next to a floor measured
 * in the same run: a bare LangGraph graph (one trivial node) with the same PostgresSaver on the
 * same database and pool, driven at the same concurrency.
 *
 * A Switchboard turn is `POST /console/api/messages?wait=1` with `help` (no browser, no LLM): the
 * inbox, the thread lock, the agent graph with its checkpoints, runs, audit and the console
 * transcript. Each level keeps `c` conversations in flight (closed loop: a conversation sends its
 * next message when the last one is answered), every message in a conversation of its own.
 *
 *   npm run bench:concurrency
 *   BENCH_LEVELS=1,10 BENCH_DBS=pglite npm run bench:concurrency
 *
 * Knobs: BENCH_LEVELS (1,10,50,100), BENCH_DBS (pglite,postgres), BENCH_POOL (PostgreSQL pool,
 * default 10 = the product default), BENCH_MIN_TURNS (30 per level; at least 2 per conversation),
 * BENCH_LEVEL_SECONDS (60: a level stops sending after this), TEST_PG_URL. Any unanswered turn
 * exits 1.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { loadConfig } from '../src/config.js';
import { startApp, type App } from '../src/app.js';
import { createTestDatabase, postgresAvailable, type DbKind } from '../tests/helpers/test-app.js';
import { summarize } from './lib/stats.js';

const LEVELS = (process.env.BENCH_LEVELS ?? '1,10,50,100').split(',').map(Number);
const DBS = (process.env.BENCH_DBS ?? 'pglite,postgres').split(',') as DbKind[];
const POOL = process.env.BENCH_POOL ?? '10';
const MIN_TURNS = Number(process.env.BENCH_MIN_TURNS ?? 30);
const LEVEL_MS = Number(process.env.BENCH_LEVEL_SECONDS ?? 60) * 1000;
const HELP_LINE = 'dispatch T20261124-0012';

interface LevelResult {
  turns: number;
  failures: number;
  wallMs: number;
  latencies: number[];
  loopP99Ms: number;
}

/** Keep c calls in flight until `total` are done or the level's time is up. */
async function closedLoop(c: number, total: number, call: (i: number) => Promise<boolean>): Promise<LevelResult> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < total && performance.now() - started < LEVEL_MS) {
        const i = next++;
        const t0 = performance.now();
        const ok = await call(i).catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) failures++;
      }
    }),
  );
  const wallMs = performance.now() - started;
  loop.disable();
  return { turns: latencies.length, failures, wallMs, latencies, loopP99Ms: loop.percentile(99) / 1e6 };
}

function bareGraph(app: App) {
  // The same saver class on the same pool as the app's own checkpointer.
  const saver = new PostgresSaver(app.db.pool);
  const State = Annotation.Root({ n: Annotation<number>() });
  return new StateGraph(State)
    .addNode('step', (s: typeof State.State) => ({ n: s.n + 1 }))
    .addEdge(START, 'step')
    .addEdge('step', END)
    .compile({ checkpointer: saver });
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '—');

async function benchDb(kind: DbKind): Promise<string[]> {
  const db = await createTestDatabase(kind);
  const config = loadConfig({ ...db.env, PORT: '0', SANDBOX_PORT: '0', HOST: '127.0.0.1', DATABASE_POOL_SIZE: POOL });
  const app = await startApp(config);
  const rows: string[] = [];
  let run = 0;
  try {
    const graph = bareGraph(app);
    const say = async (conversation: string): Promise<boolean> => {
      const res = await fetch(`${app.url}/console/api/messages?wait=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: ['alice', 'bob', 'carol', 'dave', 'erin'][run++ % 5], text: 'help', conversation }),
      });
      if (res.status !== 200) return false;
      const body = (await res.json()) as { replies?: { text?: string }[] };
      return (body.replies ?? []).some((r) => (r.text ?? '').includes(HELP_LINE));
    };
    const bare = async (thread: string): Promise<boolean> => {
      const out = await graph.invoke({ n: 0 }, { configurable: { thread_id: thread } });
      return out.n === 1;
    };
    // Warm-up: JIT, prepared plans, the pool filled.
    await closedLoop(5, 10, (i) => say(`warm-${i}`));
    await closedLoop(5, 10, (i) => bare(`warm-${kind}-${i}`));
    for (const c of LEVELS) {
      const total = Math.max(MIN_TURNS, 2 * c);
      // Floor first, then the product, at the same concurrency and count.
      const floor = await closedLoop(c, total, (i) => bare(`floor-${c}-${i}-${Date.now()}`));
      const turn = await closedLoop(c, total, (i) => say(`bench-${c}-${i}-${Date.now()}`));
      if (turn.failures > 0 || floor.failures > 0) process.exitCode = 1;
      const f = summarize(floor.latencies);
      const t = summarize(turn.latencies);
      const tps = (r: LevelResult) => (r.turns / r.wallMs) * 1000;
      rows.push(
        `| ${kind.padEnd(8)} | ${String(c).padStart(4)} | ${String(turn.turns).padStart(5)} | ${tps(turn).toFixed(1).padStart(6)} | ${fmt(t.median).padStart(6)} | ${fmt(t.p99).padStart(6)} | ${String(turn.failures).padStart(4)} | ${tps(floor).toFixed(1).padStart(7)} | ${fmt(f.median).padStart(6)} | ${fmt(f.p99).padStart(6)} | ${(tps(floor) / tps(turn)).toFixed(1).padStart(5)}x | ${fmt(turn.loopP99Ms).padStart(5)} |`,
      );
      console.log(rows.at(-1));
    }
    const stats = app.db.poolStats();
    rows.push(`<!-- ${kind}: pool after the run: total ${stats.total}, idle ${stats.idle}, waiting ${stats.waiting} -->`);
  } finally {
    await app.close();
    await db.drop();
  }
  return rows;
}

async function main(): Promise<void> {
  const header = [
    '| db       | conc | turns | turn/s | p50 ms | p99 ms | fail | floor/s | fl p50 | fl p99 | floor÷turn | loop p99 ms |',
    '|----------|-----:|------:|-------:|-------:|-------:|-----:|--------:|-------:|-------:|------:|------:|',
  ];
  console.log(`concurrency bench: levels ${LEVELS.join(', ')}; PostgreSQL pool ${POOL} (PGlite: 1); at least ${MIN_TURNS} turns per level`);
  console.log(header.join('\n'));
  const all: string[] = [];
  for (const kind of DBS) {
    if (kind === 'postgres' && !(await postgresAvailable())) {
      console.log('| postgres | (no server at TEST_PG_URL: skipped) |');
      continue;
    }
    all.push(...(await benchDb(kind)));
  }
  console.log(`\n${header.join('\n')}\n${all.join('\n')}`);
  console.log('\nturn = console help turn end to end (client-timed); floor = bare LangGraph graph, one trivial node, same PostgresSaver, same pool.');
  console.log(`host: load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
