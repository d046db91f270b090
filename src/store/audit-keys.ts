/**
 * The audit chain's HMAC keys. The key is what makes the chain tamper-evident against someone who
 * can write to the database: without it, an edited row cannot be given a valid MAC again (plain
 * SHA-256 can be recomputed by anyone). Each row stores the id of the key that signed it, so the
 * key can be rotated (AUDIT_KEY new, the old one in AUDIT_PREVIOUS_KEYS for verifying old rows).
 *
 * With DATABASE_URL the key must be configured (it has to live apart from the database). In the
 * embedded demo (PGlite, no DATABASE_URL) a key is generated once into DATA_DIR/audit.key (0600).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { parseKey32 } from '../lib/key32.js';

export interface AuditKey {
  /** Derived from the key itself, so the same key always has the same id. */
  id: string;
  secret: Buffer;
}

export interface AuditKeyring {
  current: AuditKey;
  /** Every key that may have signed a row or an anchor, current included. */
  byId: ReadonlyMap<string, AuditKey>;
  /** Where the key came from, for the start-up log line (never the key itself). */
  source: string;
}

export class AuditKeyError extends Error {
  override readonly name = 'AuditKeyError';
}

/** 32 bytes as 64 hex characters or base64 (standard or url-safe). */
export const parseAuditKey = parseKey32;

export function isAuditKeyText(text: string): boolean {
  return parseAuditKey(text) !== undefined;
}

export function auditKey(secret: Buffer): AuditKey {
  const id = 'ak_' + createHash('sha256').update('switchboard audit key id\n').update(secret).digest('hex').slice(0, 12);
  return { id, secret };
}

export function keyring(current: Buffer, previous: Buffer[] = [], source = 'configured'): AuditKeyring {
  const cur = auditKey(current);
  const byId = new Map<string, AuditKey>([[cur.id, cur]]);
  for (const p of previous) {
    const k = auditKey(p);
    if (!byId.has(k.id)) byId.set(k.id, k);
  }
  return { current: cur, byId, source };
}

export const AUDIT_KEY_FILE = 'audit.key';

export interface ResolveAuditKeysInput {
  AUDIT_KEY?: string | undefined;
  AUDIT_PREVIOUS_KEYS?: string[] | undefined;
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
}

/**
 * The keyring for this process. `create`: in demo mode generate the key file when it is missing
 * (the app does; the verifier CLI does not, since a fresh key cannot verify an old chain).
 */
export function resolveAuditKeys(cfg: ResolveAuditKeysInput, opts: { create: boolean; log?: (line: string) => void }): AuditKeyring {
  const previous = (cfg.AUDIT_PREVIOUS_KEYS ?? []).map((k, i) => {
    const buf = parseAuditKey(k);
    if (!buf) throw new AuditKeyError(`AUDIT_PREVIOUS_KEYS: entry ${i + 1} must be 32 bytes (64 hex characters or base64)`);
    return buf;
  });
  if (cfg.AUDIT_KEY) {
    const buf = parseAuditKey(cfg.AUDIT_KEY);
    if (!buf) throw new AuditKeyError('AUDIT_KEY: must be 32 bytes (64 hex characters or base64)');
    return keyring(buf, previous, 'AUDIT_KEY');
  }
  if (cfg.DATABASE_URL) {
    throw new AuditKeyError(
      'AUDIT_KEY: required with DATABASE_URL. The audit chain is signed with this key, which must live outside the database ' +
        '(generate one with: openssl rand -hex 32).',
    );
  }
  const file = path.resolve(cfg.DATA_DIR, AUDIT_KEY_FILE);
  if (fs.existsSync(file)) {
    const buf = parseAuditKey(fs.readFileSync(file, 'utf8'));
    if (!buf) throw new AuditKeyError(`${file}: not a 32-byte audit key (64 hex characters); restore it or set AUDIT_KEY`);
    const mode = fs.statSync(file).mode & 0o077;
    if (mode !== 0) opts.log?.(`[audit] WARNING: ${file} is readable by group/others (mode ${(fs.statSync(file).mode & 0o777).toString(8)}); chmod 600 it`);
    return keyring(buf, previous, file);
  }
  if (!opts.create) {
    throw new AuditKeyError(`AUDIT_KEY: not set, and no key file at ${file} (the app creates it at its first start in demo mode)`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32);
  // 'wx': never overwrite a key another process just wrote; 0600: only this user can read it.
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    // Another process created it just now: use that one.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return resolveAuditKeys(cfg, { ...opts, create: false });
    throw err;
  }
  try {
    fs.writeSync(fd, secret.toString('hex') + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  opts.log?.(
    `[audit] demo mode: generated the audit chain key ${file} (mode 0600). Keep it apart from backups of the data; ` +
      'in production set AUDIT_KEY instead.',
  );
  return keyring(secret, previous, file);
}
