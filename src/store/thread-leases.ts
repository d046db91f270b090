/**
 * Thread leases (migrations/010_thread_leases.sql): the cross-process half of agents/thread-lock.ts.
 * Each operation is one short autocommit statement, so no connection is held between them, and
 * "expired" is decided by the database clock alone.
 */
import type { Queryable } from './db.js';

/** NOTIFY channel a release is announced on; the payload is the thread id. */
export const LEASE_CHANNEL = 'switchboard_thread_lease';

export type AcquireResult = { acquired: true } | { acquired: false; owner: string; expiresInMs: number };

/**
 * Take the lease if nobody holds it or the holder's lease has lapsed. When it is held, says by whom
 * and for how much longer (so a waiter sleeps no longer than the holder can keep it).
 */
export async function tryAcquireLease(db: Queryable, threadId: string, owner: string, ttlMs: number): Promise<AcquireResult> {
  const res = await db.query<{ owner: string; mine: boolean; expires_in_ms: string }>(
    `WITH taken AS (
       INSERT INTO thread_leases AS l (thread_id, owner, expires_at)
       VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (thread_id) DO UPDATE
         SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at, acquired_at = now()
         WHERE l.expires_at <= now()
       RETURNING l.owner
     )
     SELECT owner, true AS mine, '0' AS expires_in_ms FROM taken
     UNION ALL
     SELECT owner, false, greatest(0, ceil(extract(epoch FROM expires_at - now()) * 1000))::text
       FROM thread_leases WHERE thread_id = $1 AND NOT EXISTS (SELECT 1 FROM taken)`,
    [threadId, owner, ttlMs],
  );
  const row = res.rows[0];
  if (!row || row.mine) {
    // No row at all: the holder released between the insert's check and the select; try again.
    return row ? { acquired: true } : { acquired: false, owner: '', expiresInMs: 0 };
  }
  return { acquired: false, owner: row.owner, expiresInMs: Number(row.expires_in_ms) };
}

/** Extend every lease this owner still holds among threadIds; returns the ones it still holds. */
export async function renewLeases(db: Queryable, owner: string, threadIds: string[], ttlMs: number): Promise<Set<string>> {
  if (threadIds.length === 0) return new Set();
  const res = await db.query<{ thread_id: string }>(
    `UPDATE thread_leases SET expires_at = now() + $3 * interval '1 millisecond'
      WHERE owner = $1 AND thread_id = ANY($2::text[]) AND expires_at > now()
      RETURNING thread_id`,
    [owner, threadIds, ttlMs],
  );
  return new Set(res.rows.map((r) => r.thread_id));
}

/** Give the lease back (only if still ours) and wake the waiters of every process. */
export async function releaseLease(db: Queryable, threadId: string, owner: string): Promise<boolean> {
  const res = await db.query(
    `WITH gone AS (DELETE FROM thread_leases WHERE thread_id = $1 AND owner = $2 RETURNING thread_id)
     SELECT pg_notify('${LEASE_CHANNEL}', thread_id) FROM gone`,
    [threadId, owner],
  );
  return (res.rowCount ?? 0) > 0;
}
