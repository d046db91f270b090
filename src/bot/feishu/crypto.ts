/**
 * Feishu's webhook cryptography, done here on the raw request bytes. The SDK's own check runs over
 * JSON.stringify of the parsed body (so a re-serialised body can differ from what was signed),
 * compares with ===, has no timestamp window and still answers 200 when it fails.
 */
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/** X-Lark-Signature = hex(sha256(timestamp + nonce + encryptKey + raw body)). */
export function feishuSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey, 'utf8').update(rawBody).digest('hex');
}

/** Constant-time comparison of the header against the signature we compute. */
export function signatureMatches(expectedHex: string, receivedHex: string): boolean {
  const a = Buffer.from(expectedHex, 'utf8');
  const b = Buffer.from(receivedHex.trim().toLowerCase(), 'utf8');
  // Lengths are public (always 64 hex digits); compare equal-length buffers only.
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** `{ "encrypt": "..." }`: key = sha256(encryptKey), IV = first 16 bytes, AES-256-CBC, PKCS#7. */
export function decryptFeishu(encrypt: string, encryptKey: string): string {
  const data = Buffer.from(encrypt, 'base64');
  if (data.length < 32 || data.length % 16 !== 0) throw new Error('encrypted payload has an invalid length');
  const key = createHash('sha256').update(encryptKey, 'utf8').digest();
  const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
}
