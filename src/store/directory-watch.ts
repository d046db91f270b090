/**
 * How a process hears of directory changes made elsewhere (another replica, the CLI, psql).
 * Two paths, as for thread leases (store/lease-notifier.ts): a LISTEN connection of its own,
 * outside the pool, reconnecting with backoff, that reloads on the NOTIFY a directory write sends
 * at commit (within milliseconds); and a poll of `directory_state.version` every pollMs through
 * the pool (one tiny query), which catches a notification missed while the listener was down, and
 * is the only path on PGlite, where no other process can share the database anyway.
 */
import type pg from 'pg';
import type { Db } from './db.js';

export type DirectoryLog = (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;

const CHANNEL = 'switchboard_directory';

export interface DirectoryWatcherOptions {
  db: Db;
  pollMs: number;
  log: DirectoryLog;
  /** False: poll only (tests of the fallback). */
  listen: boolean;
  /** The version the process serves now. */
  current(): bigint;
  /** Reload (coalescing calls that arrive during a reload). */
  refresh(): Promise<void>;
}

export class DirectoryWatcher {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryMs = 250;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollFailing = false;
  private closed = false;

  constructor(private readonly o: DirectoryWatcherOptions) {}

  start(): void {
    if (this.o.listen && this.o.db.openDedicated) this.ensureConnected();
    this.pollTimer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, this.o.pollMs);
    this.pollTimer.unref();
  }

  /** True while notifications are being heard. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    await this.polling?.catch(() => undefined);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async poll(): Promise<void> {
    if (this.closed) return;
    try {
      const { rows } = await this.o.db.query<{ version: string }>('SELECT version::text AS version FROM directory_state WHERE id = 1');
      if (this.pollFailing) this.o.log('info', 'directory poll works again');
      this.pollFailing = false;
      const v = BigInt(rows[0]?.version ?? '0');
      if (v > this.o.current()) await this.reload('poll');
    } catch (err) {
      // Said once per outage: a database that is down says so often enough elsewhere.
      if (!this.pollFailing && !this.closed) this.o.log('warn', 'directory poll failed; the directory stays as loaded', { error: (err as Error).message });
      this.pollFailing = true;
    }
  }

  private async reload(why: string): Promise<void> {
    try {
      await this.o.refresh();
    } catch (err) {
      if (!this.closed) this.o.log('warn', 'directory reload failed; retried at the next poll', { why, error: (err as Error).message });
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
      client = await this.o.db.openDedicated!();
      client.on('notification', (n) => {
        if (n.channel !== CHANNEL) return;
        // The payload is the new version; reload unless this process already has it.
        const v = /^\d+$/.test(n.payload ?? '') ? BigInt(n.payload!) : undefined;
        if (v === undefined || v > this.o.current()) void this.reload('notify');
      });
      const lost = (why: string) => {
        if (this.client !== client) return;
        this.client = undefined;
        if (!this.closed) this.o.log('warn', 'directory listener lost; polling until it is back', { why });
        this.scheduleRetry();
      };
      client.on('error', (err) => lost(err.message));
      client.on('end', () => lost('connection ended'));
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.retryMs = 250;
      // A change may have committed before LISTEN took effect.
      void this.reload('listening');
    } catch (err) {
      await client?.end().catch(() => undefined);
      if (this.closed) return;
      this.o.log('warn', 'directory listener could not connect; polling', { error: (err as Error).message });
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const delay = this.retryMs * (0.5 + Math.random());
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.ensureConnected();
    }, delay);
    this.retryTimer.unref();
  }
}
