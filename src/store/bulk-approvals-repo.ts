/**
 * Bulk approval cards (migrations/024_bulk_approvals.sql): the snapshot of approval ids one card
 * lists, decided at most once (open -> decided in one conditional UPDATE), with what the click did
 * to each item. The items' own decisions live on their approval rows, as for any single click.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from './db.js';
import { storableJson, storableOrNull } from '../lib/storable.js';
import type { Lang } from '../chat/lang.js';

/** What a bulk click did to one listed item. */
export const bulkItemOutcome = z.object({
  result: z.enum(['approved', 'rejected', 'skipped', 'refused']),
  /** The single path's refusal reason (withdrawn, expired, already_decided, out_of_scope, …). */
  reason: z.string().max(64).optional(),
  /** Who decided it first, for already_decided. */
  by: z.string().max(128).optional(),
});
export type BulkItemOutcome = z.infer<typeof bulkItemOutcome>;

export interface BulkRow {
  id: string;
  approver_id: string;
  tool: string;
  approval_ids: string[];
  ids_hash: string;
  own_card_ids: string[];
  beyond_cap: number;
  lang: Lang;
  status: 'open' | 'decided';
  decision: 'approve' | 'reject' | null;
  comment: string | null;
  decided_at: Date | null;
  outcomes: Record<string, BulkItemOutcome>;
  channel: string | null;
  conversation_id: string | null;
  message_id: string | null;
  created_at: Date;
}

/** SHA-256 of the listed ids in their order: what the card's opaque id carries (16 hex digits of it). */
export function idsHash(ids: readonly string[]): string {
  return createHash('sha256').update(ids.join(',')).digest('hex');
}

const CARD_ID = /^bulk:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([0-9a-f]{16})$/;

/** The card's opaque id: the snapshot and the first 16 hex digits of its ids' hash. */
export const bulkCardId = (row: Pick<BulkRow, 'id' | 'ids_hash'>): string => `bulk:${row.id}:${row.ids_hash.slice(0, 16)}`;

/** A click's id read back; undefined when it is not a bulk card's. */
export function parseBulkCardId(id: string): { id: string; hash16: string } | undefined {
  const m = CARD_ID.exec(id);
  return m ? { id: m[1]!, hash16: m[2]! } : undefined;
}

export const isBulkCardId = (id: string): boolean => id.startsWith('bulk:');

export async function createBulk(
  db: Queryable,
  b: { id: string; approverId: string; tool: string; approvalIds: string[]; ownCardIds: string[]; beyondCap: number; lang: Lang },
): Promise<BulkRow> {
  const res = await db.query<BulkRow>(
    `INSERT INTO bulk_approvals (id, approver_id, tool, approval_ids, ids_hash, own_card_ids, beyond_cap, lang)
     VALUES ($1, $2, $3, $4::uuid[], $5, $6::uuid[], $7, $8) RETURNING *`,
    [b.id, b.approverId, b.tool, b.approvalIds, idsHash(b.approvalIds), b.ownCardIds, b.beyondCap, b.lang],
  );
  return res.rows[0]!;
}

export async function getBulk(db: Queryable, id: string): Promise<BulkRow | undefined> {
  return (await db.query<BulkRow>('SELECT * FROM bulk_approvals WHERE id = $1', [id])).rows[0];
}

/** Where the card was sent (one copy: the asker's conversation). */
export async function setBulkMessage(db: Queryable, id: string, ref: { channel: string; conversationId: string; messageId: string }): Promise<void> {
  await db.query('UPDATE bulk_approvals SET channel = $2, conversation_id = $3, message_id = $4 WHERE id = $1', [id, ref.channel, ref.conversationId, ref.messageId]);
}

/** The one decision of a snapshot: exactly one of any number of concurrent clicks wins. */
export async function claimBulk(db: Queryable, id: string, decision: 'approve' | 'reject', comment: string | null): Promise<BulkRow | undefined> {
  const res = await db.query<BulkRow>(
    `UPDATE bulk_approvals SET status = 'decided', decision = $2, comment = $3, decided_at = now() WHERE id = $1 AND status = 'open' RETURNING *`,
    [id, decision, storableOrNull(comment)],
  );
  return res.rows[0];
}

export async function setBulkOutcomes(db: Queryable, id: string, outcomes: Record<string, BulkItemOutcome>): Promise<void> {
  await db.query('UPDATE bulk_approvals SET outcomes = $2 WHERE id = $1', [id, storableJson(outcomes)]);
}
