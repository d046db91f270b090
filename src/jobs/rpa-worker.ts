/**
 * A worker: takes RPA jobs and runs them on this process's tool runtime (its browser and page
 * pool, its HTTP-API clients, its circuit breakers). Several workers (`npm run worker`) share one
 * queue; with embedded PGlite the bot runs one in its own process. A job's answer, sealed, goes
 * to rpa_results and wakes its asker (jobs/rpa-done.ts); pg-boss's job row is completed after.
 *
 * `slots` pg-boss worker loops of one job each, so about as many calls run at once as the page
 * pool can serve (more would only queue inside the pool, out of reach of other workers with free
 * pages).
 */
import type { PgBoss, Job } from 'pg-boss';
import type { Db } from '../store/db.js';
import { recordOf, type ToolCallRecord, type ToolRunner } from '../tools/runner.js';
import { errorToJson, openRequest, RPA_QUEUE, sealResult, type RpaRequestParsed } from './rpa-call.js';
import { rpaDoneBus } from './rpa-done.js';

export interface RpaWorkerOptions {
  db: Db;
  boss: PgBoss;
  runner: Pick<ToolRunner, 'run' | 'verify' | 'scopeOf'>;
  /** Jobs this process runs at once. */
  slots: number;
  /** Seconds between polls while notifications are heard (a backstop only). */
  backstopPollSeconds?: number;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

export interface RpaWorker {
  /** Wake this process's idle loops now (embedded: the asker is in this process). */
  wake(): void;
  /** Jobs running now and done so far, for /healthz. */
  stats(): { slots: number; running: number; done: number; failed: number };
  stop(): Promise<void>;
}

export async function startRpaWorker(opts: RpaWorkerOptions): Promise<RpaWorker> {
  const { db, boss, runner } = opts;
  const bus = rpaDoneBus(db);
  const log = opts.log ?? ((msg, data) => console.error(`[worker] ${msg}`, data ?? ''));
  const counts = { running: 0, done: 0, failed: 0 };

  const handle = async (job: Job<unknown>): Promise<null> => {
    counts.running++;
    try {
      let req: RpaRequestParsed;
      try {
        req = openRequest(job.data);
      } catch (e) {
        // Not ours, or sealed with a key this process does not hold: answered, not retried.
        log('job refused: its request could not be opened', { id: job.id, error: (e as Error).message });
        await bus.store(db, job.id, sealResult({ records: [], outcome: { ok: false, error: { kind: 'other', message: 'the RPA request could not be read by the worker' } } }));
        counts.failed++;
        return null;
      }
      const records: ToolCallRecord[] = [];
      const common = {
        ...(req.caller && { caller: req.caller }),
        ...(req.targetScope && { targetScope: req.targetScope }),
        ...(req.runId && { runId: req.runId }),
        ...(req.idempotencyKey && { idempotencyKey: req.idempotencyKey }),
        ...(req.approval && { approval: req.approval }),
        onRecord: (r: ToolCallRecord) => void records.push(r),
      };
      let outcome: unknown;
      try {
        if (req.op === 'run') {
          if (req.approval) crashAt('write.before');
          const { output } = await runner.run(req.tool, req.input, common);
          if (req.approval) crashAt('write.saved');
          outcome = { ok: true, output };
        } else if (req.op === 'verify') {
          outcome = { ok: true, verify: await runner.verify(req.tool, req.input, req.output ?? null, common) };
        } else {
          outcome = { ok: true, owners: await runner.scopeOf(req.tool, req.input, common) };
        }
        counts.done++;
      } catch (e) {
        const record = recordOf(e);
        outcome = { ok: false, error: errorToJson(e), ...(record && { record }) };
        counts.failed++;
      }
      await bus.store(db, job.id, sealResult({ records, outcome }));
      return null;
    } finally {
      counts.running--;
    }
  };

  // Each loop takes one job at a time; after one it looks again at once (a backlog drains without
  // waiting for a poll), and a wake-up goes to one idle loop, not to all of them.
  const loops: { id: string; busy: boolean; wokenAt: number }[] = [];
  const pollingIntervalSeconds = db.kind === 'pglite' ? 10 : 2;
  for (let i = 0; i < Math.max(1, opts.slots); i++) {
    const loop = { id: '', busy: false, wokenAt: 0 };
    loop.id = await boss.work(RPA_QUEUE, { batchSize: 1, pollingIntervalSeconds, notifyPollingIntervalSeconds: opts.backstopPollSeconds ?? 30 }, async ([job]) => {
      if (!job) return null;
      loop.busy = true;
      loop.wokenAt = 0;
      try {
        return await handle(job);
      } finally {
        loop.busy = false;
        boss.notifyWorker(loop.id);
      }
    });
    loops.push(loop);
  }
  return {
    wake: () => {
      // A loop woken this last second is still fetching: the next job goes to another one.
      const now = Date.now();
      const idle = loops.find((l) => !l.busy && now - l.wokenAt > 1000);
      if (!idle) return;
      idle.wokenAt = now;
      boss.notifyWorker(idle.id);
    },
    stats: () => ({ slots: loops.length, ...counts }),
    stop: async () => {
      for (const l of loops) await boss.offWork(RPA_QUEUE, { id: l.id, wait: true }).catch(() => undefined);
    },
  };
}

/**
 * Test hook: SWITCHBOARD_WORKER_CRASH_AT=write.before|write.saved kills this worker with SIGKILL
 * when it takes an approved write, before the tool runs or after the system saved it and before
 * the answer is stored. Unset outside tests.
 */
function crashAt(point: 'write.before' | 'write.saved'): void {
  if (process.env.SWITCHBOARD_WORKER_CRASH_AT !== point) return;
  process.stderr.write(`[crash-hook] worker SIGKILL at ${point}\n`);
  process.kill(process.pid, 'SIGKILL');
}
