/**
 * Inbox rows: every inbound event, unique on (channel, event id). Inserting is the dedup: a
 * retried webhook or a double click finds its row already there and produces no second effect.
 */
import type { Queryable } from './db.js';
import { openJson, sealJson } from './data-keys.js';
import { maskText } from '../policies/masking.js';

export type InboxKind = 'message' | 'action';
export type InboxStatus = 'pending' | 'processing' | 'done' | 'failed';

export interface InboxRow {
  id: string;
  channel: string;
  event_id: string;
  kind: InboxKind;
  conversation_id: string;
  payload: Record<string, unknown>;
  status: InboxStatus;
  attempts: number;
  received_at: Date;
}

export async function insertInbox(
  db: Queryable,
  row: { channel: string; eventId: string; kind: InboxKind; conversationId: string; payload: Record<string, unknown> },
): Promise<{ row: InboxRow; duplicate: boolean }> {
  const inserted = await db.query<InboxRow>(
    `INSERT INTO inbox (channel, event_id, kind, conversation_id, payload) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (channel, event_id) DO NOTHING RETURNING *`,
    [row.channel, row.eventId, row.kind, row.conversationId, JSON.stringify(sealJson(row.payload, 'inbox.payload'))],
  );
  if (inserted.rows[0]) return { row: openInbox(inserted.rows[0]), duplicate: false };
  const existing = await db.query<InboxRow>('SELECT * FROM inbox WHERE channel = $1 AND event_id = $2', [row.channel, row.eventId]);
  return { row: openInbox(existing.rows[0]!), duplicate: true };
}

export async function markInbox(db: Queryable, id: string, status: InboxStatus, error?: string): Promise<void> {
  await db.query(
    `UPDATE inbox SET status = $2, error = $3,
       attempts = attempts + CASE WHEN $2 = 'processing' THEN 1 ELSE 0 END,
       processed_at = CASE WHEN $2 IN ('done', 'failed') THEN now() ELSE processed_at END
     WHERE id = $1`,
    [id, status, error == null ? null : maskText(error)],
  );
}

export async function unfinishedInbox(db: Queryable): Promise<InboxRow[]> {
  const res = await db.query<InboxRow>(`SELECT * FROM inbox WHERE status IN ('pending', 'processing') ORDER BY id`);
  return res.rows.map(openInbox);
}

/** The payload holds the person's raw words (the turn needs them): sealed at rest, opened here. */
export function openInbox(row: InboxRow): InboxRow {
  return { ...row, payload: openJson<Record<string, unknown>>(row.payload, 'inbox.payload') };
}
