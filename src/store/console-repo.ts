/**
 * Storage of the local console channel's transcripts. Texts and cards are stored masked
 * (policies/masking.ts): the transcript is for display, and the raw words a turn needs live
 * sealed in the inbox.
 */
import { z } from 'zod';
import type { Queryable } from './db.js';
import { maskDeep, maskText } from '../policies/masking.js';
import type { ApprovalCardView } from '../chat/approval-card.js';
import { storableJson, storableOrNull, storableText } from '../lib/storable.js';
import { BadCursorError, decodeCursor, pageOf, type Page } from '../lib/paging.js';

export interface ConsoleMessageRow {
  id: string;
  conversation_id: string;
  sender: 'user' | 'bot';
  user_id: string | null;
  kind: 'text' | 'card';
  text: string | null;
  card: ApprovalCardView | null;
  approval_id: string | null;
  inbox_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * A bot text's suggested commands (OutboundMessage.suggestions) live in the row's jsonb `card`
 * column, which a text row does not otherwise use: `{ "suggestions": [...] }`. Read back through
 * this schema only, so a card is never taken for suggestions or the reverse.
 */
const textExtras = z.object({ suggestions: z.array(z.string().max(200)).max(6) }).strict();

/** The suggested commands of a text row (none for a card or a user's message). */
export function suggestionsOf(row: ConsoleMessageRow): string[] {
  if (row.kind !== 'text' || row.sender !== 'bot' || !row.card) return [];
  const extras = textExtras.safeParse(row.card);
  return extras.success ? extras.data.suggestions : [];
}

export async function insertConsoleMessage(
  db: Queryable,
  m: { conversationId: string; sender: 'user' | 'bot'; userId?: string; kind: 'text' | 'card'; text?: string; card?: ApprovalCardView; inboxId?: string; suggestions?: string[] },
): Promise<ConsoleMessageRow> {
  const extras = m.kind === 'text' && m.sender === 'bot' && m.suggestions?.length ? textExtras.parse({ suggestions: m.suggestions.map((s) => maskText(s)).slice(0, 6) }) : undefined;
  const res = await db.query<ConsoleMessageRow>(
    `INSERT INTO console_messages (conversation_id, sender, user_id, kind, text, card, approval_id, inbox_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      storableText(m.conversationId),
      m.sender,
      storableOrNull(m.userId),
      m.kind,
      m.text === undefined ? null : storableText(maskText(m.text)),
      m.card ? storableJson(maskDeep(m.card)) : extras ? storableJson(extras) : null,
      // A bulk card's id names its snapshot, not an approval row.
      m.card?.approvalId && !m.card.bulk ? m.card.approvalId : null,
      m.inboxId ?? null,
    ],
  );
  return res.rows[0]!;
}

export async function updateConsoleCard(db: Queryable, id: string, card: ApprovalCardView): Promise<void> {
  await db.query(`UPDATE console_messages SET card = $2, updated_at = now() WHERE id = $1`, [id, storableJson(maskDeep(card))]);
}

/** A bot text edited in place (a progress line); only bot texts, so a user's words never change. */
export async function updateConsoleText(db: Queryable, id: string, text: string): Promise<void> {
  const res = await db.query(`UPDATE console_messages SET text = $2, updated_at = now() WHERE id = $1 AND kind = 'text' AND sender = 'bot'`, [id, storableText(maskText(text))]);
  if (res.rowCount === 0) throw new Error(`console: no bot text message ${id} to update`);
}

/**
 * A conversation's messages a page at a time, in the order they were written: the newest `limit`
 * first, and `next` pages back to older ones (console_messages_conv index; no whole transcript read).
 */
export async function consoleTranscriptPage(db: Queryable, conversationId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<ConsoleMessageRow>> {
  const before = page.cursor === undefined ? undefined : decodeCursor(page.cursor, transcriptCursor);
  if (page.cursor !== undefined && !before) throw new BadCursorError();
  const res = await db.query<ConsoleMessageRow>(
    `SELECT * FROM console_messages WHERE conversation_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3`,
    [conversationId, before?.i ?? null, page.limit + 1],
  );
  const newestFirst = pageOf(res.rows, page.limit, (r) => ({ k: 't', i: r.id }), (r) => r);
  return { items: newestFirst.items.reverse(), next: newestFirst.next };
}
const transcriptCursor = z.object({ k: z.literal('t'), i: z.string().regex(/^\d{1,19}$/) }).strict();

/** The rows a turn sent, by id (the console's ?wait=1 answer), in the order they were written. */
export async function consoleMessagesByIds(db: Queryable, ids: string[]): Promise<ConsoleMessageRow[]> {
  if (ids.length === 0) return [];
  return (await db.query<ConsoleMessageRow>('SELECT * FROM console_messages WHERE id = ANY($1::bigint[]) ORDER BY id', [ids])).rows;
}
