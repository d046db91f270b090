/**
 * The process's one LISTEN connection (PostgreSQL), shared by everything that waits for a NOTIFY:
 * thread-lease releases (store/lease-notifier.ts) and directory changes (store/directory-watch.ts).
 * One connection per process, outside the pool, whatever the number of channels and subscribers.
 * If it is down, subscribers are told (`listening(false)`) and fall back to polling; it reconnects
 * with backoff while anyone is subscribed, LISTENs on every channel again, and tells them
 * (`listening(true)`) so they look again for what they may have missed.
 */
import type pg from 'pg';
import type { Db } from './db.js';

export type ListenerLog = (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;

export interface Subscription {
  /** A notification on the channel (payload '' when none was sent). */
  notify(payload: string): void;
  /** LISTEN took effect on the channel (true), or the connection was lost or closed (false). */
  listening?(on: boolean): void;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;

export class PgListener {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly channels = new Map<string, Set<Subscription>>();
  /** Channels whose LISTEN has taken effect on the current connection. */
  private readonly heard = new Set<string>();
  private retryMs = 250;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly open: () => Promise<pg.Client>,
    /** Shared by every subscriber, so it speaks for the database connection, not for one of them. */
    private readonly log: ListenerLog = (level, msg, data) => console[level === 'info' ? 'log' : level](`[db] ${msg}`, data ?? ''),
  ) {}

  /** True while notifications on the channel are being heard. */
  listening(channel: string): boolean {
    return this.client !== undefined && this.heard.has(channel);
  }

  /** Hear the channel; returns the unsubscribe. */
  subscribe(channel: string, sub: Subscription): () => void {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`not a channel name: ${channel}`);
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(sub);
    if (this.client && !this.heard.has(channel)) void this.listenOn(this.client, channel);
    this.ensureConnected();
    return () => {
      const s = this.channels.get(channel);
      if (!s) return;
      s.delete(sub);
      // The LISTEN stays: harmless, and a later subscriber needs no round trip.
      if (s.size === 0) this.channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    const c = this.client;
    this.client = undefined;
    this.heard.clear();
    await c?.end().catch(() => undefined);
    this.tell(false);
  }

  private tell(on: boolean, only?: string): void {
    for (const [channel, set] of this.channels) {
      if (only !== undefined && channel !== only) continue;
      for (const sub of [...set]) sub.listening?.(on);
    }
  }

  private async listenOn(client: pg.Client, channel: string): Promise<void> {
    try {
      await client.query(`LISTEN ${channel}`);
      if (this.client !== client) return;
      this.heard.add(channel);
      this.tell(true, channel);
    } catch (err) {
      // The connection is failing; its 'error'/'end' handler reconnects and LISTENs again.
      this.log('warn', 'LISTEN failed', { channel, error: (err as Error).message });
    }
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
        for (const sub of [...(this.channels.get(n.channel) ?? [])]) sub.notify(n.payload ?? '');
      });
      const lost = (why: string) => {
        if (this.client !== client) return;
        this.client = undefined;
        this.heard.clear();
        if (!this.closed) this.log('warn', 'LISTEN connection lost; waiting for notifications falls back to polling until it is back', { why });
        this.tell(false);
        this.scheduleRetry();
      };
      client.on('error', (err) => lost(err.message));
      client.on('end', () => lost('connection ended'));
      const channels = [...this.channels.keys()];
      for (const channel of channels) await client.query(`LISTEN ${channel}`);
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.retryMs = 250;
      for (const channel of channels) this.heard.add(channel);
      // Something may have happened before LISTEN took effect: let every subscriber look again.
      this.tell(true);
      // Channels subscribed while connecting.
      for (const channel of this.channels.keys()) if (!this.heard.has(channel)) void this.listenOn(client, channel);
    } catch (err) {
      await client?.end().catch(() => undefined);
      if (this.closed) return;
      this.log('warn', 'LISTEN connection could not connect; waiting for notifications falls back to polling', { error: (err as Error).message });
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryMs * (0.5 + Math.random());
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // Reconnect only while someone is subscribed; the next subscribe reconnects otherwise.
      if (this.channels.size > 0) this.ensureConnected();
    }, delay);
    this.retryTimer.unref();
  }
}

const listeners = new WeakMap<Db, PgListener | null>();

/** The one listener of this Db (PostgreSQL only; PGlite has no other process to hear from). */
export function pgListenerFor(db: Db): PgListener | undefined {
  const known = listeners.get(db);
  if (known !== undefined) return known ?? undefined;
  if (!db.openDedicated) {
    listeners.set(db, null);
    return undefined;
  }
  const listener = new PgListener(db.openDedicated);
  listeners.set(db, listener);
  db.onClose(() => listener.close());
  return listener;
}
