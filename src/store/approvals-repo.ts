/**
 * Approvals and their outbox. The decision is one conditional UPDATE, so exactly one of any
 * number of concurrent clicks wins; the approved write's outbox row and the audit record are
 * written in the same transaction as the decision.
 */
import type pg from 'pg';
import { z } from 'zod';
import type { Db, Queryable } from './db.js';
import { appendAuditInTx } from './audit.js';
import { storable, storableJson, storableOrNull, storableText } from '../lib/storable.js';
import { dataKeys, openJson, sealJson } from './data-keys.js';
import { maskDeep, maskText } from '../policies/masking.js';
import type { ApprovalStatus, CardContent, CardLine, StoredOutcome } from '../chat/approval-card.js';
import type { Lang } from '../chat/lang.js';
import type { ScopeOwner } from '../policies/access.js';
import { BadCursorError, decodeCursor, pageOf, pgTimestamp, pgTimestampSql, type Page } from '../lib/paging.js';

export interface ApprovalRow {
  id: string;
  run_id: string;
  thread_id: string;
  tool: string;
  input: Record<string, unknown>;
  action_hash: string;
  requester_id: string;
  department: string;
  approver_ids: string[];
  title: string;
  lines: CardLine[];
  lang: Lang;
  status: ApprovalStatus;
  created_at: Date;
  expires_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  comment: string | null;
  outcome: StoredOutcome | null;
  /** The card's words in both languages (migration 017); null on older rows (row.lang only). */
  card: Partial<Record<Lang, CardContent>> | null;
  /** Owners of what the write changes (migration 007); null on older rows. */
  target_scope: ScopeOwner[] | null;
  /** Distinct approvals the write needs (its risk tier, migration 014), and who has given one. */
  required_approvals: number;
  approval_order: 'parallel' | 'sequential';
  approved_by: string[];
  /** Keyed digest of the request without the guard's read (policies/action-hash.ts requestHash; migration 018); null on older rows. */
  request_hash: string | null;
  /** Keyed digest of tool|target, for conflicts (policies/action-hash.ts targetKey); null when the write has none. */
  target_key: string | null;
  /** Delegates among the approvers, each standing in for one approver's seat (migration 020). */
  stand_ins: Record<string, string>;
  /** An approver must have signed in this recently (migration 021); null: no re-authentication. */
  reauth_within_seconds: number | null;
}

/** The approver whose seat this person fills: their delegator when they stand in, else themselves. */
export const seatOf = (row: Pick<ApprovalRow, 'stand_ins'>, id: string): string => row.stand_ins?.[id] ?? id;

/** The seats of an approval in the approvers' order (delegates fill their delegator's), and those filled. */
export function seats(row: Pick<ApprovalRow, 'approver_ids' | 'approved_by' | 'stand_ins'>): { order: string[]; filled: Set<string> } {
  return { order: row.approver_ids.filter((a) => !(a in (row.stand_ins ?? {}))), filled: new Set(row.approved_by.map((a) => seatOf(row, a))) };
}

export interface NewApproval {
  id: string;
  runId: string;
  threadId: string;
  tool: string;
  input: Record<string, unknown>;
  actionHash: string;
  requesterId: string;
  department: string;
  approverIds: string[];
  title: string;
  lines: CardLine[];
  lang: Lang;
  ttlSeconds: number;
  targetScope: ScopeOwner[];
  /** Still pending after this long: escalate to the next person on the roster (null: never). */
  escalateAfterSeconds?: number | null;
  /** The risk tier: distinct approvals needed (default 1) and whether in the approvers' order. */
  requiredApprovals?: number;
  approvalOrder?: 'parallel' | 'sequential';
  /** What the guard read about the write (risk tiers, anti-splitting). */
  facts?: Record<string, string | number | boolean>;
  requestHash?: string;
  targetKey?: string | null;
  /** Delegates among approverIds: delegate id -> the approver they stand in for. */
  standIns?: Record<string, string>;
  /** An approver must have signed in this recently (the top risk tier). */
  reauthWithinSeconds?: number | null;
  /** The card's words in each language (masked), so every reader gets their own. */
  card?: Partial<Record<Lang, CardContent>>;
}

