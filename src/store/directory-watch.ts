/**
 * How a process hears of directory changes made elsewhere (another replica, the CLI, psql).
 * Two paths: the NOTIFY a directory write sends at commit, heard on the process's one LISTEN
 * connection (store/pg-listener.ts, shared with thread-lease releases; within milliseconds), and a
 * poll of `directory_state.version` every pollMs through the pool (one tiny query), which catches
 * a notification missed while the listener was down, and is the only path on PGlite, where no
 * other process can share the database anyway.
 */
import type { Db } from './db.js';
import { pgListenerFor, type ListenerLog } from './pg-listener.js';

export type DirectoryLog = ListenerLog;

/** The channel the directory trigger (migrations/011_directory.sql) notifies, with the new version. */
export const DIRECTORY_CHANNEL = 'switchboard_directory';

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
  private unsubscribe: (() => void) | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollFailing = false;
  private closed = false;
  private isListening: () => boolean = () => false;

  constructor(private readonly o: DirectoryWatcherOptions) {}

  start(): void {
    const listener = this.o.listen ? pgListenerFor(this.o.db) : undefined;
    this.unsubscribe = listener?.subscribe(DIRECTORY_CHANNEL, {
      notify: (payload) => {
        // The payload is the new version; reload unless this process already has it.
        const v = /^\d+$/.test(payload) ? BigInt(payload) : undefined;
        if (v === undefined || v > this.o.current()) void this.reload('notify');
      },
      // A change may have committed before LISTEN took effect (or while it was down).
      listening: (on) => {
        if (on) void this.reload('listening');
      },
    });
    this.isListening = () => listener?.listening(DIRECTORY_CHANNEL) ?? false;
    this.pollTimer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, this.o.pollMs);
    this.pollTimer.unref();
  }

  /** True while notifications are being heard. */
  get listening(): boolean {
    return this.isListening();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.polling?.catch(() => undefined);
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
    if (this.closed) return;
    try {
      await this.o.refresh();
    } catch (err) {
      if (!this.closed) this.o.log('warn', 'directory reload failed; retried at the next poll', { why, error: (err as Error).message });
    }
  }
}
