/**
 * Periodic work that must run once across all replicas (the approvals' expiry and escalation
 * sweep, the outbox recovery, evidence pruning, the raw-data purge), on pg-boss: every replica
 * offers a tick each interval as a singleton job (one per task and time slot, so pg-boss keeps a
 * single one whatever the number of replicas offering it), and whichever replica's loop takes it
 * runs the task. A replica that dies mid-task leaves its job to pg-boss's expiry; the next slot
 * runs anyway. pg-boss's cron (`schedule`) has minute steps; these intervals are seconds.
 */
import type { PgBoss } from 'pg-boss';
import type { Db } from '../store/db.js';

export const SCHEDULED_TASKS = ['sweep-approvals', 'recover-outbox', 'prune-evidence', 'purge-raw'] as const;
export type ScheduledTask = (typeof SCHEDULED_TASKS)[number];
const queueOf = (task: ScheduledTask) => `sched-${task}`;

/** Queue settings of the scheduled tasks (created at install, jobs/boss.ts). */
export const scheduledQueues = SCHEDULED_TASKS.map((t) => ({
  name: queueOf(t),
  options: { retryLimit: 0, expireInSeconds: 600, retentionSeconds: 600, deleteAfterSeconds: 3600, notify: true },
}));

export interface ScheduledRuns {
  /** Runs of each task in this process, for /healthz and tests. */
  counts(): Record<ScheduledTask, number>;
  stop(): Promise<void>;
}

export async function startScheduled(
  boss: PgBoss,
  db: Db,
  tasks: Partial<Record<ScheduledTask, { everyMs: number; run: () => Promise<unknown> }>>,
  log: (msg: string) => void = (msg) => console.error(`[scheduled] ${msg}`),
): Promise<ScheduledRuns> {
  const counts = Object.fromEntries(SCHEDULED_TASKS.map((t) => [t, 0])) as Record<ScheduledTask, number>;
  const timers: NodeJS.Timeout[] = [];
  const workers: { queue: string; id: string }[] = [];
  for (const task of SCHEDULED_TASKS) {
    const spec = tasks[task];
    if (!spec) continue;
    const queue = queueOf(task);
    const slotSeconds = Math.max(1, Math.round(spec.everyMs / 1000));
    const polling = Math.min(300, Math.max(2, slotSeconds));
    const id = await boss.work(queue, { batchSize: 1, pollingIntervalSeconds: polling, notifyPollingIntervalSeconds: Math.max(60, polling) }, async ([job]) => {
      if (!job) return null;
      counts[task]++;
      await spec.run().catch((e: Error) => log(`${task}: ${e.message}`));
      return null;
    });
    workers.push({ queue, id });
    const offer = () =>
      void boss
        .send(queue, {}, { singletonKey: task, singletonSeconds: slotSeconds })
        .then((sent) => {
          // Embedded: no NOTIFY to hear; wake this process's own loop.
          if (sent && db.kind === 'pglite') boss.notifyWorker(id);
        })
        .catch((e: Error) => log(`${task}: could not offer the tick: ${e.message}`));
    const timer = setInterval(offer, spec.everyMs);
    timer.unref();
    timers.push(timer);
  }
  return {
    counts: () => ({ ...counts }),
    stop: async () => {
      for (const t of timers) clearInterval(t);
      for (const w of workers) await boss.offWork(w.queue, { id: w.id, wait: true }).catch(() => undefined);
    },
  };
}