/** Idempotent per (run, tool): a re-run of the proposing node finds the approval it made. */
export async function createApproval(db: Queryable, a: NewApproval): Promise<{ row: ApprovalRow; created: boolean }> {
  const res = await db.query<ApprovalRow>(
    `INSERT INTO approvals (id, run_id, thread_id, tool, input, action_hash, requester_id, department, approver_ids, title, lines, lang, expires_at, target_scope, escalate_at, required_approvals, approval_order, facts, stand_ins, reauth_within_seconds, card, request_hash, target_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now() + make_interval(secs => $13), $14,
             CASE WHEN $15::int IS NULL THEN NULL ELSE now() + make_interval(secs => $15::int) END, $16, $17, $18, $19, $20, $21, $22, $23)
     ON CONFLICT (run_id, tool) DO NOTHING RETURNING *`,
    [a.id, a.runId, storableText(a.threadId), a.tool, JSON.stringify(sealJson(storable(a.input), 'approvals.input')), a.actionHash, a.requesterId, a.department, a.approverIds, storableText(a.title), storableJson(a.lines), a.lang, a.ttlSeconds, JSON.stringify(a.targetScope), a.escalateAfterSeconds ?? null, a.requiredApprovals ?? 1, a.approvalOrder ?? 'parallel', JSON.stringify(a.facts ?? {}), JSON.stringify(a.standIns ?? {}), a.reauthWithinSeconds ?? null, a.card ? storableJson(maskDeep(a.card)) : null, a.requestHash ? requestDigest(a.requestHash) : null, a.targetKey ? targetDigest(a.targetKey) : null],
  );
  if (res.rows[0]) return { row: openApproval(res.rows[0]), created: true };
  const existing = await db.query<ApprovalRow>('SELECT * FROM approvals WHERE run_id = $1 AND tool = $2', [a.runId, a.tool]);
  return { row: openApproval(existing.rows[0]!), created: false };
}

export async function getApproval(db: Queryable, id: string): Promise<ApprovalRow | undefined> {
  if (!isUuid(id)) return undefined;
  return openApproval((await db.query<ApprovalRow>('SELECT * FROM approvals WHERE id = $1', [id])).rows[0]);
}

export function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

export type DecideOutcome =
  | { won: true; row: ApprovalRow }
  | { won: false; current: ApprovalRow | undefined }
  /** A tiered approval took this approver's vote and still needs more (nothing runs yet). */
  | { won: false; vote: 'counted'; current: ApprovalRow }
  /** This approver already approved it, or (in order) another approver's turn comes first. */
  | { won: false; vote: 'already_voted' | 'not_your_turn'; current: ApprovalRow; next?: string };

/**
 * The one place a decision is made. Returns won=false with the current row when someone else
 * decided first, the approval expired, or it does not exist.
 */
