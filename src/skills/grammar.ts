/**
 * The shared lexicon of the command grammar: identifiers as people type them (full-width, with
 * dashes or spaces), the polite lead-in of a command, and how free text after an identifier is
 * taken. Skills build their rules from these; nothing here knows a skill.
 */
import { z } from 'zod';
import { detectLang, type Lang } from '../chat/lang.js';
import type { CommandText } from './contract.js';

/** Full-width to half-width (NFKC), one space between words. */
export function normalizeCommand(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

export function commandText(raw: string): CommandText {
  const text = normalizeCommand(raw);
  return { raw, text, lang: detectLang(text), slash: text.startsWith('/') ? text.slice(1).split(' ')[0]!.toLowerCase() : undefined };
}

export const OLT = /\b(OLT-[A-Z]{2}-\d{1,3})\b/i;
// F/S/P written 0/1/3, 0-1-3 or with spaces around the slashes.
export const FSP = /(?<![\d/-])(\d{1,2})\s*[/-]\s*(\d{1,2})\s*[/-]\s*(\d{1,3})(?![\d/-])/;
export const TICKET = /\b(T\d{8}-\d{4})\b/i;
export const CUSTOMER = /(?<![A-Za-z0-9])(C\d{6})(?![A-Za-z0-9])/i;
export const MOBILE = /(?<![A-Za-z0-9])(?:(?:\+86|0086)[- ]?)?(1[3-9]\d(?:-?\d){8})(?![A-Za-z0-9])/;
/** Anything that looks like a resident ID number (15 to 20 characters); the tool checks it. */
export const RESIDENT_ID = /(?<![A-Za-z0-9])(\d{14,19}[\dXx])(?![A-Za-z0-9])/;
export const WORK_ORDER = /(?<![A-Za-z0-9])(W\d{8}-\d{4})(?![A-Za-z0-9])/i;
const PERIOD = /(?<!\d)(20\d{2})(?:[-/.]|年)(\d{1,2})月?(?!\d)/g;

/** The OLT and F/S/P a text names, normalized ("0 - 1 - 3" -> "0/1/3"). */
export function portIn(text: string): { olt: string | undefined; fsp: string | undefined } {
  const olt = OLT.exec(text)?.[1]?.toUpperCase();
  const m = FSP.exec(text);
  return { olt, fsp: m ? `${Number(m[1])}/${Number(m[2])}/${Number(m[3])}` : undefined };
}

export const ticketIn = (text: string): string | undefined => TICKET.exec(text)?.[1]?.toUpperCase();

/**
 * A command recognised only at the start of the message (its free text may hold any word),
 * after any polite lead-in (请 / 帮我 / please).
 */
const LEAD = String.raw`^\/?(?:(?:请|请帮我|帮我|帮忙|麻烦|please|pls)\s*)*`;
// A Latin command word must end at a word boundary ("note" is not "notebook"); a Chinese one may
// run straight into the id ("工单备注T20261124-0012").
export const anchored = (alternatives: string): RegExp => new RegExp(`${LEAD}(?:${alternatives})(?:(?<=[\\u3400-\\u9fff])|(?![a-z]))\\s*`, 'i');

/** Whom a customer read is about, as the user named them (the tools validate it again). */
export const customerRefSchema = z.union([z.object({ customerId: z.string() }).strict(), z.object({ mobile: z.string() }).strict()]);
export type CustomerRef = z.infer<typeof customerRefSchema>;

export function customerIn(text: string): CustomerRef | undefined {
  const id = CUSTOMER.exec(text)?.[1];
  if (id) return { customerId: id.toUpperCase() };
  const mobile = mobileIn(text);
  return mobile ? { mobile } : undefined;
}

export function mobileIn(text: string): string | undefined {
  const m = MOBILE.exec(text)?.[1];
  return m ? m.replace(/-/g, '') : undefined;
}

/** YYYY-MM periods in order; `bad` when something looks like a month but is not one. */
export function periodsIn(text: string): { periods: string[]; bad: boolean } {
  const periods: string[] = [];
  let bad = false;
  for (const m of text.matchAll(PERIOD)) {
    const month = Number(m[2]);
    if (month < 1 || month > 12) bad = true;
    else periods.push(`${m[1]}-${String(month).padStart(2, '0')}`);
  }
  return { periods, bad };
}

/**
 * The user's own words after the token holding `re`'s match, taken from the raw text so that
 * punctuation in a note stays as typed (only the token with the id itself is normalized).
 */
export function rawRestAfter(raw: string, re: RegExp): string {
  const tokens = raw.trim().split(/\s+/);
  for (let i = 0; i < tokens.length; i++) {
    const norm = tokens[i]!.normalize('NFKC');
    const m = re.exec(norm);
    if (m) return [norm.slice(m.index + m[0].length), ...tokens.slice(i + 1)].join(' ').trim();
  }
  return '';
}

export const stripLead = (s: string, words: RegExp): string => s.replace(words, '').trim();

/**
 * Commands that carry free text (a note, a name, a team, SMS parameters) answer in the language
 * of their command word: "add note T… 用户已重启光猫" is an English request.
 */
export const keywordLang = (re: RegExp, text: string): Lang => detectLang(re.exec(text)?.[0] ?? text);
