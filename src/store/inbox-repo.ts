/**
 * Inbox rows: every inbound event, unique on (channel, event id). Inserting is the dedup: a
 * retried webhook or a double click finds its row already there and produces no second effect.
 */
import { z } from 'zod';
import type { Queryable } from './db.js';
import { storable, storableText } from '../lib/storable.js';
import { openJson, sealJson } from './data-keys.js';
import { maskText } from '../policies/masking.js';
import { BadCursorError, decodeCursor, pageOf, type Page } from '../lib/paging.js';

/** `unreadable`: an event an adapter could tie to a chat but not read; it is answered and audited. */
export type InboxKind = 'message' | 'action' | 'unreadable';
export type InboxStatus = 'pending' | 'processing' | 'done' | 'dead';

export interface InboxRow {
  id: string;
  channel: string;
  event_id: string;
  kind: InboxKind;
  conversation_id: string;
  payload: Record<string, unknown>;
  status: InboxStatus;
  attempts: number;
  error: string | null;
  next_attempt_at: Date | null;
  received_at: Date;
  /** The process holding the event (migration 022), while `lease_until` is in the future. */
  owner: string | null;
  lease_until: Date | null;
}

/** Who holds what they accept or claim, and for how long without renewing. */
export interface InboxHolder {
  owner: string;
  leaseMs: number;
}

export async function insertInbox(
  db: Queryable,
  row: { channel: string; eventId: string; kind: InboxKind; conversationId: string; payload: Record<string, unknown> },
  holder?: InboxHolder,
): Promise<{ row: InboxRow; duplicate: boolean }> {
  const inserted = await db.query<InboxRow>(
    `INSERT INTO inbox (channel, event_id, kind, conversation_id, payload, owner, lease_until)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6::text IS NULL THEN NULL ELSE now() + make_interval(secs => $7::float8) END)
     ON CONFLICT (channel, event_id) DO NOTHING RETURNING *`,
    [
      storableText(row.channel),
      storableText(row.eventId),
      row.kind,
      storableText(row.conversationId),
      JSON.stringify(sealJson(storable(row.payload), 'inbox.payload')),
      holder?.owner ?? null,
      (holder?.leaseMs ?? 0) / 1000,
    ],
  );
  if (inserted.rows[0]) return { row: openInbox(inserted.rows[0]), duplicate: false };
  const existing = await db.query<InboxRow>('SELECT * FROM inbox WHERE channel = $1 AND event_id = $2', [storableText(row.channel), storableText(row.eventId)]);
  return { row: openInbox(existing.rows[0]!), duplicate: true };
}

/**
 * Take a pending event for one attempt: one statement, so two processes (or a retry timer and the
 * sweeper) never run the same attempt twice. Undefined when it is not pending any more.
 */
export async function claimInbox(db: Queryable, id: string, holder?: InboxHolder): Promise<InboxRow | undefined> {
  // Only a row nobody else holds: ours, unowned, or one whose holder stopped renewing (died).
  const res = await db.query<InboxRow>(
    `UPDATE inbox SET status = 'processing', attempts = attempts + 1, next_attempt_at = NULL,
            owner = COALESCE($2, owner), lease_until = CASE WHEN $2::text IS NULL THEN lease_until ELSE now() + make_interval(secs => $3::float8) END
     WHERE id = $1 AND status = 'pending' AND ($2::text IS NULL OR owner IS NULL OR owner = $2 OR lease_until < now()) RETURNING *`,
    [id, holder?.owner ?? null, (holder?.leaseMs ?? 0) / 1000],
  );
  return res.rows[0] && openInbox(res.rows[0]);
}

/** Keep what this process holds: one statement for all of it (the heartbeat). */
export async function renewInboxLeases(db: Queryable, holder: InboxHolder): Promise<number> {
  const res = await db.query(
    `UPDATE inbox SET lease_until = now() + make_interval(secs => $2::float8) WHERE owner = $1 AND status IN ('pending', 'processing')`,
    [holder.owner, holder.leaseMs / 1000],
  );
  return res.rowCount ?? 0;
}

/**
 * Take over what no live process holds: unfinished rows whose lease ran out (or that have no
 * owner, from before owners existed); an interrupted attempt is pending again. `everything`: this
 * process is the only one that can reach the database (embedded PGlite), so nothing else is live.
 */
