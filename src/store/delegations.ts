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

/** Replace the delegator's active delegation (one at a time) by this one. */
export async function delegate(db: Db, d: { delegatorId: string; delegateId: string; until: Date; actor: string }): Promise<Delegation> {
  return db.tx(async (c) => {
    // One delegator's changes one at a time: two at once must not leave two delegations active.
    await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`delegation:${d.delegatorId}`]);
    await c.query(`UPDATE delegations SET revoked_at = now() WHERE delegator_id = $1 AND revoked_at IS NULL AND ends_at > now()`, [d.delegatorId]);
    const res = await c.query<Delegation>(
      `INSERT INTO delegations (delegator_id, delegate_id, ends_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id, delegator_id, delegate_id, starts_at, ends_at`,
      [d.delegatorId, d.delegateId, d.until, d.actor],
    );
    const row = res.rows[0]!;
    await appendAuditInTx(c, { actor: d.actor, action: 'approval.delegated', subject: d.delegatorId, details: { delegate: d.delegateId, until: row.ends_at.toISOString() } });
    return row;
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
