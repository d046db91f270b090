/**
 * Canonical JSON (keys sorted, no whitespace) so a hash over a value does not depend on the order
 * in which some code happened to build the object. Dates become ISO strings; undefined keys vanish.
 */
import { createHash } from 'node:crypto';
import { storableText } from './storable.js';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalize(v)));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[storableText(key)] = normalize(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
  if (typeof value === 'bigint') return value.toString();
  // Hashed as it will be stored (lib/storable.ts): a hash over raw and stored input agree.
  if (typeof value === 'string') return storableText(value);
  return value;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
