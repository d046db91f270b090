/**
 * The durable inbound queue. An event is written here (unique on channel + event id) before the
 * platform gets its answer; handling is asynchronous, ordered per conversation, and replayed at
 * start-up, so a crash after the ack loses nothing and a retried delivery does nothing twice.
 *
 * A failed attempt is retried in this process with exponential backoff and jitter (and by any
 * process's sweeper once due, so a process that dies during a backoff strands nothing). After the
 * last attempt the event is dead-lettered: answered in its chat ("failed, it has been logged"),
 * audited and counted. Events an adapter could tie to a chat but not read (`unreadable`) are
 * answered, audited and counted here too; those it cannot tie to any chat are refused with an
 * audit record and a count (`refuse`). Nothing inbound ends in silence.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../store/db.js';
import { appendAudit } from '../store/audit.js';
import { storableText } from '../lib/storable.js';
import {
  claimInbox,
  deferInbox,
  dueInbox,
  earlierInConversation,
  insertInbox,
  INBOX_DONE_CHANNEL,
  inboxOutcome,
  markInboxDead,
  markInboxDone,
  recordInboxOutcome,
  renewInboxLeases,
  takeOverInbox,
  type InboxHolder,
  type InboxKind,
  type InboxOutcome,
  type InboxRow,
} from '../store/inbox-repo.js';
import { pgListenerFor } from '../store/pg-listener.js';
import { maskText } from '../policies/masking.js';
import { boundedDetails, deadLetterText, guessLang, queuedText, unreadableText, type UnreadableReason } from './notices.js';
import { langSchema, type Lang } from '../chat/lang.js';

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
  /**
   * Settles when the event has been handled, retries included (a duplicate shares the original's).
   * Handled here: the handler's result. Handled by another replica (a duplicate received here, or
   * an event another one took over): what it sent (`{ sent }`), heard by NOTIFY and read from the
   * inbox row (PostgreSQL). A dead-lettered event resolves to a `DeadLetter`; it rejects only when
   * the inbox closes before the event's next attempt (the attempt then happens at the next start).
   */
  result: Promise<unknown>;
}

/** What `result` resolves to when every attempt failed: the notice sent into the chat, if any. */
export interface DeadLetter {
  status: 'dead';
  message: string;
  sent: { messageId: string }[];
}

export function isDeadLetter(v: unknown): v is DeadLetter {
  return !!v && typeof v === 'object' && (v as { status?: unknown }).status === 'dead';
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay before the second attempt; doubled for each later one, up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** How often due retries left by any process are looked for (0: never). */
  sweepMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 1000, maxMs: 60_000, sweepMs: 5000 };

