/**
 * pg-boss on the app's own database: the job queue that carries RPA work from bot replicas to the
 * workers that own a browser, and the scheduled sweeps that must run once across replicas.
 *
 * Its statements go through the app's Db (`executeSql` → db.query), so on embedded PGlite they
 * share the one connection's queue (and its priority gate) with everything else, and on PostgreSQL
 * they use the app's pool and the role it runs as. On PostgreSQL, workers are woken by pg-boss's
 * LISTEN/NOTIFY, heard on the process's one LISTEN connection (store/pg-listener.ts); on PGlite
 * there is no other process, and the sender wakes its own workers directly (`wake`).
 *
 * The schema is installed with the migrations, as the schema owner (`installJobs`); the runtime
 * role then only reads and writes its tables (store/db-roles.ts grants it).
 */
import { PgBoss, type Db as IDatabase } from 'pg-boss';
import type { Db } from '../store/db.js';
import { pgListenerFor } from '../store/pg-listener.js';
import { RPA_QUEUE } from './rpa-call.js';
import { scheduledQueues } from './scheduled.js';

export const JOBS_SCHEMA = 'pgboss';

/** pg-boss's view of the app's Db. */
function adapter(db: Db): IDatabase {
  const listener = pgListenerFor(db);
  return {
    executeSql: async (text, values) => db.query(text, values),
    ...(listener && {
      listen: async (channel: string, onNotification: (payload: string) => void, onReconnect: () => void) => {
        const off = listener.subscribe(channel, { notify: onNotification, listening: (on) => on && onReconnect() });
        return { close: async () => off() };
      },
    }),
  };
}

export interface QueueSettings {
  /** Seconds an RPA job may stay active (its call's deadline plus a margin). */
  rpaExpireSeconds: number;
}

/** The queues and their settings; created (or updated) at install. */
function queues(s: QueueSettings) {
  return [
    {
      name: RPA_QUEUE,
      options: {
        // A worker that died holding a job misses its heartbeats; the job then fails (never
        // silently re-run: a write's retry is the outbox's decision, after a read-back).
        heartbeatSeconds: 10,
        expireInSeconds: s.rpaExpireSeconds,
        retryLimit: 0,
        // A request no worker took within ten minutes is gone: its caller stopped waiting long ago.
        retentionSeconds: 600,
        // Finished jobs are kept an hour for the ops view; their data is sealed.
        deleteAfterSeconds: 3600,
        notify: true,
      },
    },
    ...scheduledQueues,
  ];
}

function maintenance(opts: { superviseSeconds: number }) {
  return {
    schema: JOBS_SCHEMA,
    superviseIntervalSeconds: opts.superviseSeconds,
    monitorIntervalSeconds: opts.superviseSeconds,
  };
}

/** Install pg-boss's schema and the app's queues (under the migration lock, as the schema owner). */
export async function installJobs(owner: Db, s: QueueSettings): Promise<void> {
  const boss = new PgBoss({ db: adapter(owner), schema: JOBS_SCHEMA, migrate: true, supervise: false, schedule: false });
  boss.on('error', (e: Error) => console.error('[jobs] install:', e.message));
  await boss.start();
  try {
    for (const q of queues(s)) {
      if (await boss.getQueue(q.name)) await boss.updateQueue(q.name, q.options);
      else await boss.createQueue(q.name, q.options);
    }
  } finally {
    await boss.stop({ graceful: false, close: false });
  }
}

export interface StartBossOptions {
  /** Seconds between pg-boss's supervision passes (expired jobs, missed heartbeats). */
  superviseSeconds?: number;
  log?: (level: 'warn' | 'error', msg: string) => void;
}

/** A started pg-boss for this process (the schema must be installed). */
export async function startBoss(db: Db, opts: StartBossOptions = {}): Promise<PgBoss> {
  const log = opts.log ?? ((level, msg) => console[level](`[jobs] ${msg}`));
  const boss = new PgBoss({
    db: adapter(db),
    ...maintenance({ superviseSeconds: opts.superviseSeconds ?? 5 }),
    migrate: false,
    // Index rebuilds need the tables' owner; the runtime role is not (store/db-roles.ts).
    reindex: false,
    useListenNotify: db.kind === 'postgres',
  });
  boss.on('error', (e: Error) => log('error', e.message));
  boss.on('warning', (w: { message?: string }) => log('warn', w.message ?? String(w)));
  await boss.start();
  return boss;
}
