/**
 * Reversible placeholders for personal data on the way to the LLM provider. Resident IDs, bank
 * cards and mobile numbers become <ID_1>, <CARD_1>, <MOBILE_1>, and people's names and addresses
 * <NAME_1>, <ADDR_1>, before anything is put in a prompt;
 * tool-call arguments coming back are restored server-side, so the tools get the real values and
 * the provider never sees them.
 *
 * Detection here is deliberately looser than policies/masking.ts (no checksum): a prompt prefers
 * over-redaction, since a placeholder costs nothing and is restored exactly. Replies to people
 * restore placeholders to the masked form (138****1234, 张*, 杭州市西湖区…), never the raw value.
 *
 * Names and addresses have no shape a number has: they are found under their keys in tool
 * outputs (name, address, engineer, …), by the shape of a Chinese street address (…路 398 号…) in
 * any text, and — once the vault knows a name or an address — wherever that value appears again
 * (a ticket note quoting the customer, the user's next message).
 */
import { maskAddress, maskBankCard, maskMobile, maskName, maskResidentId } from '../../policies/masking.js';

export type PiiKind = 'ID' | 'CARD' | 'MOBILE' | 'NAME' | 'ADDR';

const SEP = '[ \\-]?';
const DIGIT = '\\d';
const seq = (n: number) => `${DIGIT}(?:${SEP}${DIGIT}){${n - 1}}`;
// Order matters: the longest kinds first, so an 18-digit ID is not read as a card or a mobile.
const PATTERNS: [PiiKind, RegExp][] = [
  ['ID', new RegExp(`(?<![\\dA-Za-z])${seq(17)}${SEP}[\\dXx](?![\\dA-Za-z])`, 'g')],
  ['CARD', new RegExp(`(?<![\\dA-Za-z])${DIGIT}(?:${SEP}${DIGIT}){15,18}(?![\\dA-Za-z])`, 'g')],
  ['MOBILE', new RegExp(`(?<![\\dA-Za-z])(?:(?:\\+|00)?86${SEP})?1${SEP}[3-9](?:${SEP}${DIGIT}){9}(?![\\dA-Za-z])`, 'g')],
  // A Chinese street address: place names, a road / street / lane, a number 号, then building, unit, room.
  ['ADDR', /[\u4e00-\u9fa5A-Za-z0-9]{2,30}(?:路|街|巷|弄|大道|道)\s*\d{1,5}\s*号(?:\s*\d{1,4}\s*[幢栋座楼])?(?:\s*\d{1,3}\s*单元)?(?:\s*\d{1,5}\s*室?)?/g],
];
/** Keys whose values are personal data whatever they look like. */
export const PII_KEYS: [RegExp, PiiKind][] = [
  [/^(residentId|idCard|idNumber)$/i, 'ID'],
  [/^(bankCard|cardNumber)$/i, 'CARD'],
  [/^(mobile|phone|serviceNumber|contactNumber)$/i, 'MOBILE'],
  [/^(name|customerName|contactName|contactPerson|holderName|fullName|engineer|engineerName)$/i, 'NAME'],
  [/^(address|installAddress|contactAddress|siteAddress)$/i, 'ADDR'],
];
const PLACEHOLDER = /<(ID|CARD|MOBILE|NAME|ADDR)_(\d+)>/g;
const IS_PLACEHOLDER = /^<(ID|CARD|MOBILE|NAME|ADDR)_\d+>$/;
/** The placeholder syntax, for code that must leave placeholders readable (prompt.ts). */
export const PLACEHOLDER_SOURCE = '(?:ID|CARD|MOBILE|NAME|ADDR)_\\d+';

function canonical(kind: PiiKind, raw: string): string {
  if (kind === 'NAME' || kind === 'ADDR') return raw.normalize('NFKC').trim();
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
  private readonly counters: Record<PiiKind, number> = { ID: 0, CARD: 0, MOBILE: 0, NAME: 0, ADDR: 0 };

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
    // Names and addresses the vault already knows, wherever they appear (longest first).
    const known = [...this.byPlaceholder.entries()]
      .filter(([, e]) => (e.kind === 'NAME' || e.kind === 'ADDR') && e.value.length >= 2)
      .sort((a, b) => b[1].value.length - a[1].value.length);
    for (const [ph, e] of known) out = out.split(e.value).join(ph);
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
      if (e.kind === 'NAME') return maskName(e.value);
      if (e.kind === 'ADDR') return maskAddress(e.value);
      return e.value.length >= 12 ? maskBankCard(e.value) : '****';
    });
  }
}

export function isPiiKey(key: string): boolean {
  return PII_KEYS.some(([re]) => re.test(key));
}