export async function takeOverInbox(db: Queryable, holder: InboxHolder, opts: { everything?: boolean; limit?: number } = {}): Promise<InboxRow[]> {
  const res = await db.query<InboxRow>(
    `UPDATE inbox SET status = 'pending', owner = $1, lease_until = now() + make_interval(secs => $2::float8)
     WHERE id IN (
       SELECT id FROM inbox WHERE status IN ('pending', 'processing')
         AND ($3 OR owner IS NULL OR lease_until IS NULL OR lease_until < now()) AND (owner IS DISTINCT FROM $1 OR $3)
       ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [holder.owner, holder.leaseMs / 1000, opts.everything ?? false, opts.limit ?? 1000],
  );
  return res.rows.map(openInbox).sort((a, b) => Number(a.id) - Number(b.id));
}

/**
 * An earlier event of the same conversation that is not finished and not waiting out a retry
 * backoff: a later one waits for it, whichever replica holds it (per-conversation order).
 */
export async function earlierInConversation(db: Queryable, row: Pick<InboxRow, 'id' | 'channel' | 'conversation_id'>): Promise<boolean> {
  const res = await db.query(
    `SELECT 1 FROM inbox WHERE channel = $1 AND conversation_id = $2 AND id < $3 AND kind <> 'action'
       AND (status = 'processing' OR (status = 'pending' AND next_attempt_at IS NULL)) LIMIT 1`,
    [row.channel, row.conversation_id, row.id],
  );
  return res.rows.length > 0;
}

/** Heard by replicas waiting for an event another one handles (`Inbox.outcomeOf`); the payload is the inbox id. */
export const INBOX_DONE_CHANNEL = 'switchboard_inbox_done';

/**
 * What a finished event's handling sent back: message ids (and, for a dead letter, the fixed notice
 * text), never a person's words, so it is stored in clear.
 */
export const inboxOutcomeSchema = z.object({
  status: z.literal('dead').optional(),
  message: z.string().optional(),
  sent: z.array(z.object({ messageId: z.string() })),
});
export type InboxOutcome = z.infer<typeof inboxOutcomeSchema>;

/**
 * Done, with what it sent; `notify`: tell the replicas that may wait for it (PostgreSQL). One
 * statement either way.
 */
export async function markInboxDone(db: Queryable, id: string, outcome?: InboxOutcome, opts: { notify?: boolean } = {}): Promise<void> {
  await db.query(
    `WITH done AS (UPDATE inbox SET status = 'done', error = NULL, processed_at = now(), outcome = $2 WHERE id = $1 RETURNING id)
     SELECT pg_notify('${INBOX_DONE_CHANNEL}', id::text) FROM done WHERE $3`,
    [id, outcome ? JSON.stringify(outcome) : null, opts.notify ?? false],
  );
}

/** Whether an event is finished (done or dead) and what it sent; undefined when there is no such row. */
export async function inboxOutcome(db: Queryable, id: string): Promise<{ finished: boolean; outcome: InboxOutcome | undefined } | undefined> {
  const res = await db.query<{ status: InboxStatus; outcome: unknown }>('SELECT status, outcome FROM inbox WHERE id = $1', [id]);
  const row = res.rows[0];
  if (!row) return undefined;
  const parsed = inboxOutcomeSchema.safeParse(row.outcome);
  // A dead letter counts once its notice is recorded (recordInboxOutcome), so a waiter gets the notice.
  const outcome = parsed.success ? parsed.data : undefined;
  return { finished: row.status === 'done' || (row.status === 'dead' && outcome !== undefined), outcome };
}

/** A failed attempt: back to pending, due again in `delayMs`. */
export async function deferInbox(db: Queryable, id: string, error: string, delayMs: number): Promise<void> {
  await db.query(
    `UPDATE inbox SET status = 'pending', error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
    [id, maskText(storableText(error)).slice(0, 2000), delayMs / 1000],
  );
}

/** The last attempt failed: dead-lettered (kept, with its error, for an operator). */
export async function markInboxDead(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`UPDATE inbox SET status = 'dead', error = $2, next_attempt_at = NULL, processed_at = now() WHERE id = $1`, [
    id,
    maskText(storableText(error)).slice(0, 2000),
  ]);
}

/** A dead letter's notice, once sent (after the row is dead, so a crash between never sends it twice). */
export async function recordInboxOutcome(db: Queryable, id: string, outcome: InboxOutcome, opts: { notify?: boolean } = {}): Promise<void> {
  await db.query(
    `WITH rec AS (UPDATE inbox SET outcome = $2 WHERE id = $1 RETURNING id)
     SELECT pg_notify('${INBOX_DONE_CHANNEL}', id::text) FROM rec WHERE $3`,
    [id, JSON.stringify(outcome), opts.notify ?? false],
  );
}

/** The payload holds the person's raw words (the turn needs them): sealed at rest, opened here. */
export function openInbox(row: InboxRow): InboxRow {
  return { ...row, payload: openJson<Record<string, unknown>>(row.payload, 'inbox.payload') };
}

/** Pending retries that are due (any process's: one that died during a backoff leaves them here). */
export async function dueInbox(db: Queryable, limit = 100, owner?: string): Promise<InboxRow[]> {
  const res = await db.query<InboxRow>(
    `SELECT * FROM inbox WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND next_attempt_at <= now()
       AND ($2::text IS NULL OR owner IS NULL OR owner = $2) ORDER BY next_attempt_at LIMIT $1`,
    [limit, owner ?? null],
  );
  return res.rows.map(openInbox);
}

export async function inboxBacklog(db: Queryable): Promise<{ pending: number; dead: number }> {
  const res = await db.query<{ pending: string; dead: string }>(
    `SELECT (SELECT count(*) FROM inbox WHERE status IN ('pending', 'processing')) AS pending,
            (SELECT count(*) FROM inbox WHERE status = 'dead') AS dead`,
  );
  return { pending: Number(res.rows[0]?.pending ?? 0), dead: Number(res.rows[0]?.dead ?? 0) };
}

/** A dead-lettered event as an operator sees it: what and when, never the payload (a person's words). */
export interface DeadLetterRow {
  id: string;
  channel: string;
  kind: InboxKind;
  attempts: number;
  error: string | null;
  received_at: Date;
  processed_at: Date | null;
}

/** Dead letters newest first, a page at a time (inbox_dead index); `next` pages on to older ones. */
export async function deadInbox(db: Queryable, page: { limit: number; cursor?: string | undefined }): Promise<Page<DeadLetterRow>> {
  const before = page.cursor === undefined ? undefined : decodeCursor(page.cursor, deadCursor);
  if (page.cursor !== undefined && !before) throw new BadCursorError();
  const res = await db.query<DeadLetterRow>(
    `SELECT id, channel, kind, attempts, error, received_at, processed_at FROM inbox
      WHERE status = 'dead' AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $1`,
    [page.limit + 1, before?.i ?? null],
  );
  return pageOf(res.rows, page.limit, (r) => ({ k: 'd', i: r.id }), (r) => r);
}
const deadCursor = z.object({ k: z.literal('d'), i: z.string().regex(/^\d{1,19}$/) }).strict();
