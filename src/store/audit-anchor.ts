/**
 * Signed heads of the audit chain, kept outside the database. The chain itself can only show that
 * the rows it still has are authentic and in order; a cut-off tail (or an emptied table) looks like
 * a shorter, valid chain. So at intervals the head (last id, chain position, MAC, time) is signed
 * with the audit key and appended to DATA_DIR/audit-anchors.jsonl (fsync'd), written as a log line,
 * and optionally POSTed to a webhook (AUDIT_ANCHOR_URL) that someone else keeps. The verifier then
 * requires the chain to reach every anchored head with the anchored MAC.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from './db.js';
import { canonicalJson } from '../lib/canonical-json.js';
import type { AuditKey, AuditKeyring } from './audit-keys.js';

export const AUDIT_ANCHORS_FILE = 'audit-anchors.jsonl';

const anchorSchema = z.object({
  v: z.literal(1),
  kind: z.literal('switchboard.audit.anchor'),
  lastId: z.string().regex(/^\d+$/),
  lastSeq: z.number().int().min(1),
  lastHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Entries in the chain at this head (= lastSeq: unkeyed rows from before the key included). */
  count: z.number().int().min(1),
  at: z.string(),
  keyId: z.string().min(1),
  sig: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditAnchor = z.infer<typeof anchorSchema>;

function anchorMac(key: AuditKey, a: Omit<AuditAnchor, 'sig'>): string {
  const { v, kind, lastId, lastSeq, lastHash, count, at, keyId } = a;
  return createHmac('sha256', key.secret)
    .update(`switchboard-audit-anchor-v1\n${canonicalJson({ v, kind, lastId, lastSeq, lastHash, count, at, keyId })}`, 'utf8')
    .digest('hex');
}

export function signAnchor(key: AuditKey, head: { id: string; seq: number; hash: string }, at = new Date()): AuditAnchor {
  const body = {
    v: 1 as const,
    kind: 'switchboard.audit.anchor' as const,
    lastId: head.id,
    lastSeq: head.seq,
    lastHash: head.hash,
    count: head.seq,
    at: at.toISOString(),
    keyId: key.id,
  };
  return { ...body, sig: anchorMac(key, body) };
}

export function verifyAnchor(a: AuditAnchor, keys: AuditKeyring): boolean {
  const key = keys.byId.get(a.keyId);
  if (!key) return false;
  const expected = Buffer.from(anchorMac(key, a), 'hex');
  const got = Buffer.from(a.sig, 'hex');
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/** Parse one anchor (a file line or a webhook body); undefined when it is not one. */
export function parseAnchor(value: unknown): AuditAnchor | undefined {
  const r = anchorSchema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** Every anchor in a JSONL file (missing file: none). Unparseable lines are counted, not fatal. */
export function readAnchors(file: string): { anchors: AuditAnchor[]; unreadable: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { anchors: [], unreadable: 0 };
    throw err;
  }
  const anchors: AuditAnchor[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let parsed: AuditAnchor | undefined;
    try {
      parsed = parseAnchor(JSON.parse(line));
    } catch {
      parsed = undefined;
    }
    if (parsed) anchors.push(parsed);
    else unreadable++;
  }
  return { anchors, unreadable };
}

/** Append one line and fsync it: an anchor that was logged as written survives a power cut. */
export async function appendAnchorLine(file: string, anchor: AuditAnchor): Promise<void> {
  const existed = fs.existsSync(file);
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const fh = await fs.promises.open(file, 'a', 0o600);
  try {
    await fh.write(JSON.stringify(anchor) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (!existed) {
    // A new file's directory entry must reach the disk too.
    const dir = await fs.promises.open(path.dirname(file), 'r');
    await dir.sync().catch(() => undefined);
    await dir.close();
  }
}

export interface AnchorerOptions {
  db: Queryable;
  key: AuditKey;
  file: string;
  intervalMs: number;
  /** Optional webhook that receives each signed head as a JSON POST. */
  url?: string | undefined;
  log?: (line: string) => void;
  /** The current head; default: the newest keyed audit row. */
  head: () => Promise<{ id: string; seq: number; hash: string } | undefined>;
}

export interface Anchorer {
  /** Anchor the current head now (skipped when it has not moved since the last anchor). */
  anchorNow(): Promise<AuditAnchor | undefined>;
  /** Anchor a last time and stop. */
  close(): Promise<void>;
}

export function startAuditAnchoring(opts: AnchorerOptions): Anchorer {
  const log = opts.log ?? ((line: string) => console.log(line));
  const existing = readAnchors(opts.file).anchors;
  let last: AuditAnchor | undefined = existing.reduce<AuditAnchor | undefined>((m, a) => (!m || a.lastSeq > m.lastSeq ? a : m), undefined);
  /** The newest head the webhook has not acknowledged yet (sent again at the next interval). */
  let unsent: AuditAnchor | undefined;
  let running: Promise<AuditAnchor | undefined> = Promise.resolve(undefined);
  let closed = false;

  const once = async (): Promise<AuditAnchor | undefined> => {
    const head = await opts.head();
    let anchor: AuditAnchor | undefined;
    if (head && last && head.seq < last.lastSeq) {
      // The chain got shorter than it was: rows were removed. Say so loudly; the verifier names it.
      log(`[audit] ALERT: the audit chain head went back from entry #${last.lastSeq} to #${head.seq}: rows were removed from audit_log. Run: npm run audit -- verify`);
    } else if (head && !(last && last.lastSeq === head.seq && last.lastHash === head.hash)) {
      anchor = signAnchor(opts.key, head);
      await appendAnchorLine(opts.file, anchor);
      log(`[audit] anchor ${JSON.stringify(anchor)}`);
      last = anchor;
      if (opts.url) unsent = anchor;
    }
    if (opts.url && unsent) {
      const sending = unsent;
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(sending),
          signal: AbortSignal.timeout(5000),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        if (unsent === sending) unsent = undefined;
      } catch (err) {
        log(`[audit] anchor webhook failed (${(err as Error).message}); retrying at the next interval`);
      }
    }
    return anchor;
  };

  const anchorNow = () => {
    const next = running.then(once, once);
    running = next.catch(() => undefined);
    return next;
  };
  const timer = setInterval(() => {
    if (!closed) anchorNow().catch((err: Error) => log(`[audit] anchoring failed: ${err.message}`));
  }, opts.intervalMs);
  timer.unref();

  return {
    anchorNow,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await anchorNow().catch((err: Error) => log(`[audit] final anchor failed: ${err.message}`));
    },
  };
}
