/**
 * Inbox rows: every inbound event, unique on (channel, event id). Inserting is the dedup: a
 * retried webhook or a double click finds its row already there and produces no second effect.
 */
import type { Queryable } from './db.js';
import { storable, storableText } from '../lib/storable.js';
import { openJson, sealJson } from './data-keys.js';
import { maskText } from '../policies/masking.js';

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
}

export async function insertInbox(
  db: Queryable,
  row: { channel: string; eventId: string; kind: InboxKind; conversationId: string; payload: Record<string, unknown> },
): Promise<{ row: InboxRow; duplicate: boolean }> {
  const inserted = await db.query<InboxRow>(
    `INSERT INTO inbox (channel, event_id, kind, conversation_id, payload) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (channel, event_id) DO NOTHING RETURNING *`,
    [storableText(row.channel), storableText(row.eventId), row.kind, storableText(row.conversationId), JSON.stringify(sealJson(storable(row.payload), 'inbox.payload'))],
  );
  if (inserted.rows[0]) return { row: openInbox(inserted.rows[0]), duplicate: false };
  const existing = await db.query<InboxRow>('SELECT * FROM inbox WHERE channel = $1 AND event_id = $2', [storableText(row.channel), storableText(row.eventId)]);
  return { row: openInbox(existing.rows[0]!), duplicate: true };
}

/**
 * Take a pending event for one attempt: one statement, so two processes (or a retry timer and the
 * sweeper) never run the same attempt twice. Undefined when it is not pending any more.
 */
export async function claimInbox(db: Queryable, id: string): Promise<InboxRow | undefined> {
  const res = await db.query<InboxRow>(
    `UPDATE inbox SET status = 'processing', attempts = attempts + 1, next_attempt_at = NULL
     WHERE id = $1 AND status = 'pending' RETURNING *`,
    [id],
  );
  return res.rows[0] && openInbox(res.rows[0]);
}

export async function markInboxDone(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE inbox SET status = 'done', error = NULL, processed_at = now() WHERE id = $1`, [id]);
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

/** What a previous process accepted but did not finish (an interrupted attempt is pending again). */
export async function unfinishedInbox(db: Queryable): Promise<InboxRow[]> {
  await db.query(`UPDATE inbox SET status = 'pending' WHERE status = 'processing'`);
  const res = await db.query<InboxRow>(`SELECT * FROM inbox WHERE status = 'pending' ORDER BY id`);
  return res.rows.map(openInbox);
}

/** The payload holds the person's raw words (the turn needs them): sealed at rest, opened here. */
export function openInbox(row: InboxRow): InboxRow {
  return { ...row, payload: openJson<Record<string, unknown>>(row.payload, 'inbox.payload') };
}

/** Pending retries that are due (any process's: one that died during a backoff leaves them here). */
export async function dueInbox(db: Queryable, limit = 100): Promise<InboxRow[]> {
  const res = await db.query<InboxRow>(
    `SELECT * FROM inbox WHERE status = 'pending' AND next_attempt_at IS NOT NULL AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1`,
    [limit],
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
