/**
 * The browser pool's SessionStore on disk, encrypted at rest: a restarted process reuses each
 * portal's login (its cookies) instead of filling the login form again, and a copy of DATA_DIR
 * does not hand anyone the robot's live sessions.
 *
 * One file per system, DATA_DIR/sessions/<system>.state, mode 0600:
 *   "SBSV1\n" | 12-byte IV | 16-byte GCM tag | AES-256-GCM(JSON of the storage state)
 * The system's name is the additional authenticated data, so a file copied to another system's
 * name does not decrypt either. Anything that does not decrypt and parse (wrong key, tampered,
 * truncated, unreadable) is ignored with one warning per system: the pool logs in afresh.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SessionStore, StorageState } from './browser-pool.js';
import type { LegacySystem } from './define.js';
import { parseKey32 } from '../lib/key32.js';

const MAGIC = Buffer.from('SBSV1\n', 'utf8');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * RPA_SESSION_KEY as 32 bytes: 64 hex characters, or base64 (standard or url-safe) of 32 bytes.
 * Returns null for anything else; the message never contains the value.
 */
export function parseSessionKey(raw: string): Buffer | null {
  return parseKey32(raw) ?? null;
}

export function encryptState(key: Buffer, system: string, state: StorageState): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(system, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
  return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]);
}

/** Throws when the data is not ours, was altered, or the key is wrong. */
export function decryptState(key: Buffer, system: string, data: Buffer): StorageState {
  if (data.length < MAGIC.length + IV_BYTES + TAG_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error('not a session file');
  }
  const iv = data.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
  const tag = data.subarray(MAGIC.length + IV_BYTES, MAGIC.length + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(system, 'utf8'));
  decipher.setAuthTag(tag);
  let plain: string;
  try {
    plain = Buffer.concat([decipher.update(data.subarray(MAGIC.length + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('does not decrypt (wrong key or altered file)');
  }
  const state = JSON.parse(plain) as unknown;
  if (!isStorageState(state)) throw new Error('decrypted, but not a browser storage state');
  return state;
}

function isStorageState(v: unknown): v is StorageState {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as { cookies?: unknown; origins?: unknown };
  return Array.isArray(o.cookies) && Array.isArray(o.origins);
}

export interface SessionVaultOptions {
  /** The folder of the .state files (DATA_DIR/sessions). */
  dir: string;
  /** 32 bytes (parseSessionKey). */
  key: Buffer;
  log?: (message: string) => void;
}

export class SessionVault implements SessionStore {
  private readonly warned = new Set<string>();
  private readonly log: (message: string) => void;

  constructor(private readonly opts: SessionVaultOptions) {
    if (opts.key.length !== 32) throw new Error('session key must be 32 bytes');
    this.log = opts.log ?? ((m) => console.warn(`[session-vault] ${m}`));
  }

  fileOf(system: LegacySystem): string {
    return path.join(this.opts.dir, `${system}.state`);
  }

  async load(system: LegacySystem): Promise<StorageState | null> {
    let data: Buffer;
    try {
      data = await readFile(this.fileOf(system));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.warnOnce(system, `cannot read the saved session (${(e as Error).message})`);
      return null;
    }
    try {
      return decryptState(this.opts.key, system, data);
    } catch (e) {
      this.warnOnce(system, `saved session ignored: ${(e as Error).message}; logging in afresh`);
      return null;
    }
  }

  async save(system: LegacySystem, state: StorageState): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(system);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, encryptState(this.opts.key, system, state), { mode: 0o600 });
    await chmod(tmp, 0o600); // writeFile's mode is filtered by the umask
    await rename(tmp, file);
    this.warned.delete(system);
  }

  private warnOnce(system: string, message: string): void {
    if (this.warned.has(system)) return;
    this.warned.add(system);
    this.log(`${system}: ${message}`);
  }
}
