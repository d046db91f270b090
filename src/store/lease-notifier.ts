/**
 * Thread-lease releases, heard on the process's one LISTEN connection (store/pg-listener.ts, shared
 * with directory changes). Waiters of every thread share it; a release anywhere wakes the waiters
 * of that thread at once. If the connection is down, waiters are not told: they fall back to
 * polling (agents/thread-lock.ts), and the listener reconnects with backoff while anyone waits.
 */
import type { Db } from './db.js';
import { LEASE_CHANNEL } from './thread-leases.js';
import { pgListenerFor, type ListenerLog, type PgListener } from './pg-listener.js';

export class LeaseNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(private readonly listener: PgListener) {}

  /** True while releases are being heard (otherwise waiters must poll faster). */
  get listening(): boolean {
    return this.listener.listening(LEASE_CHANNEL);
  }

  /** Call wake when threadId's lease is released anywhere; returns the unsubscribe. */
  subscribe(threadId: string, wake: () => void): () => void {
    let set = this.waiters.get(threadId);
    if (!set) this.waiters.set(threadId, (set = new Set()));
    set.add(wake);
    // Subscribed while anyone waits, so the connection is re-established only for a waiter.
    if (!this.unsubscribe && !this.closed) {
      this.unsubscribe = this.listener.subscribe(LEASE_CHANNEL, {
        notify: (threadIdReleased) => {
          for (const w of [...(this.waiters.get(threadIdReleased) ?? [])]) w();
        },
        // Heard again after a gap (a release may have been missed), or lost: everyone looks again.
        listening: () => this.wakeAll(),
      });
    }
    return () => {
      const s = this.waiters.get(threadId);
      if (!s) return;
      s.delete(wake);
      if (s.size === 0) this.waiters.delete(threadId);
      if (this.waiters.size === 0) {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const set of this.waiters.values()) for (const wake of [...set]) wake();
  }
}

const notifiers = new WeakMap<Db, LeaseNotifier | null>();

/**
 * The one notifier of this Db (PostgreSQL only; PGlite has no other process to hear from). `_log`
 * is kept for its callers: the shared connection logs for itself (`[db] …`).
 */
export function leaseNotifierFor(db: Db, _log?: ListenerLog): LeaseNotifier | undefined {
  const known = notifiers.get(db);
  if (known !== undefined) return known ?? undefined;
  const listener = pgListenerFor(db);
  if (!listener) {
    notifiers.set(db, null);
    return undefined;
  }
  const notifier = new LeaseNotifier(listener);
  notifiers.set(db, notifier);
  db.onClose(() => notifier.close());
  return notifier;
}
