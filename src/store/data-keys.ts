/**
 * Encryption at rest for the personal data the robot must keep raw to do its work (the inbox's
 * text, approval and outbox inputs, LangGraph checkpoints, the LLM placeholder vault).
 *
 * AES-256-GCM with a random 96-bit IV per value; each ciphertext carries the id of the key that
 * sealed it, so keys rotate: `DATA_KEYS=kid2:<base64>,kid1:<base64>` seals new data with the first
 * key and opens anything sealed by any listed key. Associated data names the column a value
 * belongs to, so a ciphertext copied into another column does not open there.
 *
 * Sealed form: `sb1:<kid>:<base64(iv | tag | ciphertext)>`; in jsonb columns `{ "$enc": "sb1:…" }`.
 *
 * The keyring is process-wide (installed by the composition root before anything is stored),
 * because repositories take a plain `Queryable` (a pool or a transaction's client) and must not
 * grow a parameter in every caller. Using it before it is installed throws: nothing is ever stored
 * in clear for want of a key.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const PREFIX = 'sb1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface DataKey {
  id: string;
  key: Buffer;
}

/** A value that cannot be opened (unknown key id, wrong key, tampered data) or a keyring problem. */
export class DataKeyError extends Error {
  override readonly name = 'DataKeyError';
}

export class DataKeyring {
  private readonly byId = new Map<string, Buffer>();
  readonly current: DataKey;

  constructor(keys: DataKey[]) {
    if (keys.length === 0) throw new DataKeyError('DATA_KEYS: at least one key is needed');
    for (const k of keys) {
      if (k.key.length !== 32) throw new DataKeyError(`DATA_KEYS: key "${k.id}" must be 32 bytes (got ${k.key.length})`);
      if (this.byId.has(k.id)) throw new DataKeyError(`DATA_KEYS: key id "${k.id}" is listed twice`);
      this.byId.set(k.id, k.key);
    }
    this.current = keys[0]!;
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  seal(plain: string | Uint8Array, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), cipher.final()]);
    return `${PREFIX}:${this.current.id}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
  }

  /**
   * A keyed digest (HMAC-SHA-256 under the current key, per purpose) of a value that must be
   * compared but not stored, such as a write's target (a mobile): equal values give equal digests,
   * and without the key the digest cannot be reversed by trying every number. A key rotation
   * starts new digests (older rows no longer match).
   */
  digest(value: string, purpose: string): string {
    return `${this.current.id}:${createHmac('sha256', this.current.key).update(purpose).update('\0').update(value).digest('base64url')}`;
  }

  /** Binary values (evidence files, bytea): `sb1:<kid>:` then iv | tag | ciphertext, no base64. */
  sealBytes(plain: Uint8Array, aad: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([Buffer.from(`${PREFIX}:${this.current.id}:`, 'utf8'), iv, cipher.getAuthTag(), ct]);
  }

  openBytes(sealed: Buffer, aad: string): Buffer {
    const head = `${PREFIX}:`;
    if (sealed.subarray(0, head.length).toString('utf8') !== head) throw new DataKeyError(`${aad}: not an encrypted value`);
    const end = sealed.indexOf(':', head.length);
    if (end < 0 || end - head.length > 64) throw new DataKeyError(`${aad}: not an encrypted value`);
    const kid = sealed.subarray(head.length, end).toString('utf8');
    return this.open(`${PREFIX}:${kid}:${sealed.subarray(end + 1).toString('base64')}`, aad);
  }

  open(sealed: string, aad: string): Buffer {
    const parts = sealed.split(':');
    if (parts.length !== 3 || parts[0] !== PREFIX) throw new DataKeyError(`${aad}: not an encrypted value`);
    const kid = parts[1]!;
    const key = this.byId.get(kid);
    if (!key) throw new DataKeyError(`${aad}: encrypted with data key "${kid}", which DATA_KEYS does not hold (configured: ${this.ids.join(', ')})`);
    const raw = Buffer.from(parts[2]!, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new DataKeyError(`${aad}: encrypted value is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new DataKeyError(`${aad}: data key "${kid}" does not open this value (wrong key for that id, or the data was altered)`);
    }
  }
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(`${PREFIX}:`);
}

