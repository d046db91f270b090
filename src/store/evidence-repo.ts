/**
 * Evidence files of tool calls (migration 026): the bytes of a call's screenshots, page HTML and
 * traces, sealed with the data keys, keyed by call id + file name, so any replica can serve them.
 * Retention by SQL: the newest `maxFiles` are kept, none older than `maxAgeDays`.
 */
import { z } from 'zod';
import type { Queryable } from './db.js';
import { dataKeys } from './data-keys.js';
import type { ScopeOwner } from '../policies/access.js';

const aad = (callId: string, name: string) => `evidence_files.content:${callId}/${name}`;

export interface EvidenceScope {
  owners: ScopeOwner[];
  /** False when the call's owners could not all be known: only a viewer who sees every region. */
  complete: boolean;
}

export async function putEvidenceFile(db: Queryable, callId: string, name: string, bytes: Buffer, scope: EvidenceScope): Promise<void> {
  await db.query(
    `INSERT INTO evidence_files (call_id, name, content, size, owners, complete) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (call_id, name) DO UPDATE SET content = EXCLUDED.content, size = EXCLUDED.size, owners = EXCLUDED.owners, complete = EXCLUDED.complete`,
    [callId, name, dataKeys().sealBytes(bytes, aad(callId, name)), bytes.length, JSON.stringify(scope.owners), scope.complete],
  );
}

export async function removeEvidenceFiles(db: Queryable, callId: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await db.query('DELETE FROM evidence_files WHERE call_id = $1 AND name = ANY($2::text[])', [callId, [...names]]);
}

const ownerSchema = z.object({ kind: z.enum(['region', 'department']), id: z.string() });
const metaRow = z.object({ size: z.coerce.number(), owners: z.array(ownerSchema), complete: z.boolean(), created_at: z.coerce.date() });

export interface EvidenceFileMeta extends EvidenceScope {
  size: number;
  createdAt: Date;
}

/** Who may see it, without opening it (the caller is checked before the bytes are read). */
export async function evidenceFileMeta(db: Queryable, callId: string, name: string): Promise<EvidenceFileMeta | undefined> {
  const res = await db.query('SELECT size, owners, complete, created_at FROM evidence_files WHERE call_id = $1 AND name = $2', [callId, name]);
  if (!res.rows[0]) return undefined;
  const row = metaRow.parse(res.rows[0]);
  return { size: row.size, owners: row.owners, complete: row.complete, createdAt: row.created_at };
}

/** The file's bytes, opened; undefined when there is no such file (pruned, or never written). */
export async function readEvidenceFile(db: Queryable, callId: string, name: string): Promise<Buffer | undefined> {
  const res = await db.query<{ content: Buffer }>('SELECT content FROM evidence_files WHERE call_id = $1 AND name = $2', [callId, name]);
  const row = res.rows[0];
  if (!row) return undefined;
  return dataKeys().openBytes(Buffer.from(row.content), aad(callId, name));
}

/** Retention: the newest maxFiles kept, none older than maxAgeDays. One statement; any replica may run it. */
export async function pruneEvidenceFiles(db: Queryable, opts: { maxFiles?: number; maxAgeDays?: number }): Promise<{ removed: number; kept: number }> {
  const res = await db.query<{ removed: string; kept: string }>(
    `WITH ranked AS (
       SELECT call_id, name, created_at, row_number() OVER (ORDER BY created_at DESC, call_id, name) AS n FROM evidence_files),
     gone AS (
       DELETE FROM evidence_files e USING ranked r
        WHERE e.call_id = r.call_id AND e.name = r.name
          AND (($1::int IS NOT NULL AND r.n > $1::int) OR ($2::float8 IS NOT NULL AND r.created_at < now() - make_interval(secs => $2::float8 * 86400)))
       RETURNING 1)
     SELECT (SELECT count(*) FROM gone) AS removed, (SELECT count(*) FROM ranked) - (SELECT count(*) FROM gone) AS kept`,
    [opts.maxFiles ?? null, opts.maxAgeDays ?? null],
  );
  return { removed: Number(res.rows[0]?.removed ?? 0), kept: Number(res.rows[0]?.kept ?? 0) };
}