export async function decideApproval(
  db: Db,
  d: { id: string; status: 'approved' | 'rejected'; deciderId: string; comment: string | null; auditDetails: Record<string, unknown> },
): Promise<DecideOutcome> {
  if (!isUuid(d.id)) return { won: false, current: undefined };
  return db.tx(async (client: pg.PoolClient) => {
    // The row lock orders concurrent clicks: each vote is counted once and the approval made once.
    const locked = openApproval(
      (await client.query<ApprovalRow>(`SELECT * FROM approvals WHERE id = $1 AND status = 'pending' AND expires_at > now() FOR UPDATE`, [d.id])).rows[0],
    );
    if (locked && d.status === 'approved' && locked.required_approvals > 1) {
      // Seats, not people: a delegate and the approver they stand in for approve once between them.
      const seat = seatOf(locked, d.deciderId);
      const { order, filled } = seats(locked);
      if (filled.has(seat)) return { won: false, vote: 'already_voted', current: locked };
      const next = order.find((a) => !filled.has(a));
      if (locked.approval_order === 'sequential' && next !== seat) return { won: false, vote: 'not_your_turn', current: locked, ...(next ? { next } : {}) };
      const voted = openApproval(
        (await client.query<ApprovalRow>(`UPDATE approvals SET approved_by = array_append(approved_by, $2) WHERE id = $1 RETURNING *`, [d.id, d.deciderId])).rows[0],
      )!;
      const votes = seats(voted).filled.size;
      if (votes < voted.required_approvals) {
        await appendAuditInTx(client, { actor: d.deciderId, action: 'approval.voted', subject: voted.id, runId: voted.run_id, details: { ...d.auditDetails, votes, required: voted.required_approvals, ...(seat !== d.deciderId && { standingInFor: seat }) } });
        return { won: false, vote: 'counted', current: voted };
      }
    }
    const res = await client.query<ApprovalRow>(
      `UPDATE approvals SET status = $2, decided_by = $3, decided_at = now(), comment = $4
       WHERE id = $1 AND status = 'pending' AND expires_at > now() RETURNING *`,
      [d.id, d.status, d.deciderId, storableOrNull(d.comment)],
    );
    const row = openApproval(res.rows[0]);
    if (!row) {
      const current = openApproval((await client.query<ApprovalRow>('SELECT * FROM approvals WHERE id = $1', [d.id])).rows[0]);
      return { won: false, current };
    }
    if (d.status === 'approved') {
      await client.query(
        `INSERT INTO outbox (approval_id, tool, input, idempotency_key) VALUES ($1, $2, $3, $4)`,
        [row.id, row.tool, JSON.stringify(sealJson(storable(row.input), 'outbox.input')), row.id],
      );
    }
    await appendAuditInTx(client, {
      actor: d.deciderId,
      action: d.status === 'approved' ? 'approval.approved' : 'approval.rejected',
      subject: row.id,
      runId: row.run_id,
      details: d.auditDetails,
    });
    return { won: true, row };
  });
}

/**
 * A sweep takes at most this many rows at a time (expiry, escalation, recovery): 10,000 approvals
 * due at once are handled in batches (the next batch or sweep takes the rest), never all in memory
 * and one transaction.
 */
export const SWEEP_BATCH = 200;

/**
 * Pending approvals past their expiry become 'expired' (one UPDATE, so a racing click loses
 * cleanly), at most `limit` of them (`id`: only that one). The caller repeats while a batch is full.
 */
export async function expireApprovals(db: Db, opts: { id?: string; limit?: number } = {}): Promise<ApprovalRow[]> {
  return db.tx(async (client) => {
    const res = await client.query<ApprovalRow>(
      `UPDATE approvals SET status = 'expired' WHERE id IN (
         SELECT id FROM approvals WHERE status = 'pending' AND expires_at <= now() AND ($1::uuid IS NULL OR id = $1::uuid)
         ORDER BY expires_at LIMIT $2 FOR UPDATE)
       AND status = 'pending' RETURNING *`,
      [opts.id !== undefined && isUuid(opts.id) ? opts.id : null, opts.limit ?? SWEEP_BATCH],
    );
    for (const row of res.rows) {
      await appendAuditInTx(client, {
        actor: 'system',
        action: 'approval.expired',
        subject: row.id,
        runId: row.run_id,
        details: { tool: row.tool, expiresAt: row.expires_at.toISOString() },
      });
    }
    return res.rows.map((r) => openApproval(r));
  });
}

export async function setApprovalOutcome(db: Queryable, id: string, outcome: ApprovalRow['outcome']): Promise<void> {
  await db.query('UPDATE approvals SET outcome = $2 WHERE id = $1', [id, storableJson(maskDeep(outcome))]);
}

/**
 * The owners a reader may see, as data the database can compare (policies/access.ts scopeFilterOf):
 * null is "every one". Rows whose owners could not be determined are theirs only with every region.
 */
export interface ScopeFilter {
  regions: string[] | null;
  departments: string[] | null;
}

