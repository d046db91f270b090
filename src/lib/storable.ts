/**
 * What PostgreSQL (and PGlite) can store. A `text` column refuses the NUL character, and `jsonb`
 * refuses both `\u0000` and a lone UTF-16 surrogate (`\uD800` with no partner: JSON.stringify
 * writes it as an escape that PostgreSQL rejects). Either one in any inbound text, id, comment or
 * card value used to turn a request into a 500 — and Feishu retries a 500 for ever.
 *
 * So every repository passes what it writes through `storable()` first: NUL is removed, a lone
 * surrogate becomes U+FFFD (the replacement character Node itself writes when it encodes one to
 * UTF-8), recursively through arrays and plain objects (keys too), and a value nested deeper
 * than any real message is cut off instead of exhausting a stack. Pure and idempotent: what was
 * already storable comes back unchanged (the same object when nothing needed changing).
 */

/** Deeper than anything we store on purpose; a hostile body nested further is cut off here. */
export const MAX_STORABLE_DEPTH = 64;
export const TOO_DEEP = '[nested too deep]';

// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000\ud800-\udfff]/;

/** A string PostgreSQL accepts in text and jsonb: NUL removed, lone surrogates replaced by U+FFFD. */
export function storableText(s: string): string {
  if (!SUSPECT.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
      out += '\ufffd';
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
      continue;
    }
    out += s[i]!;
  }
  return out;
}

/** True when `storableText(s) === s`. */
export function isStorableText(s: string): boolean {
  return storableText(s) === s;
}

/** The value with every string (and object key) made storable; Dates and other scalars as they are. */
export function storable<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value)) return value;
  if (depth >= MAX_STORABLE_DEPTH) return TOO_DEEP as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v: unknown) => {
      const s = storable(v, depth + 1);
      if (s !== v) changed = true;
      return s;
    });
    return (changed ? out : value) as T;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value; // class instances: their own toJSON
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = storableText(k);
    const s = storable(v, depth + 1);
    if (key !== k || s !== v) changed = true;
    out[key] = s;
  }
  return (changed ? out : value) as T;
}

/** JSON for a jsonb parameter. */
export function storableJson(value: unknown): string {
  return JSON.stringify(storable(value));
}

/** For a nullable text parameter. */
export function storableOrNull(s: string | null | undefined): string | null {
  return s === null || s === undefined ? null : storableText(s);
}
