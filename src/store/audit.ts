/**
 * The audit trail: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE; on PostgreSQL the
 * runtime role has no right to those, nor to alter the table or its triggers) and chained with an
 * HMAC-SHA-256 under a key that lives outside the database: each row's MAC covers its content, its
 * position in the chain (`seq`) and the previous row's MAC. Someone who can write to the database
 * but does not hold the key cannot re-sign an edited, inserted or re-ordered row; a deleted row
 * leaves a gap in `seq`; a cut-off tail (or a table emptied altogether) is caught against the
 * signed heads anchored outside the database (store/audit-anchor.ts).
 *
 * Rows written before the chain was keyed (key_id NULL, plain SHA-256) stay verifiable: the first
 * keyed row is an `audit.chain_keyed` epoch marker whose MAC covers the last unkeyed row's hash and
 * their count, so from then on the old rows cannot be rewritten either.
 */
import { createHmac } from 'node:crypto';
import type { Db, Queryable } from './db.js';
import { canonicalJson, sha256Hex } from '../lib/canonical-json.js';
import type { AuditKey, AuditKeyring } from './audit-keys.js';
import { readAnchors, verifyAnchor, type AuditAnchor } from './audit-anchor.js';
import { storable } from '../lib/storable.js';
import { maskDeep, maskText } from '../policies/masking.js';

export const GENESIS_HASH = '0'.repeat(64);
/** Serializes appends so two writers cannot both chain onto the same previous row. */
const AUDIT_CHAIN_LOCK = 7_202_611_241;
/** Appends queued in this process are written this many to a transaction. */
const MAX_BATCH = 64;

export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | null;
  runId?: string | null;
  /** Masked by appendAudit (policies/masking.ts, by shape): audit details never hold raw personal data. */
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
  /** Position in the chain (1-based, unkeyed rows included); NULL on rows from before the key. */
  seq: string | null;
  /** The key that signed the row; NULL on rows from before the key (plain SHA-256). */
  key_id: string | null;
}