/** "kid:base64[,kid:base64…]" (base64 or base64url, or 64 hex characters) → keys, first = current. */
export function parseDataKeys(spec: string): DataKey[] {
  return spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf(':');
      const id = pair.slice(0, at).trim();
      const material = pair.slice(at + 1).trim();
      if (at <= 0 || !/^[A-Za-z0-9_.-]{1,32}$/.test(id)) throw new DataKeyError(`DATA_KEYS: expected kid:base64key pairs, got an entry without a valid key id`);
      const key = /^[0-9a-fA-F]{64}$/.test(material) ? Buffer.from(material, 'hex') : Buffer.from(material.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      if (key.length !== 32) throw new DataKeyError(`DATA_KEYS: key "${id}" must be 32 bytes (base64 of 32 bytes, or 64 hex characters)`);
      return { id, key };
    });
}

export const DEMO_KEY_FILE = 'data-key';

/**
 * Demo mode (embedded PGlite, no DATA_KEYS): a key generated once under DATA_DIR, mode 0600, and
 * reused by later starts on the same data dir.
 */
export function loadOrCreateDemoKey(dataDir: string): { keys: DataKey[]; file: string; created: boolean } {
  const file = path.resolve(dataDir, DEMO_KEY_FILE);
  let created = false;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const spec = `demo-${randomBytes(4).toString('hex')}:${randomBytes(32).toString('base64')}\n`;
    try {
      fs.writeFileSync(file, spec, { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) fs.chmodSync(file, 0o600);
  return { keys: parseDataKeys(fs.readFileSync(file, 'utf8')), file, created };
}

let installed: DataKeyring | undefined;

/** Install the process's keyring (the composition root does, before opening anything). */
export function installDataKeys(keyring: DataKeyring): void {
  installed = keyring;
}

export function dataKeys(): DataKeyring {
  if (!installed) throw new DataKeyError('no data key installed: personal data cannot be stored (configure DATA_KEYS)');
  return installed;
}

/** The envelope of a sealed jsonb value. */
export interface SealedJson {
  $enc: string;
}

export function isSealedJson(value: unknown): value is SealedJson {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && isSealed((value as { $enc?: unknown }).$enc);
}

/** A JSON value sealed for a jsonb column named by `aad` (e.g. "inbox.payload"). */
export function sealJson(value: unknown, aad: string): SealedJson {
  return { $enc: dataKeys().seal(JSON.stringify(value), aad) };
}

/** The value a jsonb column holds: opened when sealed; a clear value (written before encryption, or purged) as is. */
export function openJson<T>(value: unknown, aad: string): T {
  if (isSealedJson(value)) return JSON.parse(dataKeys().open(value.$enc, aad).toString('utf8')) as T;
  return value as T;
}

/**
 * The keyring a process runs with: DATA_KEYS when set; with embedded PGlite and no DATA_KEYS, the
 * demo key file under DATA_DIR (`demoKeyFile` set); with DATABASE_URL and no DATA_KEYS, refused.
 */
export function resolveDataKeys(opts: { spec?: string | undefined; databaseUrl?: string | undefined; dataDir: string }): { keyring: DataKeyring; demoKeyFile?: string; created?: boolean } {
  if (opts.spec) return { keyring: new DataKeyring(parseDataKeys(opts.spec)) };
  if (opts.databaseUrl) throw new DataKeyError('DATA_KEYS: required with DATABASE_URL (personal data at rest is encrypted with it)');
  const demo = loadOrCreateDemoKey(opts.dataDir);
  return { keyring: new DataKeyring(demo.keys), demoKeyFile: demo.file, created: demo.created };
}
