/**
 * The audit trail: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and hash-chained:
 * each row's hash covers its content and the previous row's hash, so an edited, deleted or
 * re-ordered row breaks the chain at a place the verifier can name.
 */
import { DB_TIMEOUT_DEFAULTS, DatabaseBusyError, type Db, type Queryable } from './db.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);
/** Serializes appends so two writers cannot both chain onto the same previous row. */
const AUDIT_CHAIN_LOCK = 7_202_611_241;

export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | null;
  runId?: string | null;
  /** Must already be masked: audit details never hold raw personal data. */
  details?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  run_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export function auditHash(prevHash: string, row: { at: Date; actor: string; action: string; subject: string | null; runId: string | null; details: Record<string, unknown> }): string {
  return sha256Hex(
    `${prevHash}\n${canonicalJson({ at: row.at, actor: row.actor, action: row.action, subject: row.subject, runId: row.runId, details: row.details })}`,
  );
}

/** Append one entry in a transaction of its own. */
export async function appendAudit(db: Db, entry: AuditEntry): Promise<AuditRow> {
  // Appends are serialized by the chain lock anyway. Queued here first, so at most one pool
  // connection per process sits waiting on that lock: with one connection per waiting append, a
  // burst of turns filled the pool with lock waiters and everything else queued behind them
  // (measured: 100 turns on a pool of 5, acquire p99 6.8 s).
  return inProcessChain(db, () => db.tx((client) => appendAuditInTx(client, entry)));
}

const chains = new WeakMap<Db, Promise<unknown>>();
function inProcessChain<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  // The queue is a wait too: bounded like a pool acquire (the pool's own timeout).
  const limitMs = db.pool.options.connectionTimeoutMillis || DB_TIMEOUT_DEFAULTS.acquireTimeoutMs;
  const queuedAt = Date.now();
  const prev = chains.get(db) ?? Promise.resolve();
  const next = prev.then(() => {
    if (Date.now() - queuedAt > limitMs) throw new DatabaseBusyError(`audit append waited over ${limitMs} ms in this process's queue`);
    return fn();
  });
  chains.set(db, next.catch(() => undefined));
  return next;
}

/**
 * Append inside the caller's open transaction, so a decision and its audit record commit or roll
 * back together. The advisory lock is transaction-scoped: outside a transaction it would not hold.
 */
export async function appendAuditInTx(client: Queryable, entry: AuditEntry): Promise<AuditRow> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
  const last = await client.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
  const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
  // Millisecond precision: what JavaScript can round-trip, so the verifier recomputes the same hash.
  const at = new Date();
  const row = {
    at,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    runId: entry.runId ?? null,
    details: entry.details ?? {},
  };
  const hash = auditHash(prevHash, row);
  const res = await client.query<AuditRow>(
    `INSERT INTO audit_log (at, actor, action, subject, run_id, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [at, row.actor, row.action, row.subject, row.runId, JSON.stringify(row.details), prevHash, hash],
  );
  return res.rows[0]!;
}

export type AuditVerdict =
  | { ok: true; rows: number; lastHash: string }
  | { ok: false; rows: number; brokenAt: string; reason: string };

/** Walk the chain in id order; name the first row whose content or link does not check out. */
export async function verifyAuditChain(db: Queryable, batchSize = 1000): Promise<AuditVerdict> {
  let prevHash = GENESIS_HASH;
  let prevId: bigint | null = null;
  let count = 0;
  let after = '0';
  for (;;) {
    const { rows } = await db.query<AuditRow>(
      'SELECT * FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2',
      [after, batchSize],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      count++;
      const id = BigInt(row.id);
      if (row.prev_hash !== prevHash) {
        const gap = prevId !== null && id !== prevId + 1n ? ` (rows ${prevId + 1n}..${id - 1n} are missing)` : '';
        return { ok: false, rows: count, brokenAt: row.id, reason: `row ${row.id} does not link to the row before it${gap}` };
      }
      const expected = auditHash(prevHash, {
        at: new Date(row.at),
        actor: row.actor,
        action: row.action,
        subject: row.subject,
        runId: row.run_id,
        details: row.details,
      });
      if (expected !== row.hash) {
        return { ok: false, rows: count, brokenAt: row.id, reason: `row ${row.id} was altered: its content no longer matches its hash` };
      }
      prevHash = row.hash;
      prevId = id;
      after = row.id;
    }
  }
  return { ok: true, rows: count, lastHash: prevHash };
}
