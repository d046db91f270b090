/**
 * Serializes work on one LangGraph thread. Two concurrent resumes of one thread would both run
 * the next node (measured), so every invoke and resume of a thread goes through here.
 *
 * - Within a process: a promise chain per thread (keeps arrival order, costs nothing).
 * - Across processes on PostgreSQL: a lease row (store/thread-leases.ts), taken with one short
 *   statement and renewed by one heartbeat statement per process for all its leases. No connection
 *   is held while waiting or while the turn runs, so the turn's own queries never queue behind its
 *   lock (the old session advisory lock pinned a pool connection per turn: ten turns on a pool of
 *   ten got no answers at all). Waiters are woken by the process's one LISTEN connection
 *   (store/lease-notifier.ts) and poll with jittered backoff as a fallback, never sleeping past the
 *   holder's expiry. A holder killed with -9 stops renewing: the thread is free after the TTL.
 * - A holder that cannot renew its lease (database unreachable for a whole TTL, or the lease taken
 *   over) has its job's AbortSignal fired, so it stops at the next step instead of running beside
 *   the new holder.
 * PGlite is one process by construction (the data-dir lock), so there the chain is enough.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db.js';
import { isDatabaseBusy } from '../store/db.js';
import { leaseNotifierFor, type LeaseNotifier } from '../store/lease-notifier.js';
import { releaseLease, renewLeases, tryAcquireLease } from '../store/thread-leases.js';

export interface ThreadLockOptions {
  /** Lease lifetime without renewal (config THREAD_LEASE_TTL_MS). */
  leaseTtlMs?: number;
  /** Longest wait for the thread, in this process and across processes (config THREAD_LOCK_WAIT_MS). */
  waitMs?: number;
  /** Take leases on the database; default: on PostgreSQL only. */
  crossProcess?: boolean;
  log?: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
}

/** The thread stayed busy (another turn of it held it) for longer than the wait allows. */
export class ThreadBusyError extends Error {
  override readonly name = 'ThreadBusyError';
  readonly code = 'THREAD_BUSY';
}

/** The lease was lost while the job ran (not renewed within its TTL, or taken over). */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

export const THREAD_LOCK_DEFAULTS = { leaseTtlMs: 15_000, waitMs: 180_000 } as const;
const MIN_BACKOFF_MS = 20;

interface Held {
  controller: AbortController;
  /** Local monotonic time of the last confirmed renewal (or the acquisition). */
  confirmedAt: number;
}

export class ThreadLock {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly held = new Map<string, Held>();
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly crossProcess: boolean;
  private readonly log: NonNullable<ThreadLockOptions['log']>;
  /** Unique per instance: two apps in one process are two owners. */
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  private heartbeat: NodeJS.Timeout | undefined;
  private renewing = false;
  private notifier: LeaseNotifier | undefined;

  constructor(
    private readonly db: Db,
    opts: ThreadLockOptions = {},
  ) {
    this.ttlMs = opts.leaseTtlMs ?? THREAD_LOCK_DEFAULTS.leaseTtlMs;
    this.waitMs = opts.waitMs ?? THREAD_LOCK_DEFAULTS.waitMs;
    this.crossProcess = opts.crossProcess ?? db.kind === 'postgres';
    this.log = opts.log ?? ((level, msg, data) => (level === 'info' ? undefined : console.error(`[thread-lock] ${msg}`, data ?? '')));
    if (this.crossProcess) this.notifier = leaseNotifierFor(db, this.log);
  }

  /**
   * Run fn alone for this thread (in this process and, on PostgreSQL, across processes), after
   * every job queued before it. fn gets a signal that fires if the lease is lost while it runs.
   * Rejects with ThreadBusyError if the thread stays taken for longer than the wait allows.
   */
  run<T>(threadId: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.waitMs;
    const prev = this.tails.get(threadId) ?? Promise.resolve();
    const job = (async () => {
      await settledBefore(prev, deadline, threadId);
      return this.exclusive(threadId, fn, deadline);
    })();
    // The next job waits for the one before this one too: a job that gave up waiting must not
    // let its successor start beside a predecessor that is still running.
    const tail = Promise.allSettled([prev, job]).then(() => undefined);
    this.tails.set(threadId, tail);
    void tail.then(() => {
      if (this.tails.get(threadId) === tail) this.tails.delete(threadId);
    });
    return job;
  }

