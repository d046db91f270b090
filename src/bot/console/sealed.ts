/**
 * A small value sealed for a cookie: AES-256-GCM under the configured SESSION_SECRET, bound to the
 * cookie's name and an expiry, so the browser can carry it but neither read nor alter it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export function sessionKey(secret: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(secret) ? Buffer.from(secret, 'hex') : Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32) throw new Error('SESSION_SECRET must be 32 bytes');
  return key;
}

export function seal(key: Buffer, purpose: string, value: unknown, ttlSeconds: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(purpose));
  const plain = Buffer.from(JSON.stringify({ v: value, exp: Date.now() + ttlSeconds * 1000 }));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The sealed value, or undefined when it was altered, sealed for another purpose or expired. */
export function unseal(key: Buffer, purpose: string, sealed: string): unknown {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 29) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
    const parsed = JSON.parse(plain.toString('utf8')) as { v: unknown; exp: number };
    return typeof parsed.exp === 'number' && parsed.exp > Date.now() ? parsed.v : undefined;
  } catch {
    return undefined;
  }
}
