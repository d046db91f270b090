/**
 * The durable inbound queue. An event is written here (unique on channel + event id) before the
 * platform gets its answer; handling is asynchronous, ordered per conversation, and replayed at
 * start-up, so a crash after the ack loses nothing and a retried delivery does nothing twice.
 */
import type { Db } from '../store/db.js';
import { insertInbox, markInbox, unfinishedInbox, type InboxKind, type InboxRow } from '../store/inbox-repo.js';

export interface InboxEvent {
  channel: string;
  eventId: string;
  kind: InboxKind;
  conversationId: string;
  payload: Record<string, unknown>;
}

export type InboxHandler = (row: InboxRow) => Promise<unknown>;

export interface Received {
  id: string;
  duplicate: boolean;
  /** Settles when this process has handled the event (a duplicate shares the original's). */
  result: Promise<unknown>;
}

/** Give up on an event after this many attempts (a poison message must not block its conversation). */
const MAX_ATTEMPTS = 3;

export class Inbox {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly handler: InboxHandler,
    private readonly log: (msg: string, data?: Record<string, unknown>) => void = () => {},
  ) {}

  async receive(event: InboxEvent): Promise<Received> {
    if (this.closed) throw new Error('inbox is closed');
    const { row, duplicate } = await insertInbox(this.db, event);
    if (duplicate) {
      return { id: row.id, duplicate, result: this.inflight.get(row.id) ?? Promise.resolve(undefined) };
    }
    return { id: row.id, duplicate, result: this.schedule(row) };
  }

  /** Re-queue what a previous process accepted but did not finish. */
  async replay(): Promise<number> {
    const rows = await unfinishedInbox(this.db);
    for (const row of rows) {
      if (row.attempts >= MAX_ATTEMPTS) {
        await markInbox(this.db, row.id, 'failed', `gave up after ${row.attempts} attempts`);
        continue;
      }
      void this.schedule(row).catch(() => undefined);
    }
    return rows.length;
  }

  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private schedule(row: InboxRow): Promise<unknown> {
    const existing = this.inflight.get(row.id);
    if (existing) return existing;
    const key = orderingKey(row);
    const prev = this.queues.get(key) ?? Promise.resolve();
    const job = prev.catch(() => undefined).then(() => this.handle(row));
    const tail = job.catch(() => undefined);
    this.queues.set(key, tail);
    this.inflight.set(row.id, job);
    void tail.then(() => {
      this.inflight.delete(row.id);
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return job;
  }

  private async handle(row: InboxRow): Promise<unknown> {
    await markInbox(this.db, row.id, 'processing');
    try {
      const result = await this.handler(row);
      await markInbox(this.db, row.id, 'done');
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log('inbox event failed', { id: row.id, kind: row.kind, error: message });
      await markInbox(this.db, row.id, row.attempts + 1 >= MAX_ATTEMPTS ? 'failed' : 'pending', message).catch(() => undefined);
      throw err;
    }
  }
}

/**
 * Messages of one conversation are handled in order. Card clicks are keyed by approval instead:
 * a decision must be answered within seconds and never waits behind a slow chat turn.
 */
function orderingKey(row: InboxRow): string {
  if (row.kind === 'action' && typeof row.payload.approvalId === 'string') return `action:${row.payload.approvalId}`;
  return `${row.channel}:${row.conversation_id}`;
}