  /** Resolves once every queued job has finished (for orderly shutdown and tests). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  /** Threads this instance holds a lease on right now (tests, diagnostics). */
  heldThreads(): string[] {
    return [...this.held.keys()];
  }

  private async exclusive<T>(threadId: string, fn: (signal: AbortSignal) => Promise<T>, deadline: number): Promise<T> {
    if (!this.crossProcess) return fn(new AbortController().signal);
    await this.acquire(threadId, deadline);
    const held: Held = { controller: new AbortController(), confirmedAt: performance.now() };
    this.held.set(threadId, held);
    this.startHeartbeat();
    try {
      return await fn(held.controller.signal);
    } finally {
      this.held.delete(threadId);
      if (this.held.size === 0) this.stopHeartbeat();
      await this.release(threadId);
    }
  }

  private async acquire(threadId: string, deadline: number): Promise<void> {
    let wake: (() => void) | undefined;
    let woken = false;
    const unsubscribe = this.notifier?.subscribe(threadId, () => {
      woken = true;
      wake?.();
    });
    try {
      let backoff = MIN_BACKOFF_MS;
      for (;;) {
        woken = false;
        let holderExpiresInMs = backoff;
        try {
          const r = await tryAcquireLease(this.db, threadId, this.owner, this.ttlMs);
          if (r.acquired) return;
          holderExpiresInMs = r.expiresInMs;
        } catch (err) {
          // A busy pool is worth another try within the deadline; anything else is a real fault.
          if (!isDatabaseBusy(err)) throw err;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new ThreadBusyError(`thread ${threadId} stayed busy for ${this.waitMs} ms`);
        if (woken) continue;
        const cap = this.notifier?.listening ? 2_000 : 500;
        const jittered = Math.min(backoff, cap) * (0.5 + Math.random());
        // Never sleep past the moment the holder's lease lapses (a holder killed with -9).
        const sleep = Math.max(1, Math.min(jittered, holderExpiresInMs + 5, left));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, sleep);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        backoff = Math.min(backoff * 2, cap);
      }
    } finally {
      unsubscribe?.();
    }
  }

  private async release(threadId: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await releaseLease(this.db, threadId, this.owner);
        return;
      } catch (err) {
        if (attempt === 2 || !isDatabaseBusy(err)) {
          // Not renewed any more: it lapses within the TTL, and waiters stop sleeping at its expiry.
          this.log('warn', 'lease release failed; it lapses at its expiry', { threadId, error: (err as Error).message });
          return;
        }
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
      }
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** One statement renews every lease this instance holds; a lease not renewed is lost. */
  private async renew(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    const started = performance.now();
    const ids = [...this.held.keys()];
    try {
      const kept = await renewLeases(this.db, this.owner, ids, this.ttlMs);
      for (const id of ids) {
        const h = this.held.get(id);
        if (!h) continue;
        if (kept.has(id)) h.confirmedAt = started;
        else this.lose(id, h, 'the lease lapsed or was taken over');
      }
    } catch (err) {
      this.log('warn', 'lease renewal failed; retrying at the next beat', { error: (err as Error).message, held: ids.length });
      // Past a whole TTL without a confirmed renewal, another process may hold it by now.
      const now = performance.now();
      for (const [id, h] of this.held) if (now - h.confirmedAt >= this.ttlMs) this.lose(id, h, 'not renewed within its TTL');
    } finally {
      this.renewing = false;
    }
  }

  private lose(threadId: string, h: Held, why: string): void {
    if (h.controller.signal.aborted) return;
    this.log('error', 'thread lease lost while its job ran; stopping the job', { threadId, why });
    h.controller.abort(new LeaseLostError(`lease on thread ${threadId} lost: ${why}`));
  }
}

/** Wait for prev to settle, or throw ThreadBusyError at the deadline. */
async function settledBefore(prev: Promise<unknown>, deadline: number, threadId: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      prev.then(
        () => undefined,
        () => undefined,
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ThreadBusyError(`thread ${threadId} stayed busy in this process`)), Math.max(0, deadline - Date.now()));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A turn that could not get the database or its thread in time: answer "busy, please retry". */
export function isBusyError(err: unknown): boolean {
  return err instanceof ThreadBusyError || isDatabaseBusy(err);
}
