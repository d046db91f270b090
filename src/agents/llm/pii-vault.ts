/**
 * Reversible placeholders for personal data on the way to the LLM provider. Resident IDs, bank
 * cards and mobile numbers become <ID_1>, <CARD_1>, <MOBILE_1> before anything is put in a prompt;
 * tool-call arguments coming back are restored server-side, so the tools get the real values and
 * the provider never sees them.
 *
 * Detection here is deliberately looser than policies/masking.ts (no checksum): a prompt prefers
 * over-redaction, since a placeholder costs nothing and is restored exactly. Replies to people
 * restore placeholders to the masked form (138****1234), never the raw value.
 */
import { maskBankCard, maskMobile, maskResidentId } from '../../policies/masking.js';

export type PiiKind = 'ID' | 'CARD' | 'MOBILE';

const SEP = '[ \\-]?';
const DIGIT = '\\d';
const seq = (n: number) => `${DIGIT}(?:${SEP}${DIGIT}){${n - 1}}`;
// Order matters: the longest kinds first, so an 18-digit ID is not read as a card or a mobile.
const PATTERNS: [PiiKind, RegExp][] = [
  ['ID', new RegExp(`(?<![\\dA-Za-z])${seq(17)}${SEP}[\\dXx](?![\\dA-Za-z])`, 'g')],
  ['CARD', new RegExp(`(?<![\\dA-Za-z])${DIGIT}(?:${SEP}${DIGIT}){15,18}(?![\\dA-Za-z])`, 'g')],
  ['MOBILE', new RegExp(`(?<![\\dA-Za-z])(?:(?:\\+|00)?86${SEP})?1${SEP}[3-9](?:${SEP}${DIGIT}){9}(?![\\dA-Za-z])`, 'g')],
];
/** Keys whose values are personal data whatever they look like. */
export const PII_KEYS: [RegExp, PiiKind][] = [
  [/^(residentId|idCard|idNumber)$/i, 'ID'],
  [/^(bankCard|cardNumber)$/i, 'CARD'],
  [/^(mobile|phone|serviceNumber|contactNumber)$/i, 'MOBILE'],
];
const PLACEHOLDER = /<(ID|CARD|MOBILE)_(\d+)>/g;
const IS_PLACEHOLDER = /^<(ID|CARD|MOBILE)_\d+>$/;

function canonical(kind: PiiKind, raw: string): string {
  let v = raw.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
  if (kind === 'MOBILE') v = v.replace(/^\+?(?:00)?86(?=1\d{10}$)/, '');
  return v;
}

export interface VaultSnapshot {
  entries: { kind: PiiKind; value: string; n: number }[];
}

export class PiiVault {
  private readonly byValue = new Map<string, string>();
  private readonly byPlaceholder = new Map<string, { kind: PiiKind; value: string }>();
  private readonly counters: Record<PiiKind, number> = { ID: 0, CARD: 0, MOBILE: 0 };

  constructor(snapshot?: VaultSnapshot) {
    for (const e of snapshot?.entries ?? []) {
      const ph = `<${e.kind}_${e.n}>`;
      this.byValue.set(`${e.kind}:${e.value}`, ph);
      this.byPlaceholder.set(ph, { kind: e.kind, value: e.value });
      this.counters[e.kind] = Math.max(this.counters[e.kind], e.n);
    }
  }

  get size(): number {
    return this.byPlaceholder.size;
  }

  snapshot(): VaultSnapshot {
    return {
      entries: [...this.byPlaceholder.entries()].map(([ph, e]) => ({ kind: e.kind, value: e.value, n: Number(ph.slice(ph.indexOf('_') + 1, -1)) })),
    };
  }

  private placeholder(kind: PiiKind, raw: string): string {
    const value = canonical(kind, raw);
    const key = `${kind}:${value}`;
    let ph = this.byValue.get(key);
    if (!ph) {
      ph = `<${kind}_${++this.counters[kind]}>`;
      this.byValue.set(key, ph);
      this.byPlaceholder.set(ph, { kind, value });
    }
    return ph;
  }

  /** Personal data in a text replaced by placeholders. */
  redact(text: string): string {
    let out = text.normalize('NFKC');
    for (const [kind, re] of PATTERNS) out = out.replace(re, (m) => this.placeholder(kind, m));
    return out;
  }

  /** Every string in a JSON-like value redacted; values under personal-data keys always. */
  redactDeep<T>(value: T, key?: string): T {
    if (typeof value === 'string') {
      const forced = key ? PII_KEYS.find(([re]) => re.test(key))?.[1] : undefined;
      if (forced && value.trim() !== '' && !IS_PLACEHOLDER.test(value)) return this.placeholder(forced, value) as T;
      return this.redact(value) as T;
    }
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactDeep(v, k);
      return out as T;
    }
    return value;
  }

  /** Placeholders back to the real values (tool arguments, server-side only). */
  restore(text: string): string {
    return text.replace(PLACEHOLDER, (ph) => this.byPlaceholder.get(ph)?.value ?? ph);
  }

  restoreDeep<T>(value: T): T {
    if (typeof value === 'string') return this.restore(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.restoreDeep(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.restoreDeep(v);
      return out as T;
    }
    return value;
  }

  /** Placeholders to the masked form people may see (138****1234), for replies. */
  restoreMasked(text: string): string {
    return text.replace(PLACEHOLDER, (ph) => {
      const e = this.byPlaceholder.get(ph);
      if (!e) return ph;
      if (e.kind === 'MOBILE') return e.value.length === 11 ? maskMobile(e.value) : `${e.value.slice(0, 3)}****`;
      if (e.kind === 'ID') return e.value.length === 18 ? maskResidentId(e.value) : '******';
      return e.value.length >= 12 ? maskBankCard(e.value) : '****';
    });
  }
}

export function isPiiKey(key: string): boolean {
  return PII_KEYS.some(([re]) => re.test(key));
}