interface RowContent {
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  runId: string | null;
  details: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// The process's keys. One app per process in production; tests may start several apps, so keys
// accumulate (all of them verify), and the last one configured signs.

let signing: AuditKey | undefined;
const known = new Map<string, AuditKey>();
let anchorsFile: string | undefined;

/** Configure the key that signs new rows (and the keys that verify old ones); startApp calls it. */
export function useAuditKeys(keys: AuditKeyring, opts: { anchorsFile?: string } = {}): void {
  signing = keys.current;
  for (const [id, k] of keys.byId) known.set(id, k);
  if (opts.anchorsFile) anchorsFile = opts.anchorsFile;
}

function signingKey(): AuditKey {
  if (!signing) {
    throw new Error('audit: no audit key configured in this process (startApp configures AUDIT_KEY; call useAuditKeys first)');
  }
  return signing;
}

/** The keyring in force: the signing key and every key configured in this process. */
export function activeAuditKeys(): AuditKeyring {
  return { current: signingKey(), byId: new Map(known), source: 'process' };
}

/** The pre-key hash: plain SHA-256 over the previous hash and the content (rows with key_id NULL). */
export function auditHash(prevHash: string, row: RowContent): string {
  return sha256Hex(`${prevHash}\n${contentJson(row)}`);
}

/** The keyed MAC of one row: content, chain position, signing key id and the previous row's MAC. */
export function auditMac(key: AuditKey, prevHash: string, seq: bigint, row: RowContent): string {
  return createHmac('sha256', key.secret)
    .update(`switchboard-audit-v1\n${key.id}\n${seq}\n${prevHash}\n${contentJson(row)}`, 'utf8')
    .digest('hex');
}

function contentJson(row: RowContent): string {
  return canonicalJson({ at: row.at, actor: row.actor, action: row.action, subject: row.subject, runId: row.runId, details: row.details });
}

// ---------------------------------------------------------------------------------------------
// Appending

/**
 * Append one entry. Appends from this process queue in memory (holding no connection while they
 * wait) and are written in batches, one connection and one transaction per batch; the advisory
 * lock inside orders them against other processes and appendAuditInTx callers.
 */
export function appendAudit(db: Db, entry: AuditEntry): Promise<AuditRow> {
  const key = signingKey();
  let q = queues.get(db);
  if (!q) {
    q = { pending: [], running: false };
    queues.set(db, q);
  }
  const queue = q;
  return new Promise<AuditRow>((resolve, reject) => {
    queue.pending.push({ entry, key, resolve, reject });
    if (!queue.running) void drain(db, queue);
  });
}

interface Pending {
  entry: AuditEntry;
  key: AuditKey;
  resolve(row: AuditRow): void;
  reject(err: unknown): void;
}
interface Queue {
  pending: Pending[];
  running: boolean;
}
const queues = new WeakMap<Db, Queue>();

async function drain(db: Db, queue: Queue): Promise<void> {
  queue.running = true;
  try {
    while (queue.pending.length > 0) {
      const batch = queue.pending.splice(0, MAX_BATCH);
      try {
        const rows = await db.tx(async (client) => {
          const out: AuditRow[] = [];
          for (const p of batch) out.push(await appendLocked(client, p.entry, p.key));
          return out;
        });
        batch.forEach((p, i) => p.resolve(rows[i]!));
      } catch (err) {
        if (batch.length === 1) {
          batch[0]!.reject(err);
          continue;
        }
        // One bad entry must not fail the others: write them one per transaction.
        for (const p of batch) {
          await db.tx((client) => appendLocked(client, p.entry, p.key)).then(p.resolve, p.reject);
        }
      }
    }
  } finally {
    queue.running = false;
  }
}

/**
 * Append inside the caller's open transaction, so a decision and its audit record commit or roll
 * back together. The advisory lock is transaction-scoped (outside a transaction it would not hold);
 * it is held until the caller commits, so the caller must not wait for anything else after this.
 */
export async function appendAuditInTx(client: Queryable, entry: AuditEntry): Promise<AuditRow> {
  return appendLocked(client, entry, signingKey());
}

async function appendLocked(client: Queryable, raw: AuditEntry, key: AuditKey): Promise<AuditRow> {
  // Hashed as stored: a NUL or lone surrogate in a detail must neither fail the insert nor the chain.
  const entry = storable(raw);
  await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
  let head = await chainHead(client);
  if (head && head.key_id === null) head = await sealUnkeyedRows(client, key, head);
  else if (head) checkHead(head);
  return insertRow(client, key, head, {
    at: new Date(),
    actor: entry.actor,
    action: entry.action,
    // Masked here as well as by the callers: the append-only log can never be cleaned afterwards.
    subject: entry.subject == null ? null : maskText(entry.subject),
    runId: entry.runId ?? null,
    details: maskDeep(entry.details ?? {}),
  });
}

const alerted = new Set<string>();
/**
 * The row a new one chains onto should be authentic; if not, someone wrote to audit_log without
 * the key. Say so at once (the verifier names it too); the new row still chains on, so nothing
 * the app does is lost.
 */
function checkHead(head: AuditRow): void {
  const key = head.key_id ? known.get(head.key_id) : undefined;
  if (!key || head.seq === null || alerted.has(head.hash)) return;
  const content = { at: new Date(head.at), actor: head.actor, action: head.action, subject: head.subject, runId: head.run_id, details: head.details };
  if (auditMac(key, head.prev_hash, BigInt(head.seq), content) !== head.hash) {
    alerted.add(head.hash);
    console.error(`[audit] ALERT: audit row ${head.id} (chain entry #${head.seq}) does not verify: audit_log was written without the audit key. Run: npm run audit -- verify`);
  }
}

/** The newest keyed row by chain position, else the newest unkeyed row. */
async function chainHead(client: Queryable): Promise<AuditRow | undefined> {
  // Two indexed look-ups (the partial seq index, then the primary key) rather than one sort.
  const keyed = await client.query<AuditRow>('SELECT * FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1');
  if (keyed.rows[0]) return keyed.rows[0];
  return (await client.query<AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT 1')).rows[0];
}

async function insertRow(client: Queryable, key: AuditKey, head: AuditRow | undefined, content: RowContent): Promise<AuditRow> {
  const prevHash = head?.hash ?? GENESIS_HASH;
  const seq = head?.seq ? BigInt(head.seq) + 1n : 1n;
  // `at` has millisecond precision: what JavaScript round-trips, so the verifier recomputes the MAC.
  const row = content;
  const hash = auditMac(key, prevHash, seq, row);
  const res = await client.query<AuditRow>(
    `INSERT INTO audit_log (at, actor, action, subject, run_id, details, prev_hash, hash, seq, key_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [row.at, row.actor, row.action, row.subject, row.runId, JSON.stringify(row.details), prevHash, hash, seq.toString(), key.id],
  );
  return res.rows[0]!;
}

/** The epoch marker: the first keyed row seals the unkeyed rows before it (their count and last hash). */
async function sealUnkeyedRows(client: Queryable, key: AuditKey, last: AuditRow): Promise<AuditRow> {
  const n = (await client.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_log WHERE key_id IS NULL')).rows[0]!.n;
  return insertRow(client, key, { ...last, seq: n }, {
    at: new Date(),
    actor: 'switchboard',
    action: 'audit.chain_keyed',
    subject: null,
    runId: null,
    details: { unkeyedRows: Number(n), lastUnkeyedId: last.id, lastUnkeyedHash: last.hash, keyId: key.id },
  });
}

/** At start: seal rows from before the key now, so the first anchor already covers them. */
export async function sealAuditChain(db: Db): Promise<void> {
  const key = signingKey();
  await db.tx(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const head = await chainHead(client);
    if (head && head.key_id === null) await sealUnkeyedRows(client, key, head);
  });
}

// ---------------------------------------------------------------------------------------------
// Verifying

export type AuditBreakKind =
  /** A row's content (or MAC) no longer matches: edited, or re-hashed without the key. */
  | 'edited'
  /** Chain entries are missing between two rows. */
  | 'deleted'
  /** An authentic row stands at the wrong place. */
  | 'reordered'
  /** A row the chain never had: unsigned, signed with a wrong key, or a replayed copy. */
  | 'inserted'
  /** The chain ends before the newest anchored head (the tail, or every row, was removed). */
  | 'truncated'
  /** Signed with a key this verifier does not have (configure AUDIT_PREVIOUS_KEYS). */
  | 'unknown_key'
  /** Two authentic rows claim the same place (a second writer bypassed the lock). */
  | 'forked'
  /** An anchor whose signature does not check out. */
  | 'anchor_invalid';

export interface AnchorSummary {
  /** Anchors read and checked; the newest one a chain must reach. */
  checked: number;
  newest?: { lastSeq: number; lastId: string; at: string };
  /** Lines that could not be parsed (e.g. a torn last line after a crash). */
  unreadable: number;
}

export type AuditVerdict =
  | { ok: true; rows: number; lastHash: string; lastSeq: number; unkeyedRows: number; anchors: AnchorSummary }
  | { ok: false; rows: number; brokenAt: string | null; kind: AuditBreakKind; reason: string; anchors: AnchorSummary };

export interface VerifyOptions {
  /** Keys to check MACs with; default: those configured in this process. */
  keys?: AuditKeyring;
  /** Signed heads (or the JSONL file holding them); default: the file configured with useAuditKeys. */
  anchors?: AuditAnchor[] | string;
  batchSize?: number;
}

/**
 * Walk the chain in id order; name the first row that does not check out and how it broke. With
 * anchors, also the cut-off tail: fewer entries than the newest anchor, or an anchored MAC missing.
 */
export async function verifyAuditChain(db: Queryable, opts: VerifyOptions = {}): Promise<AuditVerdict> {
  const keys = opts.keys ?? activeAuditKeys();
  const batchSize = opts.batchSize ?? 1000;
  const source = opts.anchors ?? anchorsFile;
  const read = typeof source === 'string' ? readAnchors(source) : { anchors: source ?? [], unreadable: 0 };
  const summary: AnchorSummary = { checked: 0, unreadable: read.unreadable };
  let badAnchor: AuditAnchor | undefined;
  const anchorBySeq = new Map<string, AuditAnchor>();
  let newest: AuditAnchor | undefined;
  for (const a of read.anchors) {
    if (!verifyAnchor(a, keys)) {
      badAnchor ??= a;
      continue;
    }
    summary.checked++;
    anchorBySeq.set(String(a.lastSeq), a);
    if (!newest || a.lastSeq > newest.lastSeq) newest = a;
  }
  if (newest) summary.newest = { lastSeq: newest.lastSeq, lastId: newest.lastId, at: newest.at };

  let count = 0;
  let unkeyed = 0;
  let keyedStarted = false;
  let prevHash = GENESIS_HASH;
  let prevId: bigint | null = null;
  let prevSeq = 0n;
  let lastId: string | null = null;
  const broken = (row: AuditRow | null, kind: AuditBreakKind, reason: string): AuditVerdict => ({
    ok: false,
    rows: count,
    brokenAt: row?.id ?? null,
    kind,
    reason,
    anchors: summary,
  });

  let after: string | null = null;
  let rows: AuditRow[] = await page(db, after, batchSize);
  while (rows.length > 0) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      count++;
      const id = BigInt(row.id);
      const content: RowContent = {
        at: new Date(row.at),
        actor: row.actor,
        action: row.action,
        subject: row.subject,
        runId: row.run_id,
        details: row.details,
      };
      const idGap = prevId !== null && id !== prevId + 1n ? ` (rows ${prevId + 1n}..${id - 1n} are missing)` : '';

      if (row.key_id === null) {
        // Rows from before the chain was keyed: plain SHA-256, as they were written.
        if (keyedStarted) {
          return broken(row, 'inserted', `row ${row.id} was inserted: it is not signed with the audit key, yet it comes after keyed row ${lastId}`);
        }
        if (row.prev_hash !== prevHash) {
          return broken(row, idGap ? 'deleted' : 'reordered', `row ${row.id} does not link to the row before it${idGap}`);
        }
        if (auditHash(prevHash, content) !== row.hash) {
          return broken(row, 'edited', `row ${row.id} was altered: its content no longer matches its hash`);
        }
        unkeyed++;
        prevSeq = BigInt(unkeyed);
      } else {
        keyedStarted = true;
        const key = keys.byId.get(row.key_id);
        if (!key) {
          return broken(row, 'unknown_key', `row ${row.id} is signed with key ${row.key_id}, which this verifier does not have (set it in AUDIT_PREVIOUS_KEYS), or it was forged`);
        }
        const seq = row.seq === null ? -1n : BigInt(row.seq);
        if (seq < 1n || auditMac(key, row.prev_hash, seq, content) !== row.hash) {
          // Not authentic. If another row links to the row before this one, that is the real
          // successor and this one was inserted; otherwise this is the successor, edited.
          const successor = await db.query<{ id: string }>('SELECT id FROM audit_log WHERE prev_hash = $1 AND id <> $2 ORDER BY id LIMIT 1', [prevHash, row.id]);
          const isLast = !rows[i + 1] && (await page(db, row.id, 1)).length === 0;
          const beyondAnchors = !newest || seq > BigInt(newest.lastSeq);
          if (successor.rows[0] || (isLast && beyondAnchors && seq === prevSeq + 1n)) {
            return broken(row, 'inserted', `row ${row.id} was inserted: its MAC does not verify${successor.rows[0] ? ` and the chain continues at row ${successor.rows[0].id}` : ' (appended without the audit key)'}`);
          }
          return broken(row, 'edited', `row ${row.id} was altered: its content no longer matches its MAC (re-hashing without the audit key does not help)`);
        }
        if (seq !== prevSeq + 1n || row.prev_hash !== prevHash) {
          if (seq > prevSeq + 1n) {
            const moved = await db.query<{ id: string }>('SELECT id FROM audit_log WHERE seq = $1 ORDER BY id LIMIT 1', [(prevSeq + 1n).toString()]);
            if (moved.rows[0]) {
              return broken(row, 'reordered', `row ${row.id} is out of order: it is chain entry #${seq}, but #${prevSeq + 1n} comes next and stands at row ${moved.rows[0].id}`);
            }
            return broken(row, 'deleted', `row ${row.id} does not link to the row before it${idGap}: chain entries #${prevSeq + 1n}..#${seq - 1n} were deleted`);
          }
          if (seq <= prevSeq) {
            return broken(row, 'inserted', `row ${row.id} was inserted: it repeats chain entry #${seq}, which came earlier (a replayed copy)`);
          }
          if (unkeyed > 0 && prevSeq === BigInt(unkeyed)) {
            return broken(row, 'edited', `row ${row.id} sealed the ${unkeyed} unkeyed rows before it, and they no longer hash to what it sealed: the unkeyed rows before it were rewritten`);
          }
          return broken(row, 'forked', `row ${row.id} is chain entry #${seq} but does not link to entry #${prevSeq} before it (two chains)`);
        }
        const anchored = anchorBySeq.get(seq.toString());
        if (anchored && anchored.lastHash !== row.hash) {
          return broken(row, 'edited', `row ${row.id} (chain entry #${seq}) differs from the head anchored at ${anchored.at}: the chain was rewritten from here`);
        }
        prevSeq = seq;
      }
      prevHash = row.hash;
      prevId = id;
      lastId = row.id;
      after = row.id;
    }
    rows = await page(db, after, batchSize);
  }

  if (newest && BigInt(newest.lastSeq) > prevSeq) {
    const where = lastId === null ? 'the audit log is empty: every row was deleted' : `the chain ends at entry #${prevSeq} (row ${lastId})`;
    return broken(
      null,
      'truncated',
      `${where}, but the head anchored at ${newest.at} was entry #${newest.lastSeq} (row ${newest.lastId}): entries #${prevSeq + 1n}..#${newest.lastSeq} were cut off`,
    );
  }
  if (badAnchor) {
    return broken(null, 'anchor_invalid', `an anchor (entry #${badAnchor.lastSeq}, ${badAnchor.at}) has a signature that does not verify: the anchor file was tampered with`);
  }
  return { ok: true, rows: count, lastHash: prevHash, lastSeq: Number(prevSeq), unkeyedRows: unkeyed, anchors: summary };
}

async function page(db: Queryable, after: string | null, limit: number): Promise<AuditRow[]> {
  const res = await db.query<AuditRow>(
    after === null ? 'SELECT * FROM audit_log ORDER BY id LIMIT $1' : 'SELECT * FROM audit_log WHERE id > $2 ORDER BY id LIMIT $1',
    after === null ? [limit] : [limit, after],
  );
  return res.rows;
}

/** The current head, for anchoring: the newest keyed row by chain position. */
export async function auditHead(db: Queryable): Promise<{ id: string; seq: number; hash: string } | undefined> {
  const res = await db.query<{ id: string; seq: string; hash: string }>(
    'SELECT id, seq::text AS seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY audit_log.seq DESC LIMIT 1',
  );
  const r = res.rows[0];
  return r ? { id: r.id, seq: Number(r.seq), hash: r.hash } : undefined;
}
