/**
 * Personal data masking for everything stored, logged or shown: chat replies, logs, audit
 * details, tool-call records, evidence, prompts. Detection is by SHAPE, not by checksum: a
 * resident ID with a wrong check digit or a card number that fails Luhn is still somebody's
 * number typed wrong, and must not land in clear at rest. The checksum routines below are kept
 * for validating input (crm.verifyIdentity), not for deciding what to mask.
 *
 * Shapes (digits may be full-width, groups of at least 3 digits may be split by one space or dash,
 * Chinese text needs no space around a number):
 *   - resident ID: 17 digits + digit/X (any check character), or the 15-digit pre-1999 form
 *   - bank card: 16-19 digits
 *   - mobile: 1[3-9] + 9 digits, optional +86 / 0086 / 86 prefix
 * A number glued to letters or to an identifier's punctuation (T20261124-0012, ALM900001,
 * C000123, ORD-202610-001-0011, HWTC1A2B3C4D, hz81000123) is an identifier, not personal data.
 */

/** One digit, ASCII or full-width. */
const D = '[0-9\\uFF10-\\uFF19]';
const X = '[Xx\\uFF38\\uFF58]';
/** One separator inside a number: a space (incl. ideographic) or a dash of any width. */
const SEP = '[ \\u00A0\\u3000\\-\\u2010-\\u2015\\uFF0D]';
/** Not glued to an identifier on the left: no digit, letter, underscore, or `-`/`.`/`/` before. */
const START = '(?<![0-9\\uFF10-\\uFF19A-Za-z\\uFF21-\\uFF3A\\uFF41-\\uFF5A_./\\-\\uFF0D])';
/** Not glued on the right: no digit, letter or underscore, and no `-`/`.`/`/` followed by a digit. */
const END = '(?![0-9\\uFF10-\\uFF19A-Za-z\\uFF21-\\uFF3A\\uFF41-\\uFF5A_])(?![./\\-\\uFF0D][0-9\\uFF10-\\uFF19])';

/** A country prefix: +86 (ASCII or full-width). 0086 and a bare 86 are digits and handled by classify(). */
const PLUS86 = `[+\\uFF0B]${SEP}?[8\\uFF18][6\\uFF16]`;
/**
 * A run of digits that could be one number: groups of digits where a separator may stand only
 * before a group of at least 3 digits (so dates like 2026-11-24 or lists of small numbers do not
 * join up), an optional trailing X. classify() decides what, if anything, the run is.
 */
const RUN = new RegExp(`${START}(?:${PLUS86}${SEP}?)?${D}+(?:${SEP}${D}{3,})*(?:${SEP}?${X})?${END}`, 'g');
const GROUP_SEP = new RegExp(`${SEP}+`);

/** Full-width digits and letters to ASCII; separators dropped. */
export function normalizeDigits(text: string): string {
  return text
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[\uFF38\uFF58]/g, 'X')
    .replace(/x/g, 'X')
    .replace(/[\s\u3000\-\u2010-\u2015\uFF0D+\uFF0B]/g, '');
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643 check character of an 18-character id already in the 17-digits-and-check format. */
function checkCharacterOk(id: string): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === id[17];
}