/** Exponential backoff with "equal" jitter: between half and all of base * 2^(attempt-1), capped. */
export function retryDelayMs(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** An event an adapter tied to a chat but could not read. */
export interface UnreadableEvent {
  channel: string;
  eventId: string;
  /** Where the answer goes (the channel's conversation id, as for a message). */
  conversationId: string;
  /** The ordering key's conversation, when it differs from the reply target (Feishu replies). */
  queueConversationId?: string;
  reason: Exclude<UnreadableReason, 'unroutable'>;
  lang: Lang;
  /** The platform id of the sender, when one was given. */
  actor?: string;
  /** Bounded and masked here; never the message body. */
  details?: Record<string, unknown>;
}

/** An event that cannot be tied to any chat: refused, audited, counted. */
export interface RefusedEvent {
  channel: string;
  reason: string;
  /** The adapter answered the platform in a way the person sees (a toast): recorded as such. */
  answered?: boolean;
  actor?: string;
  details?: Record<string, unknown>;
}

export interface InboxOptions {
  retry?: Partial<RetryPolicy>;
  /**
   * How long this process holds an event it accepted or claimed without renewing (it renews every
   * third of it): after that another replica takes the event over (INBOX_LEASE_MS).
   */
  leaseMs?: number;
  /** This process is the only one that reaches the database (embedded PGlite): it takes over everything at start. */
  soleProcess?: boolean;
  /** This process's name as an owner (default: a random id per Inbox). */
  owner?: string;
  /**
   * Most chat turns this process runs at once (INBOX_CONCURRENCY); the rest wait as pending rows.
   * Accepting events is never bounded by it, and card clicks (a person waits on the button) skip it.
   */
  maxConcurrentTurns?: number;
  /**
   * A message still waiting for a turn slot after this long gets "received, queued (n ahead)" in
   * its chat, once (INBOX_QUEUED_NOTICE_MS; 0: never).
   */
  queuedNoticeMs?: number;
  /**
   * Most messages this process holds accepted and not yet finished (INBOX_MAX_BACKLOG): beyond it a
   * new message is refused before it is stored (InboxFullError: the platform gets a 503 and
   * redelivers later; the console says busy), so an overloaded replica answers at once instead of
   * timing out. Card clicks are always accepted.
   */
  maxBacklog?: number;
  /** How long a wait for another replica's handling lasts before resolving undefined (default 120 s). */
  remoteWaitMs?: number;
  /** Send a plain text into a conversation (dead-letter and unreadable notices). */
  notify?(channel: string, conversationId: string, text: string): Promise<{ messageId: string } | undefined>;
  random?: () => number;
}

type Counts = Record<string, Record<string, number>>;

export interface InboundStats {
  /** Per channel and reason: events answered with "could not read" (tied to a chat). */
  unreadable: Counts;
  /** Per channel and reason: events refused with no chat to answer in. */
  refused: Counts;
  /** Per channel: attempts that failed and were scheduled again. */
  retried: Record<string, number>;
  /** Per channel: events dead-lettered by this process. */
  dead: Record<string, number>;
  /** Per channel: messages told "queued" because every turn slot was busy. */
  queued: Record<string, number>;
  /** Per channel: messages refused because this process's backlog was full (answered 503). */
  overloaded: Record<string, number>;
}

/** This process holds as many accepted messages as it may (InboxOptions.maxBacklog): retry later. */
export class InboxFullError extends Error {
  override readonly name = 'InboxFullError';
  readonly statusCode = 503;
  constructor(readonly backlog: number) {
    super(`inbox backlog full (${backlog} accepted messages not finished): retry later`);
  }
}

const unreadablePayload = z.object({
  reason: z.enum(['unsupported_type', 'malformed_content', 'empty', 'no_sender', 'malformed_event']),
  lang: langSchema,
  conversationId: z.string().min(1),
  actor: z.string().optional(),
  details: z.record(z.string(), z.unknown()).default({}),
});

interface Waiter {
  promise: Promise<unknown>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

export class Inbox {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Events received (or replayed) here whose handling has not settled: their `result`. */
  private readonly waiters = new Map<string, Waiter>();
  /** Attempts queued or running in this process. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly policy: RetryPolicy;
  private readonly counts: InboundStats = { unreadable: {}, refused: {}, retried: {}, dead: {}, queued: {}, overloaded: {} };
  private sweeper: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly holder: InboxHolder;
  private readonly turnSlots: Slots;
  /** Events being stored right now (for the backlog bound). */
  private accepting = 0;
  /** Attempts put back because an earlier event of their conversation is still running elsewhere. */
  private waitsForEarlier = 0;

  constructor(
    private readonly db: Db,
    private readonly handler: InboxHandler,
    private readonly log: (msg: string, data?: Record<string, unknown>) => void = () => {},
    private readonly opts: InboxOptions = {},
  ) {
    this.policy = { ...DEFAULT_RETRY, ...stripUndefined(opts.retry ?? {}) };
    this.holder = { owner: opts.owner ?? `inbox-${randomUUID()}`, leaseMs: opts.leaseMs ?? 15_000 };
    this.turnSlots = new Slots(Math.max(1, opts.maxConcurrentTurns ?? 8));
    // The heartbeat: one statement renews every lease this process holds.
    this.heartbeat = setInterval(
      () => void renewInboxLeases(this.db, this.holder).catch((e: Error) => this.log('inbox lease renewal failed', { error: e.message })),
      Math.max(100, Math.floor(this.holder.leaseMs / 3)),
    );
    this.heartbeat.unref();
    if (this.policy.sweepMs > 0) {
      this.sweeper = setInterval(() => void this.sweep().catch((e: Error) => this.log('inbox sweep failed', { error: e.message })), this.policy.sweepMs);
      this.sweeper.unref();
    }
  }

  async receive(event: InboxEvent): Promise<Received> {
    if (this.closed) throw new Error('inbox is closed');
    // Events being stored count too: many arriving at once must not all slip under the bound.
    const backlog = this.running.size + this.timers.size + this.accepting;
    if (event.kind !== 'action' && backlog >= (this.opts.maxBacklog ?? Infinity)) {
      bump1(this.counts.overloaded, event.channel);
      throw new InboxFullError(backlog);
    }
    // The platform's ack waits on this insert: it goes before queued turn work (Db.urgent).
    this.accepting++;
    const { row, duplicate } = await insertInbox(this.db.urgent, event, this.holder).finally(() => this.accepting--);
    if (duplicate) {
      return { id: row.id, duplicate, result: this.waiters.get(row.id)?.promise ?? this.outcomeOf(row.id) };
    }
    const waiter = this.waiterFor(row.id);
    this.enqueue(row);
    return { id: row.id, duplicate, result: waiter.promise };
  }

  /** An event tied to a chat but not readable: stored like any event, then answered and audited. */
  async receiveUnreadable(e: UnreadableEvent): Promise<Received> {
    const received = await this.receive({
      channel: e.channel,
      eventId: e.eventId,
      kind: 'unreadable',
      conversationId: e.queueConversationId ?? e.conversationId,
      payload: {
        reason: e.reason,
        lang: e.lang,
        conversationId: e.conversationId,
        ...(e.actor ? { actor: e.actor } : {}),
        details: boundedDetails(e.details ?? {}),
      },
    });
    if (!received.duplicate) bump(this.counts.unreadable, e.channel, e.reason);
    return received;
  }

  /** An event with no chat to answer in: counted and audited (the adapter answers the platform). */
  async refuse(e: RefusedEvent): Promise<void> {
    bump(this.counts.refused, e.channel, e.reason);
    this.log('inbound event refused', { channel: e.channel, reason: e.reason });
    await appendAudit(this.db, {
      actor: `${e.channel}:${storableText(e.actor ?? 'unknown').slice(0, 128)}`,
      action: 'message.unreadable',
      subject: null,
      details: { channel: e.channel, reason: e.reason, answered: e.answered ?? false, ...boundedDetails(e.details ?? {}) },
    }).catch((err: Error) => this.log('audit of a refused event failed', { error: err.message }));
  }

  stats(): InboundStats {
    return structuredClone(this.counts);
  }

  /** This process as an inbox owner, and how often its attempts waited for another replica's earlier event. */
  ownership(): { owner: string; leaseMs: number; waitedForEarlier: number } {
    return { ...this.holder, waitedForEarlier: this.waitsForEarlier };
  }

  /**
   * Take over and re-queue what no live process holds: a previous process's unfinished events
   * (at start), or a replica's that died (its lease ran out). Never what a live replica holds.
   */
  async replay(): Promise<number> {
    const rows = await takeOverInbox(this.db, this.holder, { everything: this.opts.soleProcess ?? false });
    this.requeue(rows);
    return rows.length;
  }

  private requeue(rows: readonly InboxRow[]): void {
    for (const row of rows) {
      if (this.running.has(row.id) || this.timers.has(row.id)) continue;
      this.waiterFor(row.id);
      const due = row.next_attempt_at ? new Date(row.next_attempt_at).getTime() - Date.now() : 0;
      if (due > 0) this.later(row, due);
      else this.enqueue(row);
    }
  }

  /** Wait until every event this process holds (retries included) has settled. */
  async idle(): Promise<void> {
    while (this.waiters.size > 0 || this.running.size > 0) {
      await Promise.allSettled([...this.waiters.values()].map((w) => w.promise).concat([...this.running.values()]));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.heartbeat) clearInterval(this.heartbeat);
    // Retries not yet due stay pending in the database, with their due time, for the next start.
    for (const [id, timer] of this.timers) {
      clearTimeout(timer);
      this.settle(id, (w) => w.reject(new Error('inbox closed before the next attempt; it runs at the next start')));
    }
    this.timers.clear();
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
    for (const id of [...this.waiters.keys()]) this.settle(id, (w) => w.reject(new Error('inbox closed')));
  }

  /** Events of replicas that died (lease run out), and due retries of ours not already in hand here. */
  private async sweep(): Promise<void> {
    if (this.closed) return;
    this.requeue(await takeOverInbox(this.db, this.holder, { limit: 100 }));
    for (const row of await dueInbox(this.db, 100, this.holder.owner)) {
      if (this.running.has(row.id) || this.timers.has(row.id)) continue;
      this.enqueue(row);
    }
  }

  private waiterFor(id: string): Waiter {
    const existing = this.waiters.get(id);
    if (existing) return existing;
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Whoever awaits it handles a rejection; nobody awaiting it must not crash the process.
    promise.catch(() => undefined);
    const w = { promise, resolve, reject };
    this.waiters.set(id, w);
    return w;
  }

  private settle(id: string, fn: (w: Waiter) => void): void {
    const w = this.waiters.get(id);
    if (!w) return;
    this.waiters.delete(id);
    fn(w);
  }

  private later(row: InboxRow, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(row.id);
      this.enqueue(row);
    }, delayMs);
    timer.unref();
    this.timers.set(row.id, timer);
  }

  /** One attempt, queued behind the conversation's (or approval's) earlier events. */
  private enqueue(row: InboxRow): void {
    if (this.closed || this.running.has(row.id)) return;
    const key = orderingKey(row);
    const prev = this.queues.get(key) ?? Promise.resolve();
    const job = prev
      .then(() => (row.kind === 'action' ? this.attempt(row) : this.turnSlots.run(() => this.attempt(row), (ahead) => this.toldQueued(row, ahead))))
      .catch((err: Error) => {
        // The database failed around the attempt itself: the row is replayed at the next start.
        this.log('inbox attempt failed to run', { id: row.id, error: err.message });
        this.settle(row.id, (w) => w.reject(err));
      });
    this.queues.set(key, job);
    this.running.set(row.id, job);
    void job.then(() => {
      if (this.running.get(row.id) === job) this.running.delete(row.id);
      if (this.queues.get(key) === job) this.queues.delete(key);
    });
  }

  private async attempt(queued: InboxRow): Promise<void> {
    const id = queued.id;
    // Per-conversation order across replicas: an earlier event of this conversation still running
    // (or accepted) elsewhere goes first. Put back rather than wait here, so whatever this queue
    // holds behind (a taken-over earlier event included) is not blocked.
    if (!this.opts.soleProcess && queued.kind !== 'action' && (await earlierInConversation(this.db, queued))) {
      this.waitsForEarlier++;
      this.later(queued, 100 + Math.round((this.opts.random ?? Math.random)() * 150));
      return;
    }
    const row = await claimInbox(this.db, id, this.holder);
    // Done, dead, or taken by another process meanwhile: whoever has it settles it, and a request
    // waiting here gets what it sent.
    if (!row) {
      if (!this.timers.has(id)) this.settle(id, (w) => w.resolve(this.outcomeOf(id)));
      return;
    }
    let result: unknown;
    try {
      result = row.kind === 'unreadable' ? await this.answerUnreadable(row) : await this.handler(row);
    } catch (err) {
      await this.failed(row, err);
      return;
    }
    await markInboxDone(this.db, row.id, outcomeOf(result), { notify: this.shared });
    this.settle(row.id, (w) => w.resolve(result));
  }

  private async failed(row: InboxRow, err: unknown): Promise<void> {
    const message = storableText(err instanceof Error ? err.message : String(err));
    this.log('inbox event failed', { id: row.id, kind: row.kind, attempt: row.attempts, error: maskText(message).slice(0, 300) });
    if (row.attempts < this.policy.maxAttempts && !this.closed) {
      const delay = retryDelayMs(row.attempts, this.policy, this.opts.random);
      await deferInbox(this.db, row.id, message, delay);
      bump1(this.counts.retried, row.channel);
      this.later(row, delay);
      if (this.closed) this.settle(row.id, (w) => w.reject(err));
      return;
    }
    if (row.attempts < this.policy.maxAttempts) {
      // Closing: the next attempt belongs to the next start.
      await deferInbox(this.db, row.id, message, 0);
      this.settle(row.id, (w) => w.reject(err));
      return;
    }
    await markInboxDead(this.db, row.id, message);
    bump1(this.counts.dead, row.channel);
    const dead = await this.deadLetter(row, message);
    await recordInboxOutcome(this.db, row.id, dead, { notify: this.shared }).catch((e: Error) => this.log('dead-letter outcome not recorded', { id: row.id, error: e.message }));
    this.settle(row.id, (w) => w.resolve(dead));
  }

  /** Other processes share the database (PostgreSQL): completions are announced and heard. */
  private get shared(): boolean {
    return this.opts.soleProcess !== true && this.db.kind === 'postgres';
  }

  /**
   * What another process's handling of an event sent, once it is finished: woken by its NOTIFY
   * (the process's one LISTEN connection), then read from the row. A slow poll stays as a net for
   * a notification lost with the connection (1 s while not listening, 10 s while listening).
   * PGlite is one process: one read, no waiting (an unfinished event has its waiter here).
   */
  outcomeOf(id: string): Promise<unknown> {
    const read = async () => {
      const o = await inboxOutcome(this.db, id);
      return o?.finished ? { finished: true, result: o.outcome } : { finished: o === undefined, result: undefined };
    };
    const listener = this.shared ? pgListenerFor(this.db) : undefined;
    if (!listener) return read().then((r) => r.result, () => undefined);
    return new Promise<unknown>((resolve) => {
      let settled = false;
      let reading = false;
      let again = false;
      const finish = (v: unknown) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        clearTimeout(timer);
        clearTimeout(poll);
        resolve(v);
      };
      const check = async (): Promise<void> => {
        if (settled) return;
        if (reading) return void (again = true);
        reading = true;
        try {
          do {
            again = false;
            const r = await read();
            if (r.finished) return finish(r.result);
          } while (again && !settled);
        } catch (e) {
          this.log('inbox outcome could not be read', { id, error: (e as Error).message });
        } finally {
          reading = false;
        }
      };
      let poll: NodeJS.Timeout | undefined;
      const schedule = () => {
        if (settled) return;
        poll = setTimeout(() => void check().finally(schedule), listener.listening(INBOX_DONE_CHANNEL) ? 10_000 : 1_000);
        poll.unref();
      };
      const unsubscribe = listener.subscribe(INBOX_DONE_CHANNEL, {
        notify: (payload) => void (payload === id && check()),
        // LISTEN took effect (or came back): something may have finished before it did.
        listening: (on) => void (on && check()),
      });
      const timer = setTimeout(() => finish(undefined), this.opts.remoteWaitMs ?? 120_000);
      timer.unref();
      schedule();
      void check();
    });
  }

  /** Every turn slot is busy: once the wait passes queuedNoticeMs, the chat is told it is queued. */
  private toldQueued(row: InboxRow, ahead: number): (() => void) | undefined {
    const ms = this.opts.queuedNoticeMs ?? 3000;
    if (ms <= 0 || !this.opts.notify || row.kind !== 'message' || row.attempts > 0) return undefined;
    const timer = setTimeout(() => {
      const target = typeof row.payload.conversationId === 'string' ? row.payload.conversationId : row.conversation_id;
      bump1(this.counts.queued, row.channel);
      void this.opts.notify?.(row.channel, target, queuedText(langOf(row), ahead)).catch((err: Error) => this.log('queued notice could not be sent', { id: row.id, error: err.message }));
    }, ms);
    timer.unref();
    return () => clearTimeout(timer);
  }

  /** Tell the chat (when there is one to tell), audit, and hand the notice back as the result. */
  private async deadLetter(row: InboxRow, error: string): Promise<DeadLetter> {
    const target = typeof row.payload.conversationId === 'string' ? row.payload.conversationId : row.conversation_id;
    const lang = langOf(row);
    const text = deadLetterText(lang);
    const sent: { messageId: string }[] = [];
    let answered = false;
    try {
      const ref = await this.opts.notify?.(row.channel, target, text);
      if (ref) {
        sent.push({ messageId: ref.messageId });
        answered = true;
      }
    } catch (err) {
      this.log('dead-letter notice could not be sent', { id: row.id, error: (err as Error).message });
    }
    await appendAudit(this.db, {
      actor: 'switchboard',
      action: 'inbox.dead_letter',
      subject: `${row.channel}:${storableText(row.event_id).slice(0, 128)}`,
      details: { channel: row.channel, kind: row.kind, inboxId: row.id, attempts: row.attempts, answered, error: maskText(error).slice(0, 300) },
    }).catch((err: Error) => this.log('audit of a dead letter failed', { id: row.id, error: err.message }));
    return { status: 'dead', message: text, sent };
  }

  private async answerUnreadable(row: InboxRow): Promise<{ sent: { messageId: string }[] }> {
    const p = unreadablePayload.parse(row.payload);
    if (row.attempts === 1) {
      await appendAudit(this.db, {
        actor: `${row.channel}:${p.actor ?? 'unknown'}`,
        action: 'message.unreadable',
        subject: p.conversationId,
        details: { channel: row.channel, reason: p.reason, answered: true, eventId: storableText(row.event_id).slice(0, 128), ...p.details },
      });
    }
    if (!this.opts.notify) throw new Error(`no way to answer in ${row.channel}`);
    const ref = await this.opts.notify(row.channel, p.conversationId, unreadableText(p.reason, p.lang));
    return { sent: ref ? [{ messageId: ref.messageId }] : [] };
  }
}

