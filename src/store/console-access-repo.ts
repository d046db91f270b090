/** Storage of console access: conversation owners and login sessions (migrations/004). */
import type { Queryable } from './db.js';

/**
 * The owner of a non-personal console conversation; the first caller claims it, race-free (the
 * primary key decides between two first posts). Returns the owner after the claim.
 */
export async function claimConsoleConversation(db: Queryable, conversationId: string, principalId: string): Promise<string> {
  const inserted = await db.query<{ owner_id: string }>(
    `INSERT INTO console_conversations (conversation_id, owner_id) VALUES ($1, $2)
     ON CONFLICT (conversation_id) DO NOTHING RETURNING owner_id`,
    [conversationId, principalId],
  );
  if (inserted.rows[0]) return inserted.rows[0].owner_id;
  return (await consoleConversationOwner(db, conversationId)) ?? principalId;
}

export async function consoleConversationOwner(db: Queryable, conversationId: string): Promise<string | undefined> {
  const res = await db.query<{ owner_id: string }>('SELECT owner_id FROM console_conversations WHERE conversation_id = $1', [conversationId]);
  return res.rows[0]?.owner_id;
}

export interface ConsoleSessionRow {
  principal_id: string;
  subject: string;
  csrf_token: string;
  id_token: string | null;
  /** When the person last signed in at the provider (the ID token's auth_time). */
  authenticated_at: Date;
}

export async function insertConsoleSession(
  db: Queryable,
  s: { tokenHash: string; principalId: string; subject: string; csrfToken: string; idToken?: string; ttlMinutes: number; authenticatedAt?: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO console_sessions (token_hash, principal_id, subject, csrf_token, id_token, expires_at, authenticated_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6), COALESCE($7, now()))`,
    [s.tokenHash, s.principalId, s.subject, s.csrfToken, s.idToken ?? null, s.ttlMinutes, s.authenticatedAt ?? null],
  );
}

/** A live session (not ended, not expired), by the hash of its cookie token. */
export async function liveConsoleSession(db: Queryable, tokenHash: string): Promise<ConsoleSessionRow | undefined> {
  const res = await db.query<ConsoleSessionRow>(
    `SELECT principal_id, subject, csrf_token, id_token, authenticated_at FROM console_sessions
      WHERE token_hash = $1 AND ended_at IS NULL AND expires_at > now()`,
    [tokenHash],
  );
  return res.rows[0];
}

export async function endConsoleSession(db: Queryable, tokenHash: string): Promise<boolean> {
  const res = await db.query('UPDATE console_sessions SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL', [tokenHash]);
  return (res.rowCount ?? 0) > 0;
}

/** Sessions past their end are of no use to anyone: dropped a day later. */
export async function pruneConsoleSessions(db: Queryable): Promise<void> {
  await db.query(`DELETE FROM console_sessions WHERE expires_at < now() - interval '1 day' OR ended_at < now() - interval '1 day'`);
}
