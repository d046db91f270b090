/**
 * A separate OS process for tests/thread-lease.processes.test.ts: opens its own pool on the given
 * PostgreSQL and runs jobs on one thread through the real ThreadLock.
 *   WORKER_MODE=count  JOBS times: read a counter, pause, write it + 1 (a lost update if two overlap)
 *   WORKER_MODE=hold   take the thread, print HOLDING, and never let go (the test kills it with -9)
 */
import { openDb } from '../../src/store/db.js';
import { ThreadLock } from '../../src/agents/thread-lock.js';

const url = process.env.DATABASE_URL!;
const thread = process.env.WORKER_THREAD ?? 'shared';
const db = await openDb({ databaseUrl: url, dataDir: '.', poolSize: 2 });
const lock = new ThreadLock(db, { leaseTtlMs: Number(process.env.WORKER_TTL_MS ?? 15_000) });

if (process.env.WORKER_MODE === 'hold') {
  await lock.run(thread, async () => {
    process.stdout.write('HOLDING\n');
    await new Promise(() => undefined);
  });
} else {
  const jobs = Number(process.env.JOBS ?? 10);
  await Promise.all(
    Array.from({ length: jobs }, (_, j) =>
      lock.run(thread, async () => {
        const { rows } = await db.query<{ n: number }>('SELECT n FROM lease_probe WHERE id = 1');
        await new Promise((r) => setTimeout(r, 10));
        await db.query('UPDATE lease_probe SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
        await db.query('INSERT INTO lease_probe_log (pid, job) VALUES ($1, $2)', [process.pid, j]);
      }),
    ),
  );
  await db.close();
  process.stdout.write('DONE\n');
}