export function isValidResidentId(raw: string): boolean {
  const id = normalizeDigits(raw);
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  if (!checkCharacterOk(id)) return false;
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** What a resident ID as given (full-width digits, spaces, dashes, lower-case x) passes, step by step. */
export interface ResidentIdCheck {
  /** Digits and X only. */
  normalized: string;
  /** 17 digits and a digit or X. */
  formatValid: boolean;
  /** The GB 11643 check character (false when the format already failed). */
  checksumValid: boolean;
  /** Digits 7-14 form a real date from 1900 on, not after `today` (false when the format failed). */
  birthDateValid: boolean;
  /** 15 digits: the pre-1999 format, which has no check character. */
  legacy15: boolean;
}

export function checkResidentId(raw: string, today: Date = new Date()): ResidentIdCheck {
  const id = normalizeDigits(raw);
  const formatValid = /^\d{17}[\dX]$/.test(id);
  let checksumValid = false;
  let birthDateValid = false;
  if (formatValid) {
    checksumValid = checkCharacterOk(id);
    const y = Number(id.slice(6, 10));
    const m = Number(id.slice(10, 12));
    const d = Number(id.slice(12, 14));
    const birth = new Date(Date.UTC(y, m - 1, d));
    const real = birth.getUTCFullYear() === y && birth.getUTCMonth() === m - 1 && birth.getUTCDate() === d;
    const todayUtc = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
    birthDateValid = real && y >= 1900 && birth.getTime() <= todayUtc;
  }
  return { normalized: id, formatValid, checksumValid, birthDateValid, legacy15: /^\d{15}$/.test(id) };
}

export function isLuhnValid(raw: string): boolean {
  const digits = normalizeDigits(raw);
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function isValidMobile(raw: string): boolean {
  return MOBILE_DIGITS.test(stripCountryCode(normalizeDigits(raw)));
}

function stripCountryCode(digits: string): string {
  if (digits.startsWith('0086') && digits.length === 15) return digits.slice(4);
  if (digits.startsWith('86') && digits.length === 13) return digits.slice(2);
  return digits;
}

export function maskResidentId(raw: string): string {
  const id = normalizeDigits(raw);
  return `${id.slice(0, 6)}${'*'.repeat(8)}${id.slice(14)}`;
}

/**
 * Something given as an ID that may not be a valid one (wrong length, legacy 15 digits): at most
 * the first 6 and last 4 characters, never most of it. An 18-character id comes out as maskResidentId.
 */
export function maskIdLike(raw: string): string {
  const id = normalizeDigits(raw);
  const n = id.length;
  if (n >= 14) return `${id.slice(0, 6)}${'*'.repeat(n - 10)}${id.slice(-4)}`;
  if (n >= 8) return `${id.slice(0, 2)}${'*'.repeat(n - 4)}${id.slice(-2)}`;
  return '*'.repeat(Math.max(1, n));
}

/** A person's name as a reply may show it: the first character (the surname), the rest starred. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(Math.min(chars.length - 1, 3))}`;
}

/** An address as a reply may show it: up to its district (…市…区/县), the street and number hidden. */
export function maskAddress(address: string): string {
  const m = /^(.*?[市州盟])?(.*?[区县旗])?/.exec(address.trim());
  const head = `${m?.[1] ?? ''}${m?.[2] ?? ''}`;
  return `${head}****`;
}

/** A customer reference as a message may show it: the customer id as is, a mobile masked. */
export function customerRefLabel(ref: { customerId: string } | { mobile: string }): string {
  return 'customerId' in ref ? ref.customerId : maskMobile(ref.mobile);
}

export function maskMobile(raw: string): string {
  const m = stripCountryCode(normalizeDigits(raw));
  const { start, end } = settings.mobileKeep;
  return `${m.slice(0, start)}${'*'.repeat(m.length - start - end)}${m.slice(m.length - end)}`;
}

/**
 * The policy's masking settings (policy.ts `masking`): the operator's own personal-number patterns
 * and how much of a mobile to keep. Module state, set by the policy in force (setActivePolicy), so
 * every caller of maskText (logs, audit, evidence, replies) masks the same way without passing it.
 * They only add to the built-in shapes: a setting can mask more, never less.
 */
export interface MaskingOptions {
  patterns: readonly { name: string; regex: string; keepStart: number; keepEnd: number }[];
  mobileKeep: { start: number; end: number };
}
interface CompiledPattern {
  re: RegExp;
  keepStart: number;
  keepEnd: number;
}
let settings: MaskingOptions = { patterns: [], mobileKeep: { start: 3, end: 4 } };
let compiled: CompiledPattern[] = [];

export function setMaskingOptions(next: MaskingOptions): void {
  compiled = next.patterns.map((p) => ({ re: new RegExp(p.regex, 'gu'), keepStart: p.keepStart, keepEnd: p.keepEnd }));
  settings = { patterns: [...next.patterns], mobileKeep: { start: Math.min(3, next.mobileKeep.start), end: Math.min(4, next.mobileKeep.end) } };
}

/** One match of an operator pattern: at most its ends kept, and never more than half of it. */
function maskMatch(match: string, keepStart: number, keepEnd: number): string {
  const chars = [...match];
  let start = keepStart;
  let end = keepEnd;
  while (start + end > 0 && (start + end) * 2 > chars.length) {
    if (start >= end && start > 0) start--;
    else end--;
  }
  return `${chars.slice(0, start).join('')}${'*'.repeat(chars.length - start - end)}${chars.slice(chars.length - end).join('')}`;
}

function maskOperatorPatterns(text: string, counts?: MaskCounts): string {
  let out = text;
  for (const p of compiled) {
    out = out.replace(p.re, (m) => {
      if (counts) counts.patterns = (counts.patterns ?? 0) + 1;
      return maskMatch(m, p.keepStart, p.keepEnd);
    });
  }
  return out;
}

export function maskBankCard(raw: string): string {
  const d = normalizeDigits(raw);
  return `${d.slice(0, 6)}${'*'.repeat(d.length - 10)}${d.slice(-4)}`;
}

export interface MaskCounts {
  residentIds: number;
  mobiles: number;
  bankCards: number;
  /** Matches of the policy's own patterns (counted only when there are any). */
  patterns?: number;
}

type Kind = 'residentId' | 'mobile' | 'bankCard';
const MOBILE_DIGITS = /^1[3-9]\d{9}$/;

/** What a run of digits (normalized: digits and X only) is by its shape, and its masked form. */
function classify(d: string): { kind: Kind; masked: string } | null {
  if (d.length === 15 && d.startsWith('0086') && MOBILE_DIGITS.test(d.slice(4))) return { kind: 'mobile', masked: maskMobile(d.slice(4)) };
  if (d.length === 13 && d.startsWith('86') && MOBILE_DIGITS.test(d.slice(2))) return { kind: 'mobile', masked: maskMobile(d.slice(2)) };
  if (MOBILE_DIGITS.test(d)) return { kind: 'mobile', masked: maskMobile(d) };
  if (d.endsWith('X')) return /^\d{17}X$/.test(d) ? { kind: 'residentId', masked: maskResidentId(d) } : null;
  if (d.length === 18 || d.length === 15) return { kind: 'residentId', masked: maskIdLike(d) };
  if (d.length >= 16 && d.length <= 19) return { kind: 'bankCard', masked: maskBankCard(d) };
  return null;
}

const COUNT_KEY: Record<Kind, keyof MaskCounts> = { residentId: 'residentIds', mobile: 'mobiles', bankCard: 'bankCards' };

/**
 * One run of digits masked: as a whole when it has a known shape, else split at its separators
 * into the longest pieces that do ("13812345678 13912345678" is two mobiles).
 */
function maskRun(run: string, counts?: MaskCounts): string {
  const whole = classify(normalizeDigits(run));
  if (whole) {
    if (counts) counts[COUNT_KEY[whole.kind]]++;
    return whole.masked;
  }
  const groups: string[] = [];
  const seps: string[] = [];
  let rest = run;
  for (;;) {
    const m = GROUP_SEP.exec(rest);
    if (!m) break;
    groups.push(rest.slice(0, m.index));
    seps.push(m[0]);
    rest = rest.slice(m.index + m[0].length);
  }
  groups.push(rest);
  if (groups.length === 1) return run;
  let out = '';
  const n = groups.length;
  for (let i = 0; i < n; ) {
    let end = 0;
    for (let j = n; j > i && end === 0; j--) {
      const piece = groups.slice(i, j).map((g, k) => (k === 0 ? g : seps[i + k - 1]! + g)).join('');
      const c = classify(normalizeDigits(piece));
      if (c) {
        if (counts) counts[COUNT_KEY[c.kind]]++;
        out += c.masked;
        end = j;
      }
    }
    if (end === 0) {
      out += groups[i]!;
      end = i + 1;
    }
    if (end < n) out += seps[end - 1]!;
    i = end;
  }
  return out;
}

/** Mask every resident ID, bank card and mobile number in a text, by shape (see the top of this file). */
export function maskText(text: string, counts?: MaskCounts): string {
  if (compiled.length > 0) text = maskOperatorPatterns(text, counts);
  if (!/[0-9\uFF10-\uFF19]{3}/.test(text)) return text;
  // UUIDs (approval and call ids) can be all digits in their first groups; they are ids, never masked.
  let out = '';
  let last = 0;
  for (const m of text.matchAll(UUID)) {
    out += text.slice(last, m.index).replace(RUN, (r) => maskRun(r, counts)) + m[0];
    last = m.index + m[0].length;
  }
  return out + text.slice(last).replace(RUN, (r) => maskRun(r, counts));
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** True when maskText would change the text. */
export function hasPersonalNumber(text: string): boolean {
  const counts: MaskCounts = { residentIds: 0, mobiles: 0, bankCards: 0 };
  maskText(text, counts);
  return counts.residentIds + counts.mobiles + counts.bankCards + (counts.patterns ?? 0) > 0;
}

/** Mask every string inside a JSON-like value (for audit details, logs, evidence). */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return maskText(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v);
    return out as T;
  }
  return value;
}