/** A counting semaphore: at most `size` functions run at once, the others wait first come first served. */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  /** `onWait(ahead)` is called when fn must wait, and may return what to do once its slot comes. */
  async run<T>(fn: () => Promise<T>, onWait?: (ahead: number) => (() => void) | undefined): Promise<T> {
    if (this.used >= this.size) {
      const done = onWait?.(this.waiting.length + 1);
      await new Promise<void>((r) => this.waiting.push(r));
      done?.();
    } else this.used++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.used--;
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

/** The part of a handler's result another replica can be handed: the ids of what it sent. */
function outcomeOf(result: unknown): InboxOutcome | undefined {
  const sent = (result as { sent?: unknown } | undefined)?.sent;
  if (!Array.isArray(sent)) return undefined;
  return { sent: sent.filter((s): s is { messageId: string } => typeof (s as { messageId?: unknown })?.messageId === 'string').map((s) => ({ messageId: s.messageId })) };
}

function langOf(row: InboxRow): Lang {
  const p = row.payload;
  if (p.lang === 'zh' || p.lang === 'en') return p.lang;
  return guessLang(typeof p.text === 'string' ? p.text : typeof p.comment === 'string' ? p.comment : undefined);
}

function bump(counts: Counts, channel: string, reason: string): void {
  const c = (counts[channel] ??= {});
  c[reason] = (c[reason] ?? 0) + 1;
}

function bump1(counts: Record<string, number>, channel: string): void {
  counts[channel] = (counts[channel] ?? 0) + 1;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
