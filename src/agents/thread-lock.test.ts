import { describe, expect, it } from 'vitest';
import { ThreadLock } from './thread-lock.js';
import type { Db } from '../store/db.js';

const fakeDb = { kind: 'pglite' } as unknown as Db;

describe('ThreadLock', () => {
  it('never runs two jobs of one thread at once, and keeps their order', async () => {
    const lock = new ThreadLock(fakeDb);
    const events: string[] = [];
    let active = 0;
    let maxActive = 0;
    const job = (name: string, ms: number) => async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      events.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`end ${name}`);
      active--;
      return name;
    };
    const results = await Promise.all([lock.run('t1', job('a', 30)), lock.run('t1', job('b', 5)), lock.run('t1', job('c', 1))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(maxActive).toBe(1);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('lets different threads run side by side and survives a failing job', async () => {
    const lock = new ThreadLock(fakeDb);
    let concurrent = 0;
    let peak = 0;
    const slow = async () => {
      concurrent++;
      peak = Math.max(peak, concurrent);
      await new Promise((r) => setTimeout(r, 20));
      concurrent--;
    };
    await Promise.all([lock.run('x', slow), lock.run('y', slow)]);
    expect(peak).toBe(2);
    await expect(lock.run('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('x', async () => 'after')).resolves.toBe('after');
    await lock.idle();
  });
});

// ---------------------------------------------------------------- leases on a real database

import { afterAll, beforeAll } from 'vitest';
import { openDb } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { tryAcquireLease } from '../store/thread-leases.js';
import { ThreadBusyError, LeaseLostError } from './thread-lock.js';
import { createTestDatabase, dbKinds, type TestDatabase } from '../../tests/helpers/test-app.js';

const kinds = await dbKinds();

describe.each(kinds)('ThreadLock leases on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;
  const leaseRows = async (thread: string) =>
    (await db.query<{ owner: string; expired: boolean }>('SELECT owner, expires_at <= now() AS expired FROM thread_leases WHERE thread_id = $1', [thread])).rows;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    // A pool of ONE on both: the old lock pinned a connection per turn and deadlocked right here.
    db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 1, inMemory: kind === 'pglite', acquireTimeoutMs: 5_000 });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('serializes one thread between two owners without holding a connection while waiting or running', async () => {
    // Two owners = two processes as far as the lease is concerned (PGlite: polled, PostgreSQL: LISTEN).
    const a = new ThreadLock(db, { crossProcess: true, leaseTtlMs: 3_000 });
    const b = new ThreadLock(db, { crossProcess: true, leaseTtlMs: 3_000 });
    let active = 0;
    let overlap = 0;
    const order: number[] = [];
    const job = (i: number) => async () => {
      active++;
      if (active > 1) overlap++;
      // The job's own queries get the pool's only connection although others wait for the thread.
      for (let q = 0; q < 5; q++) await db.query('SELECT 1');
      await new Promise((r) => setTimeout(r, 5));
      order.push(i);
      active--;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? b : a).run('shared', job(i))));
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(overlap).toBe(0);
    expect(order).toHaveLength(12);
    // Each owner keeps its own arrival order.
    expect(order.filter((i) => i % 2 === 0)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(order.filter((i) => i % 2 === 1)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(await leaseRows('shared')).toEqual([]);
    expect(db.poolStats().waiting).toBe(0);
  });

  it('takes over a lease whose holder died, but not before it lapses', async () => {
    // A holder killed with -9 leaves its row behind and stops renewing it.
    expect(await tryAcquireLease(db, 'orphan', 'dead-process', 1_500)).toEqual({ acquired: true });
    const deadExpiry = (await db.query<{ expires_at: Date }>("SELECT expires_at FROM thread_leases WHERE thread_id = 'orphan'")).rows[0]!.expires_at;
    const lock = new ThreadLock(db, { crossProcess: true, leaseTtlMs: 3_000 });
    const seen = await lock.run('orphan', async () => {
      const rows = await leaseRows('orphan');
      const lapsed = await db.query<{ lapsed: boolean }>("SELECT bool_and(acquired_at >= $1::timestamptz) AS lapsed FROM thread_leases WHERE thread_id = 'orphan'", [
        deadExpiry,
      ]);
      return { rows, lapsed: lapsed.rows[0]!.lapsed };
    });
    expect(seen.rows).toEqual([{ owner: lock.owner, expired: false }]);
    // The takeover happened at or after the dead holder's expiry, by the database's own clock.
    expect(seen.lapsed).toBe(true);
    expect(await leaseRows('orphan')).toEqual([]);
  });

  it('gives the lease back when the job fails, and the next job runs', async () => {
    const lock = new ThreadLock(db, { crossProcess: true });
    await expect(lock.run('failing', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await leaseRows('failing')).toEqual([]);
    const other = new ThreadLock(db, { crossProcess: true });
    await expect(other.run('failing', async () => 'next')).resolves.toBe('next');
  });

  it('fails a waiter with ThreadBusyError after its wait, and the holder is unaffected', async () => {
    const holder = new ThreadLock(db, { crossProcess: true });
    const waiter = new ThreadLock(db, { crossProcess: true, waitMs: 300 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const holding = new Promise<void>((r) => (started = r));
    const held = holder.run('slow', async () => {
      started();
      await gate;
      return 'held';
    });
    await holding;
    await expect(waiter.run('slow', async () => 'never')).rejects.toBeInstanceOf(ThreadBusyError);
    release();
    await expect(held).resolves.toBe('held');
    expect(await leaseRows('slow')).toEqual([]);
    const stats = db.poolStats();
    expect(stats.waiting).toBe(0);
    expect(stats.idle).toBe(stats.total);
  });

  it('aborts the job of a holder whose lease was taken over', async () => {
    const lock = new ThreadLock(db, { crossProcess: true, leaseTtlMs: 1_000 });
    const aborted = await lock.run('stolen', async (signal) => {
      // Someone else holds it now (as after this holder stalled past its TTL).
      await db.query("UPDATE thread_leases SET owner = 'usurper' WHERE thread_id = 'stolen'");
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      return signal.reason;
    });
    expect(aborted).toBeInstanceOf(LeaseLostError);
    // The usurper's lease is left alone.
    expect((await leaseRows('stolen')).map((r) => r.owner)).toEqual(['usurper']);
  });
});
