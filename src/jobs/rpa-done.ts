/**
 * "This RPA job's answer is stored": how a worker tells the bot replica waiting for it. On
 * PostgreSQL the worker's INSERT into rpa_results carries a pg_notify in the same statement, heard
 * on the process's one LISTEN connection; on embedded PGlite the worker is in this process and
 * says it directly. Either way the waiter reads the row itself: a notification is only a wake-up,
 * and a missed one is made good by the waiter's own look (jobs/job-invoker.ts).
 */
import type { Queryable, Db } from '../store/db.js';
import { pgListenerFor } from '../store/pg-listener.js';
import { RPA_DONE_CHANNEL } from './rpa-call.js';

export interface RpaDoneBus {
  /** Called with each finished job's id; `relook` when notifications may have been missed. */
  subscribe(fn: (jobId: string) => void, relook: () => void): () => void;
  /** Store a job's sealed answer and tell the waiter. */
  store(db: Queryable, jobId: string, sealedResult: unknown): Promise<void>;
  /** True when a notification can be relied on to arrive (else waiters look more often). */
  readonly live: () => boolean;
}

const buses = new WeakMap<Db, RpaDoneBus>();

export function rpaDoneBus(db: Db): RpaDoneBus {
  const known = buses.get(db);
  if (known) return known;
  const listener = pgListenerFor(db);
  const local = new Set<(jobId: string) => void>();
  const bus: RpaDoneBus = listener
    ? {
        subscribe: (fn, relook) => listener.subscribe(RPA_DONE_CHANNEL, { notify: fn, listening: () => relook() }),
        store: async (q, jobId, sealed) => {
          await q.query(
            `WITH ins AS (INSERT INTO rpa_results (job_id, result) VALUES ($1, $2)
                          ON CONFLICT (job_id) DO UPDATE SET result = EXCLUDED.result RETURNING job_id)
             SELECT pg_notify($3, job_id::text) FROM ins`,
            [jobId, sealed, RPA_DONE_CHANNEL],
          );
        },
        live: () => listener.listening(RPA_DONE_CHANNEL),
      }
    : {
        subscribe: (fn) => {
          local.add(fn);
          return () => local.delete(fn);
        },
        store: async (q, jobId, sealed) => {
          await q.query(`INSERT INTO rpa_results (job_id, result) VALUES ($1, $2) ON CONFLICT (job_id) DO UPDATE SET result = EXCLUDED.result`, [jobId, sealed]);
          for (const fn of [...local]) fn(jobId);
        },
        live: () => true,
      };
  buses.set(db, bus);
  return bus;
}

/** Answers nobody read (their asker died) go after an hour. */
export async function pruneRpaResults(db: Queryable): Promise<number> {
  const res = await db.query(`DELETE FROM rpa_results WHERE created_at < now() - interval '1 hour'`);
  return res.rowCount ?? 0;
}
