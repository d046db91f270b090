/**
 * Personal data masking for chat replies, logs, audit details and prompts. Numbers are detected
 * by their checksums (GB 11643 for resident IDs, Luhn for bank cards) to avoid masking ticket
 * ids and timestamps, and are found through full-width digits and spaces or dashes inside them.
 */

const D = '[0-9\\uFF10-\\uFF19]';
const SEP = '[\\s\\-\\u2010-\\u2015\\uFF0D]?';
const NOT_DIGIT_BEFORE = '(?<![0-9\\uFF10-\\uFF19])';
const NOT_DIGIT_AFTER = '(?![0-9\\uFF10-\\uFF19Xx\\uFF38\\uFF58])';

const residentIdPattern = new RegExp(`${NOT_DIGIT_BEFORE}${D}(?:${SEP}${D}){16}${SEP}[0-9\\uFF10-\\uFF19Xx\\uFF38\\uFF58]${NOT_DIGIT_AFTER}`, 'g');
const bankCardPattern = new RegExp(`${NOT_DIGIT_BEFORE}${D}(?:${SEP}${D}){15,18}${NOT_DIGIT_AFTER}`, 'g');
const mobilePattern = new RegExp(
  `${NOT_DIGIT_BEFORE}(?:(?:[+\\uFF0B]${SEP}86|0086)${SEP})?[1\\uFF11]${SEP}[3-9\\uFF13-\\uFF19](?:${SEP}${D}){9}${NOT_DIGIT_AFTER}`,
  'g',
);

/** Full-width digits and letters to ASCII; separators dropped. */
export function normalizeDigits(text: string): string {
  return text
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[\uFF38\uFF58]/g, 'X')
    .replace(/x/g, 'X')
    .replace(/[\s\-\u2010-\u2015\uFF0D+\uFF0B]/g, '');
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
  return /^1[3-9]\d{9}$/.test(stripCountryCode(normalizeDigits(raw)));
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

/** A customer reference as a message may show it: the customer id as is, a mobile masked. */
export function customerRefLabel(ref: { customerId: string } | { mobile: string }): string {
  return 'customerId' in ref ? ref.customerId : maskMobile(ref.mobile);
}

export function maskMobile(raw: string): string {
  const m = stripCountryCode(normalizeDigits(raw));
  return `${m.slice(0, 3)}****${m.slice(7)}`;
}

export function maskBankCard(raw: string): string {
  const d = normalizeDigits(raw);
  return `${d.slice(0, 6)}${'*'.repeat(d.length - 10)}${d.slice(-4)}`;
}

export interface MaskCounts {
  residentIds: number;
  mobiles: number;
  bankCards: number;
}

/** Mask every resident ID, bank card and mobile number in a text. */
export function maskText(text: string, counts?: MaskCounts): string {
  return text
    .replace(residentIdPattern, (m) => {
      if (!isValidResidentId(m)) return m;
      if (counts) counts.residentIds++;
      return maskResidentId(m);
    })
    .replace(bankCardPattern, (m) => {
      if (!isLuhnValid(m)) return m;
      if (counts) counts.bankCards++;
      return maskBankCard(m);
    })
    .replace(mobilePattern, (m) => {
      if (!isValidMobile(m)) return m;
      if (counts) counts.mobiles++;
      return maskMobile(m);
    });
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
