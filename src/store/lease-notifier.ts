/**
 * The process's one LISTEN connection for thread-lease releases. Waiters of every thread share
 * it (one connection per process, outside the pool, whatever the number of waiters); a release
 * anywhere wakes the waiters of that thread at once. If the connection is down, waiters are not
 * told: they fall back to polling (agents/thread-lock.ts), and the listener reconnects with backoff.
 */
import type pg from 'pg';
import type { Db } from './db.js';
import { LEASE_CHANNEL } from './thread-leases.js';

type Log = (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;

export class LeaseNotifier {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly waiters = new Map<string, Set<() => void>>();
  private retryMs = 250;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly open: () => Promise<pg.Client>,
    private readonly log: Log,
  ) {}

  /** True while releases are being heard (otherwise waiters must poll faster). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Call wake when threadId's lease is released anywhere; returns the unsubscribe. */
  subscribe(threadId: string, wake: () => void): () => void {
    let set = this.waiters.get(threadId);
    if (!set) this.waiters.set(threadId, (set = new Set()));
    set.add(wake);
    this.ensureConnected();
    return () => {
      const s = this.waiters.get(threadId);
      if (!s) return;
      s.delete(wake);
      if (s.size === 0) this.waiters.delete(threadId);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
    this.wakeAll();
  }

  private ensureConnected(): void {
    if (this.closed || this.client || this.connecting || this.retryTimer) return;
    this.connecting = this.connect().finally(() => {
      this.connecting = undefined;
    });
  }

  private async connect(): Promise<void> {
    let client: pg.Client | undefined;
    try {
      client = await this.open();
      client.on('notification', (n) => {
        if (n.channel !== LEASE_CHANNEL || !n.payload) return;
        for (const wake of [...(this.waiters.get(n.payload) ?? [])]) wake();
      });
      const lost = (why: string) => {
        if (this.client !== client) return;
        this.client = undefined;
        if (!this.closed) this.log('warn', 'lease listener lost; waiters poll until it is back', { why });
        this.wakeAll();
        this.scheduleRetry();
      };
      client.on('error', (err) => lost(err.message));
      client.on('end', () => lost('connection ended'));
      await client.query(`LISTEN ${LEASE_CHANNEL}`);
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.retryMs = 250;
      // A release may have happened before LISTEN took effect: let everyone look again.
      this.wakeAll();
    } catch (err) {
      await client?.end().catch(() => undefined);
      if (this.closed) return;
      this.log('warn', 'lease listener could not connect; waiters poll', { error: (err as Error).message });
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryMs * (0.5 + Math.random());
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // Reconnect only while someone is waiting; the next subscribe reconnects otherwise.
      if (this.waiters.size > 0) this.ensureConnected();
    }, delay);
    this.retryTimer.unref();
  }

  private wakeAll(): void {
    for (const set of this.waiters.values()) for (const wake of [...set]) wake();
  }
}

const notifiers = new WeakMap<Db, LeaseNotifier | null>();

/** The one notifier of this Db (PostgreSQL only; PGlite has no other process to hear from). */
export function leaseNotifierFor(db: Db, log: Log): LeaseNotifier | undefined {
  const known = notifiers.get(db);
  if (known !== undefined) return known ?? undefined;
  if (!db.openDedicated) {
    notifiers.set(db, null);
    return undefined;
  }
  const notifier = new LeaseNotifier(db.openDedicated, log);
  notifiers.set(db, notifier);
  db.onClose(() => notifier.close());
  return notifier;
}