/** Where a "waiting for me" page ends: riskiest first, then oldest, then id (a total order). */
const waitingCursor = z.object({ k: z.literal('w'), r: z.number().int().min(0), c: pgTimestamp, i: z.string().uuid() }).strict();

/**
 * What `approverId` may decide now, one page at a time, riskiest (most approvals needed) then
 * oldest first: pending and unexpired, listed as an approver, not their
 * own request, their vote not given, and every owner of the write in their scope. The scope is
 * compared in SQL, so a page is full of rows they may see and nothing out of scope is read into
 * memory; `total` counts the same rows, up to TOTAL_CAP (the first page only, where a caller shows it). Migration
 * 025's two indexes serve both shapes: the pending rows in page order (someone listed on most of
 * them stops after one page) and a GIN index on the approvers (someone listed on few of them).
 * The order is written `-required_approvals, created_at, id` so one row comparison is the keyset.
 */
export async function pendingForApproverPage(
  db: Queryable,
  approverId: string,
  scope: ScopeFilter,
  page: { limit: number; cursor?: string | undefined; withTotal?: boolean },
): Promise<Page<ApprovalRow> & PageCount> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, waitingCursor);
  if (page.cursor !== undefined && !after) throw new BadCursorError();
  const where = `status = 'pending' AND expires_at > now() AND approver_ids @> ARRAY[$1::text] AND requester_id <> $1 AND NOT ($1 = ANY(approved_by))
    AND (CASE WHEN target_scope IS NULL OR jsonb_typeof(target_scope) <> 'array' THEN $2::boolean
      ELSE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(target_scope) o
        WHERE (o->>'kind' = 'region' AND $3::text[] IS NOT NULL AND NOT (o->>'id' = ANY($3::text[])))
           OR (o->>'kind' = 'department' AND $4::text[] IS NOT NULL AND NOT (o->>'id' = ANY($4::text[])))) END)`;
  const scopeArgs = [approverId, scope.regions === null, scope.regions, scope.departments];
  const res = await db.query<ApprovalRow & { page_at: string }>(
    `SELECT *, ${pgTimestampSql('created_at')} AS page_at FROM approvals WHERE ${where}
       AND ($5::int IS NULL OR ((-required_approvals), created_at, id) > ($5::int, $6::timestamptz, $7::uuid))
     ORDER BY (-required_approvals), created_at, id LIMIT $8`,
    [...scopeArgs, after ? -after.r : null, after?.c ?? null, after?.i ?? null, page.limit + 1],
  );
  const total = page.withTotal ? await cappedCount(db, `SELECT 1 FROM approvals WHERE ${where}`, scopeArgs) : null;
  return { ...pageOf(res.rows, page.limit, (r) => ({ k: 'w', r: r.required_approvals, c: r.page_at, i: r.id }), (r) => openApproval(withoutPageKey(r))), ...countFields(total) };
}

/** Where a "my requests" page ends: newest first, then id. */
const requesterCursor = z.object({ k: z.literal('r'), c: pgTimestamp, i: z.string().uuid() }).strict();

/** The requester's approvals (every state), newest first, a page at a time; `total` as above. */
export async function requestsOfRequesterPage(
  db: Queryable,
  requesterId: string,
  page: { limit: number; cursor?: string | undefined; withTotal?: boolean },
): Promise<Page<ApprovalRow> & PageCount> {
  const before = page.cursor === undefined ? undefined : decodeCursor(page.cursor, requesterCursor);
  if (page.cursor !== undefined && !before) throw new BadCursorError();
  const res = await db.query<ApprovalRow & { page_at: string }>(
    `SELECT *, ${pgTimestampSql('created_at')} AS page_at FROM approvals
      WHERE requester_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $4`,
    [requesterId, before?.c ?? null, before?.i ?? null, page.limit + 1],
  );
  const total = page.withTotal ? await cappedCount(db, `SELECT 1 FROM approvals WHERE requester_id = $1`, [requesterId]) : null;
  return { ...pageOf(res.rows, page.limit, (r) => ({ k: 'r', c: r.page_at, i: r.id }), (r) => openApproval(withoutPageKey(r))), ...countFields(total) };
}

