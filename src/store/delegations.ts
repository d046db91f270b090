/**
 * Delegations: an approver names a delegate until a time. Only the approver themselves (a verified
 * session or platform identity, never a body field) names one; each change is audited in the same
 * transaction. The approval lifecycle asks for the delegates active now when it picks approvers.
 */
import type { Db, Queryable } from './db.js';
import { appendAuditInTx } from './audit.js';

export interface Delegation {
  id: string;
  delegator_id: string;
  delegate_id: string;
  starts_at: Date;
  ends_at: Date;
}

/** A pending approval as the delegation rules need to see it. */
export interface PendingForDelegate {
  id: string;
  requester_id: string;
  tool: string;
  target_scope: { kind: 'region' | 'department'; id: string }[] | null;
}

/**
 * Replace the delegator's active delegation (one at a time) by this one. `standsIn` picks, among
 * the approvals now waiting on the delegator, those the delegate also decides (the rules are the
 * caller's: policies/delegation-rules.ts mayStandIn); they gain the delegate as an approver in the
 * same transaction, so a holiday that starts today covers what already waits. Their ids are returned.
 */
export async function delegate(
  db: Db,
  d: { delegatorId: string; delegateId: string; until: Date; actor: string; standsIn?: (a: PendingForDelegate) => boolean },
): Promise<Delegation & { shared: string[] }> {
  return db.tx(async (c) => {
    // One delegator's changes one at a time: two at once must not leave two delegations active.
    await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`delegation:${d.delegatorId}`]);
    await c.query(`UPDATE delegations SET revoked_at = now() WHERE delegator_id = $1 AND revoked_at IS NULL AND ends_at > now()`, [d.delegatorId]);
    const res = await c.query<Delegation>(
      `INSERT INTO delegations (delegator_id, delegate_id, ends_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id, delegator_id, delegate_id, starts_at, ends_at`,
      [d.delegatorId, d.delegateId, d.until, d.actor],
    );
    const row = res.rows[0]!;
    // Row locks: a decision or an escalation of the same approval waits, and sees the new approver list.
    const waiting = await c.query<PendingForDelegate>(
      `SELECT id, requester_id, tool, target_scope FROM approvals
       WHERE status = 'pending' AND expires_at > now() AND $1 = ANY(approver_ids) AND NOT ($2 = ANY(approver_ids))
       ORDER BY created_at FOR UPDATE`,
      [d.delegatorId, d.delegateId],
    );
    const shared = waiting.rows.filter((a) => d.standsIn?.(a) ?? false).map((a) => a.id);
    if (shared.length > 0) {
      await c.query(
        `UPDATE approvals SET approver_ids = array_append(approver_ids, $2), stand_ins = stand_ins || jsonb_build_object($2::text, $3::text) WHERE id = ANY($1::uuid[])`,
        [shared, d.delegateId, d.delegatorId],
      );
    }
    await appendAuditInTx(c, { actor: d.actor, action: 'approval.delegated', subject: d.delegatorId, details: { delegate: d.delegateId, until: row.ends_at.toISOString(), pendingShared: shared } });
    return { ...row, shared };
  });
}

/** End the delegator's active delegation now; false when there was none. */
export async function revokeDelegation(db: Db, d: { delegatorId: string; actor: string }): Promise<boolean> {
  return db.tx(async (c) => {
    const res = await c.query(`UPDATE delegations SET revoked_at = now() WHERE delegator_id = $1 AND revoked_at IS NULL AND ends_at > now() RETURNING id`, [d.delegatorId]);
    if (res.rows.length > 0) await appendAuditInTx(c, { actor: d.actor, action: 'approval.delegation_revoked', subject: d.delegatorId, details: {} });
    return res.rows.length > 0;
  });
}

/** The delegates active now for these delegators, by delegator. */
export async function activeDelegates(db: Queryable, delegatorIds: readonly string[]): Promise<Map<string, Delegation>> {
  if (delegatorIds.length === 0) return new Map();
  const res = await db.query<Delegation>(
    `SELECT id, delegator_id, delegate_id, starts_at, ends_at FROM delegations
     WHERE delegator_id = ANY($1) AND revoked_at IS NULL AND starts_at <= now() AND ends_at > now()`,
    [[...delegatorIds]],
  );
  return new Map(res.rows.map((r) => [r.delegator_id, r]));
}