/**
 * A list's total is counted up to this many: the console asks for it on every poll, and an exact
 * count of 10,000 rows is a scan of 10,000 rows; past the cap it is shown as "1000+".
 */
export const TOTAL_CAP = 1000;

/** What a page says about its list's size: `total` up to TOTAL_CAP, `totalAtLeast` when there are more. */
export interface PageCount {
  total: number | null;
  totalAtLeast: boolean;
}

async function cappedCount(db: Queryable, rowsSql: string, args: unknown[]): Promise<number> {
  const res = await db.query<{ n: string }>(`SELECT count(*) AS n FROM (${rowsSql} LIMIT ${TOTAL_CAP + 1}) t`, args);
  return Number(res.rows[0]?.n ?? 0);
}

const countFields = (n: number | null): PageCount => ({ total: n === null ? null : Math.min(n, TOTAL_CAP), totalAtLeast: n !== null && n > TOTAL_CAP });

function withoutPageKey(row: ApprovalRow & { page_at?: string }): ApprovalRow {
  const { page_at: _key, ...rest } = row;
  return rest;
}

/** A copy of a card, with whom it was sent to (its reader: requester or an approver) where known. */
export async function addApprovalMessage(db: Queryable, m: { approvalId: string; channel: string; conversationId: string; messageId: string; readerId?: string | null }): Promise<void> {
  await db.query(
    `INSERT INTO approval_messages (approval_id, channel, conversation_id, message_id, reader_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [m.approvalId, m.channel, m.conversationId, m.messageId, m.readerId ?? null],
  );
}

export async function approvalMessages(db: Queryable, approvalId: string): Promise<{ channel: string; conversation_id: string; message_id: string; reader_id: string | null }[]> {
  return (
    await db.query<{ channel: string; conversation_id: string; message_id: string; reader_id: string | null }>(
      'SELECT channel, conversation_id, message_id, reader_id FROM approval_messages WHERE approval_id = $1',
      [approvalId],
    )
  ).rows;
}

export interface OutboxRow {
  id: string;
  approval_id: string;
  tool: string;
  input: Record<string, unknown>;
  idempotency_key: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  result: Record<string, unknown> | null;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  /** The executor holding the claim (src/agents/approvals/executor.ts), while 'running'. */
  claimed_by: string | null;
  /** Until when the claim holds unless renewed; a lapsed claim is a dead executor's. */
  claim_expires_at: Date | null;
}

export async function getOutbox(db: Queryable, approvalId: string): Promise<OutboxRow | undefined> {
  return openOutbox((await db.query<OutboxRow>('SELECT * FROM outbox WHERE approval_id = $1', [approvalId])).rows[0]);
}

/**
 * Claim an outbox row for execution: one conditional UPDATE, so of any number of executors (in
 * any process) exactly one gets it. Claimable: 'pending', or 'running' under a lapsed lease (its
 * executor died). `exclusiveStore`: the database is open in this process only (PGlite), so any
 * claim not held by `owner` is a dead process's. Returns undefined when the row is finished,
 * missing or held by a live executor. `attempts` > 1 on the returned row: an earlier attempt
 * started and may have written.
 */
export async function claimOutbox(
  db: Queryable,
  approvalId: string,
  claim: { owner: string; leaseMs: number; exclusiveStore: boolean },
): Promise<OutboxRow | undefined> {
  return (
    await db.query<OutboxRow>(
      `UPDATE outbox SET status = 'running', attempts = attempts + 1, started_at = now(),
         claimed_by = $2, claim_expires_at = now() + make_interval(secs => $3::double precision / 1000)
       WHERE approval_id = $1 AND (status = 'pending' OR (status = 'running' AND (claim_expires_at IS NULL OR claim_expires_at < now()
         OR ($4::boolean AND claimed_by IS DISTINCT FROM $2))))
       RETURNING *`,
      [approvalId, claim.owner, claim.leaseMs, claim.exclusiveStore],
    )
  ).rows.map((r) => openOutbox(r))[0];
}

/** Extend a live claim; false when it is no longer ours (it lapsed and another executor took it). */
export async function renewOutboxClaim(db: Queryable, approvalId: string, owner: string, leaseMs: number): Promise<boolean> {
  const res = await db.query(
    `UPDATE outbox SET claim_expires_at = now() + make_interval(secs => $3::double precision / 1000)
     WHERE approval_id = $1 AND status = 'running' AND claimed_by = $2`,
    [approvalId, owner, leaseMs],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Finish a claimed row. With `owner`, only while that executor still holds it; without, only a
 * row nobody is executing (pending or under a lapsed lease) — a refusal before any claim.
 * Returns false when the row was not ours to finish.
 */
export async function finishOutbox(
  db: Queryable,
  approvalId: string,
  r: { status: 'done' | 'failed'; result?: unknown; error?: string; owner?: string; exclusiveStore?: boolean },
): Promise<boolean> {
  const res = await db.query(
    `UPDATE outbox SET status = $2, result = $3, error = $4, finished_at = now(), claimed_by = NULL, claim_expires_at = NULL
     WHERE approval_id = $1 AND (
       ($5::text IS NOT NULL AND status = 'running' AND claimed_by = $5)
       OR ($5::text IS NULL AND (status = 'pending' OR (status = 'running' AND (claim_expires_at IS NULL OR claim_expires_at < now() OR $6::boolean)))))`,
    [approvalId, r.status, r.result === undefined ? null : storableJson(maskDeep(r.result)), r.error == null ? null : storableText(maskText(r.error)), r.owner ?? null, r.exclusiveStore ?? false],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Approved writes not finished: pending rows, and running rows whose claim lapsed (or, on an
 * exclusive store, is not `owner`'s). The recovery sweep executes or verifies each.
 */
export async function unfinishedOutbox(db: Queryable, claim: { owner: string; exclusiveStore: boolean }): Promise<OutboxRow[]> {
  return (
    await db.query<OutboxRow>(
      `SELECT o.* FROM outbox o JOIN approvals a ON a.id = o.approval_id
       WHERE a.status = 'approved' AND (o.status = 'pending' OR (o.status = 'running' AND (o.claim_expires_at IS NULL OR o.claim_expires_at < now()
         OR ($2::boolean AND o.claimed_by IS DISTINCT FROM $1))))
       ORDER BY o.created_at LIMIT ${SWEEP_BATCH}`,
      [claim.owner, claim.exclusiveStore],
    )
  ).rows.map((r) => openOutbox(r));
}

/**
 * Decided approvals whose run has not ended and has nothing left to execute: rejected or expired,
 * or approved with the outbox row finished. The recovery sweep brings each run to its end.
 */
export async function decidedRunsToFinish(db: Queryable): Promise<ApprovalRow[]> {
  return (
    await db.query<ApprovalRow>(
      `SELECT a.* FROM approvals a JOIN runs r ON r.id = a.run_id LEFT JOIN outbox o ON o.approval_id = a.id
       WHERE a.status <> 'pending' AND r.status IN ('running', 'awaiting_approval')
         AND (a.status <> 'approved' OR o.status IN ('done', 'failed'))
       ORDER BY a.decided_at NULLS LAST LIMIT ${SWEEP_BATCH}`,
    )
  ).rows.map((r) => openApproval(r));
}

/**
 * The write's input is what must stay raw to execute it (an SMS's number, a ticket's contact):
 * sealed at rest (store/data-keys.ts), opened here, so callers see plain rows.
 */
export function openApproval<R extends ApprovalRow | undefined>(row: R): R {
  return (row ? { ...row, input: openJson<Record<string, unknown>>(row.input, 'approvals.input') } : row) as R;
}

export function openOutbox<R extends OutboxRow | undefined>(row: R): R {
  return (row ? { ...row, input: openJson<Record<string, unknown>>(row.input, 'outbox.input') } : row) as R;
}

/** Pending approvals whose escalation time has come by `at` (not yet escalated). */
export async function approvalsDueForEscalation(db: Queryable, at: Date): Promise<ApprovalRow[]> {
  const res = await db.query<ApprovalRow>(
    `SELECT * FROM approvals WHERE status = 'pending' AND escalated_at IS NULL AND escalate_at <= $1 AND expires_at > $1 ORDER BY escalate_at LIMIT ${SWEEP_BATCH}`,
    [at],
  );
  return res.rows.map((r) => openApproval(r));
}

/**
 * Claim an approval's escalation and add the approver, once: false when another process already
 * escalated it, or it was decided meanwhile.
 */
export async function escalateApproval(db: Queryable, id: string, approverId: string | null): Promise<ApprovalRow | undefined> {
  // approverId null: nobody to escalate to; the step is claimed all the same, so no sweep asks again.
  const res = await db.query<ApprovalRow>(
    `UPDATE approvals SET escalated_at = now(), escalated_to = $2::text,
       escalation_told_at = CASE WHEN $2::text IS NULL THEN now() ELSE NULL END,
       approver_ids = CASE WHEN $2::text IS NULL OR $2 = ANY(approver_ids) THEN approver_ids ELSE array_append(approver_ids, $2::text) END
     WHERE id = $1 AND status = 'pending' AND escalated_at IS NULL RETURNING *`,
    [id, approverId],
  );
  return res.rows[0] ? openApproval(res.rows[0]) : undefined;
}

/**
 * Escalations claimed but not yet told (the process that claimed one died before sending its
 * copies), claimed more than `graceMs` before `at` so a live sender is not raced: still pending.
 */
export async function escalationsUntold(db: Queryable, at: Date, graceMs = 60_000): Promise<(ApprovalRow & { escalated_to: string })[]> {
  const res = await db.query<ApprovalRow & { escalated_to: string }>(
    `SELECT * FROM approvals WHERE status = 'pending' AND escalated_to IS NOT NULL AND escalation_told_at IS NULL
       AND escalated_at < $1::timestamptz - make_interval(secs => $2::float8) AND expires_at > $1 ORDER BY escalated_at LIMIT ${SWEEP_BATCH}`,
    [at, graceMs / 1000],
  );
  return res.rows.map((r) => openApproval(r));
}

/** The new approver has the card and the requester has been told: once (false when another process did it). */
export async function markEscalationTold(db: Queryable, id: string): Promise<boolean> {
  const res = await db.query(`UPDATE approvals SET escalation_told_at = now() WHERE id = $1 AND escalation_told_at IS NULL`, [id]);
  return (res.rowCount ?? 0) > 0;
}

/**
 * Anti-splitting: a numeric fact summed over the requester's approvals of one tool created in the
 * last `minutes` that are pending or approved (a rejected or expired one wrote nothing).
 */
export async function recentFactSum(db: Queryable, r: { requesterId: string; tool: string; fact: string; minutes: number; excludeId: string }): Promise<number> {
  const res = await db.query<{ total: string | null }>(
    `SELECT sum((facts->>$3)::numeric) AS total FROM approvals
     WHERE requester_id = $1 AND tool = $2 AND status IN ('pending', 'approved') AND created_at > now() - make_interval(mins => $4) AND id <> $5
       AND jsonb_typeof(facts->$3) = 'number'`,
    [r.requesterId, r.tool, r.fact, r.minutes, r.excludeId],
  );
  return Number(res.rows[0]?.total ?? 0);
}

/**
 * The requester's own pending approval of the same request (requestHash), other than `excludeId`:
 * the card a repeated request points to. Read under the requester's proposal lock.
 */
export async function pendingDuplicate(db: Queryable, r: { requesterId: string; requestHash: string; excludeId: string }): Promise<ApprovalRow | undefined> {
  const res = await db.query<ApprovalRow>(
    `SELECT * FROM approvals WHERE requester_id = $1 AND request_hash = $2 AND status = 'pending' AND expires_at > now() AND id <> $3 ORDER BY created_at LIMIT 1`,
    [r.requesterId, requestDigest(r.requestHash), r.excludeId],
  );
  return res.rows[0] ? openApproval(res.rows[0]) : undefined;
}

/**
 * The request and target identities are stored as keyed digests only: a target holds a mobile
 * number, and an unkeyed hash of one is reversed by trying every number.
 */
const requestDigest = (hash: string) => dataKeys().digest(hash, 'approvals.request_hash');
const targetDigest = (key: string) => dataKeys().digest(key, 'approvals.target_key');

/** The newest rejection of the same request within `minutes`: proposing it again unchanged is answered with its reason. */
export async function recentRejection(db: Queryable, r: { requesterId: string; requestHash: string; minutes: number; excludeId: string }): Promise<ApprovalRow | undefined> {
  const res = await db.query<ApprovalRow>(
    `SELECT * FROM approvals WHERE requester_id = $1 AND request_hash = $2 AND status = 'rejected' AND decided_at > now() - make_interval(mins => $3) AND id <> $4
     ORDER BY decided_at DESC LIMIT 1`,
    [r.requesterId, requestDigest(r.requestHash), r.minutes, r.excludeId],
  );
  return res.rows[0] ? openApproval(res.rows[0]) : undefined;
}

/**
 * Other approvals on the same target (targetKey) that are pending, or approved within `minutes`
 * (a write that ran or is running), newest first: a new card names them as a conflict.
 */
export async function conflictingApprovals(db: Queryable, r: { targetKey: string; minutes: number; excludeId: string }): Promise<ApprovalRow[]> {
  const res = await db.query<ApprovalRow>(
    `SELECT * FROM approvals WHERE target_key = $1 AND id <> $3
       AND ((status = 'pending' AND expires_at > now()) OR (status = 'approved' AND decided_at > now() - make_interval(mins => $2)))
     ORDER BY created_at DESC LIMIT 5`,
    [targetDigest(r.targetKey), r.minutes, r.excludeId],
  );
  return res.rows.map((row) => openApproval(row));
}

export type WithdrawOutcome = { won: true; row: ApprovalRow } | { won: false; current: ApprovalRow | undefined };

/**
 * The requester withdraws a pending approval: one conditional UPDATE under the same row lock a
 * decision takes, so of a withdrawal and an approval at the same instant exactly one wins. The
 * audit row is written in the same transaction.
 */
export async function withdrawApproval(db: Db, w: { id: string; requesterId: string; auditDetails: Record<string, unknown> }): Promise<WithdrawOutcome> {
  if (!isUuid(w.id)) return { won: false, current: undefined };
  return db.tx(async (client) => {
    const res = await client.query<ApprovalRow>(
      `UPDATE approvals SET status = 'withdrawn', decided_by = $2, decided_at = now()
       WHERE id = $1 AND requester_id = $2 AND status = 'pending' AND expires_at > now() RETURNING *`,
      [w.id, w.requesterId],
    );
    const row = openApproval(res.rows[0]);
    if (!row) return { won: false, current: openApproval((await client.query<ApprovalRow>('SELECT * FROM approvals WHERE id = $1', [w.id])).rows[0]) };
    await appendAuditInTx(client, { actor: w.requesterId, action: 'approval.withdrawn', subject: row.id, runId: row.run_id, details: { ...w.auditDetails, tool: row.tool } });
    return { won: true, row };
  });
}


/** The requester's approvals whose id starts with `prefix` (a short id typed in chat). */
export async function approvalsByPrefix(db: Queryable, requesterId: string, prefix: string): Promise<ApprovalRow[]> {
  if (!/^[0-9a-f-]{4,36}$/i.test(prefix)) return [];
  const res = await db.query<ApprovalRow>(`SELECT * FROM approvals WHERE requester_id = $1 AND id::text LIKE $2 ORDER BY created_at DESC LIMIT 5`, [requesterId, `${prefix.toLowerCase()}%`]);
  return res.rows.map((r) => openApproval(r));
}
