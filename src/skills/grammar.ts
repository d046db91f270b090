/**
 * The shared lexicon of the command grammar: identifiers as people type them (full-width, with
 * dashes or spaces), the polite lead-in of a command, and how free text after an identifier is
 * taken. Skills build their rules from these; nothing here knows a skill.
 */
import { z } from 'zod';
import { detectLang, type Lang } from '../chat/lang.js';
import type { CommandText } from './contract.js';
import { EN_MONTHS, localDay, whenIn } from './when.js';

/** Dashes an input method types for "-" (em dash, en dash, minus, full-width hyphen, ...). */
const IME_DASHES = /[\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D\u30FC]/g;

/**
 * Identifiers as people type them, rewritten to their one written form so every rule sees
 * "T20261124-0012" whether it came as "t2026 1124 0012", "C 000123", "138 5710 1234",
 * "110105 19491231 002X" or "ALM-900001".
 */
const ID_FORMS: [RegExp, (...g: string[]) => string][] = [
  [/(?<![A-Za-z0-9])([TW])\s?(\d{4})\s?(\d{2})\s?(\d{2})\s?-?\s?(\d{4})(?![A-Za-z0-9])/gi, (_m, l, a, b, c, d) => `${l!.toUpperCase()}${a}${b}${c}-${d}`],
  [/(?<![A-Za-z0-9])C\s?(\d{6})(?![A-Za-z0-9])/gi, (_m, d) => `C${d}`],
  [/(?<![A-Za-z0-9])ALM\s?-?\s?(\d{6,10})(?![A-Za-z0-9])/gi, (_m, d) => `ALM${d}`],
  [/(?<![A-Za-z0-9])CH\s?(\d{3})(?![A-Za-z0-9])/gi, (_m, d) => `CH${d}`],
  [/(?<![A-Za-z0-9+])(?:(?:\+86|0086)[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![A-Za-z0-9])/g, (_m, a, b, c) => `${a}${b}${c}`],
  [/(?<![A-Za-z0-9])(\d{6})[\s-](\d{8})[\s-](\d{3}[\dXx])(?![A-Za-z0-9])/g, (_m, a, b, c) => `${a}${b}${c!.toUpperCase()}`],
  // "OLT HZ 01", "olt_hz01" -> OLT-HZ-01; "0框1槽3口" / "frame 0 slot 1 port 3" -> 0/1/3.
  [/(?<![A-Za-z0-9])OLT[\s_-]?([A-Z]{2})[\s_-]?(\d{1,3})(?![A-Za-z0-9])/gi, (_m, r, n) => `OLT-${r!.toUpperCase()}-${n}`],
  [/(\d{1,2})\s*(?:框|frame)\s*(\d{1,2})\s*(?:槽|slot)\s*(\d{1,3})\s*(?:号?端口|口|port)?/gi, (_m, f, s, p) => `${f}/${s}/${p}`],
];

const ZH_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
/** 九 -> 9, 十一 -> 11, 二十三 -> 23 (up to 99). */
function zhNumber(s: string): number | undefined {
  const m = /^([一二两三四五六七八九])?(十)?([一二两三四五六七八九零〇])?$/.exec(s);
  if (!m || s === '') return undefined;
  if (!m[2]) return m[1] && !m[3] ? ZH_DIGITS[m[1]] : m[3] && !m[1] ? ZH_DIGITS[m[3]] : undefined;
  return (m[1] ? ZH_DIGITS[m[1]]! : 1) * 10 + (m[3] ? ZH_DIGITS[m[3]]! : 0);
}
/**
 * Hours in Chinese numerals, as dictated ("明天上午九点到十一点"): 九点 -> 9点. "一点" alone is also
 * "a little" (快一点), so it is an hour only after a part of the day or a day.
 */
function zhHours(s: string): string {
  return s
    .replace(/([二两三四五六七八九十][一二三四五六七八九十]{0,2})(?=\s*[点時时])/g, (m) => String(zhNumber(m) ?? m))
    .replace(/(上午|下午|中午|晚上|凌晨|早上|今天|明天|后天|到|至|-)\s*一(?=\s*[点時时])/g, '$11')
    .replace(/([点時时])\s*([一二三四五]十[一二三四五六七八九]?|[一二三四五]十|[一二三四五六七八九十]{1,2})\s*分/g, (m, h: string, min: string) => `${h}${zhNumber(min) ?? min}分`);
}

/** Full-width to half-width (NFKC), IME dashes to "-", one space between words, identifiers in their written form. */
export function normalizeCommand(text: string): string {
  let s = zhHours(text.normalize('NFKC').replace(IME_DASHES, '-').replace(/\s+/g, ' ').trim());
  for (const [re, to] of ID_FORMS) s = s.replace(re, to as (...a: string[]) => string);
  return s;
}

export function commandText(raw: string, now: Date = new Date()): CommandText {
  const text = normalizeCommand(raw);
  return { raw, text, lang: detectLang(text), slash: text.startsWith('/') ? text.slice(1).split(' ')[0]!.toLowerCase() : undefined, now };
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
export const ALARM_ID = /(?<![A-Za-z0-9])(ALM\d{6,10})(?![A-Za-z0-9])/i;
export const PLAN_CODE = /(?<![A-Za-z0-9_])(P(?=[A-Z0-9_]*[\d_])[A-Z0-9_]{2,30})(?![A-Za-z0-9_])/i;
export const CHANNEL = /(?<![A-Za-z0-9])(CH\d{3})(?![A-Za-z0-9])/i;
export const ACCOUNT = /(?<![A-Za-z0-9])((?:hz|nb|wz)\d{8})(?![A-Za-z0-9])/i;
export const SMS_TEMPLATE = /(?<![A-Za-z0-9_])(SMS_[A-Z0-9_]{2,40})(?![A-Za-z0-9_])/i;
const PERIOD = /(?<!\d)(20\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})月?(?![\d/.-]?\d)/g;

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

/**
 * YYYY-MM periods in order; `bad` when something looks like a month but is not one. Besides
 * 2026-10 / 2026年10月 / 2026/10: "10月" (the latest such month not after now), 上个月 / 本月,
 * "last month" / "this month", "October 2026" / "Oct 2026".
 */
export function periodsIn(text: string, now: Date = new Date()): { periods: string[]; bad: boolean } {
  const found: { at: number; period: string }[] = [];
  let bad = false;
  const [y, m] = localDay(now).split('-').map(Number) as [number, number];
  const ym = (yy: number, mm: number) => `${yy}-${String(mm).padStart(2, '0')}`;
  const covered: [number, number][] = [];
  for (const p of text.matchAll(PERIOD)) {
    covered.push([p.index!, p.index! + p[0].length]);
    const month = Number(p[2]);
    if (month < 1 || month > 12) bad = true;
    else found.push({ at: p.index!, period: ym(Number(p[1]), month) });
  }
  const free = (i: number) => !covered.some(([a, b]) => i >= a && i < b);
  for (const p of text.matchAll(/(?<![\d年/.-])(\d{1,2})\s*月(?![\d日号])/g)) {
    if (!free(p.index!)) continue;
    const month = Number(p[1]);
    if (month < 1 || month > 12) bad = true;
    else found.push({ at: p.index!, period: ym(month <= m ? y : y - 1, month) });
  }
  for (const p of text.matchAll(/上个月|上月|last\s+month|本月|这个月|this\s+month/gi)) {
    const last = /上|last/i.test(p[0]);
    found.push({ at: p.index!, period: last ? (m === 1 ? ym(y - 1, 12) : ym(y, m - 1)) : ym(y, m) });
  }
  const MONTH_NAME = new RegExp(String.raw`\b(${EN_MONTHS.map((n) => `${n.slice(0, 3)}(?:${n.slice(3)})?`).join('|')})\.?(?:\s+(20\d{2}))?\b`, 'gi');
  for (const p of text.matchAll(MONTH_NAME)) {
    const month = EN_MONTHS.findIndex((n) => n.startsWith(p[1]!.toLowerCase().slice(0, 3))) + 1;
    found.push({ at: p.index!, period: p[2] ? ym(Number(p[2]), month) : ym(month <= m ? y : y - 1, month) });
  }
  return { periods: found.sort((a, b) => a.at - b.at).map((f) => f.period), bad };
}

/**
 * The raw text after the shortest prefix whose normalized form holds `re`'s match, so free text
 * (a note, an address) keeps its punctuation as typed while the identifier before it may have been
 * typed full-width or with spaces.
 */
export function rawAfter(raw: string, re: RegExp): string {
  const text = normalizeCommand(raw);
  const m = new RegExp(re.source, re.flags.replace('g', '')).exec(text);
  if (!m) return '';
  const target = text.slice(0, m.index + m[0].length).trim();
  // The prefix is short (a command word and an id), so this ends early; bounded for odd input.
  const limit = Math.min(raw.length, target.length * 3 + 32);
  for (let i = 1; i <= limit; i++) {
    if (normalizeCommand(raw.slice(0, i)) === target) return raw.slice(i).trim();
  }
  // No raw prefix normalizes to exactly that (a rare NFKC composition): the normalized rest.
  return text.slice(m.index + m[0].length).trim();
}

/** The user's own words after the identifier `re` matches (see rawAfter). */
export const rawRestAfter = (raw: string, re: RegExp): string => rawAfter(raw, re);

export const stripLead = (s: string, words: RegExp): string => s.replace(words, '').trim();

/**
 * Commands that carry free text (a note, a name, a team, SMS parameters) answer in the language
 * of their command word: "add note T… 用户已重启光猫" is an English request.
 */
export const keywordLang = (re: RegExp, text: string): Lang => detectLang(re.exec(text)?.[0] ?? text);

/**
 * A word list for CommandRule.words: alternatives, longest first so "查一下" goes before "查"; a
 * Latin alternative matches whole words only ("note" is not "notebook").
 */
export function words(...alternatives: string[]): RegExp {
  const alts = [...new Set(alternatives)].sort((a, b) => b.length - a.length).map((a) => (/^[a-z]/i.test(a) ? String.raw`\b(?:${a})\b` : `(?:${a})`));
  return new RegExp(alts.join('|'), 'gi');
}

/**
 * What any request may hold besides its own words: polite lead-ins, particles, "a look", pronouns,
 * question words. Nothing here names an action, so a message made of filler and an id alone is
 * never some command.
 */
const FILLER = words(
  '请问', '请', '麻烦你?', '帮我们', '帮我', '帮忙', '帮', '给我', '我想', '我要', '想要', '能不能帮我', '可以帮我', '一下子', '一下', '下', '看看', '看一下', '看下', '瞧瞧', '瞅瞅',
  '查一下', '查一查', '查下', '查查', '查询', '查', '现在', '目前', '当前', '的', '了', '吗', '呢', '吧', '啊', '呀', '嘛', '么', '哈', '哦', '噢', '是', '这个', '那个', '这张', '那张',
  '这', '那', '个', '一', '还', '都', '好', '谢谢', '多谢', '急', '加急', '尽快', '马上', '我', '你', '您', '你好', '您好', '嗨', '在吗', '查看', '显示', '调出', '打开',
  '给我看看', '我想看', '我想知道', '想知道', '告诉我', '好吗', '行吗', '可以吗', '呗', '啥情况', '什么情况', '怎么样了', '怎么样', '咋样', '如何', '现在', '最新',
  'please', 'pls', 'plz', 'can you', 'could you', 'would you', 'kindly', 'me', 'the', 'a', 'an', 'of', 'for', 'on', 'is', 'are', 'what', "what's", 'whats',
  'show', 'get', 'check', 'look up', 'lookup', 'look at', 'tell me', 'i want', 'i need', 'i would like', 'about', 'this', 'that', 'now', 'current', 'thanks', 'thank you', 'asap', 'quick', 'quickly',
  'if', 'whether', 'pull up', 'give me', 'find', 'display', 'view', 'see', 'open', 'fetch', 'retrieve', 'let me see', "i'd like", 'to see', 'to know', 'know', 'info on', 'hey', 'hi', 'hello', 'latest', 'right now',
);

/** Identifiers of every kind (removed before a message's words are judged). */
const IDS = [
  TICKET, WORK_ORDER, CUSTOMER, MOBILE, RESIDENT_ID, OLT, FSP, ALARM_ID, PLAN_CODE, CHANNEL, ACCOUNT, SMS_TEMPLATE, PERIOD,
  // Priorities and the periods periodsIn reads without a year (10月, 上个月, last month).
  /(?<![A-Za-z0-9_])P[1-4](?![A-Za-z0-9_])/i, /(?<![\d年/.-])\d{1,2}\s*月(?![\d日号])|上个月|上月|本月|这个月|当月|last\s+month|this\s+month/i,
].map((re) => new RegExp(re.source, 'gi'));

/** What is left of a message once its identifiers, dates, the rule's words and the filler are taken out. */
export function leftover(text: string, own: RegExp, now: Date = new Date()): string {
  // "C000123's profile": the possessive belongs to the id.
  let s = text.replace(/['’]s\b/gi, ' ');
  for (const re of IDS) s = s.replace(re, ' ');
  for (let w = whenIn(s, now); w; w = whenIn(s, now)) s = `${s.slice(0, w.index)} ${s.slice(w.index + w.length)}`;
  // One pass over both lists, leftmost first, so a filler phrase is not split by a rule word inside it (啥情况).
  s = s.replace(new RegExp(`${own.source}|${FILLER.source}`, 'gi'), ' ');
  return s.replace(/[^\p{L}]+/gu, ' ').trim();
}

/** The message is the command: nothing in it but identifiers, dates, the rule's words and filler. */
export const whole = (text: string, own: RegExp, now: Date = new Date()): boolean => leftover(text, own, now) === '';

/** An identifier typed with a typo, and what it most likely was (for "did you mean"). */
export interface IdTypo {
  typed: string;
  candidates: string[];
}

const LOOKALIKES: Record<string, string> = { o: '0', O: '0', l: '1', I: '1', i: '1' };
const fixLookalikes = (s: string) => s.replace(/[oOlIi]/g, (c) => LOOKALIKES[c]!);

/** Ticket / work-order day parts that are real dates, not after today: candidates for a missing digit. */
function dayCandidates(digits: string, now: Date): string[] {
  const today = localDay(now).replace(/-/g, '');
  const out = new Set<string>();
  for (let i = 0; i <= digits.length; i++) {
    for (let d = 0; d <= 9; d++) {
      const c = `${digits.slice(0, i)}${d}${digits.slice(i)}`;
      const y = Number(c.slice(0, 4));
      const m = Number(c.slice(4, 6));
      const day = Number(c.slice(6, 8));
      const date = new Date(Date.UTC(y, m - 1, day));
      if (y >= 2020 && date.getUTCMonth() === m - 1 && date.getUTCDate() === day && c <= today) out.add(c);
    }
  }
  return [...out].sort().reverse();
}

/**
 * Identifiers typed with a typo: a letter O (or l, I) for a digit, a digit missing from a ticket's
 * date, a customer number one digit short. Each comes with its likely written form(s), newest first.
 */
export function idTyposIn(text: string, now: Date = new Date()): IdTypo[] {
  const typos: IdTypo[] = [];
  for (const m of text.matchAll(/(?<![A-Za-z0-9])([TWtw])([0-9oOlIi]{6,9})-([0-9oOlIi]{3,5})(?![A-Za-z0-9])/g)) {
    const [typed, l, a, b] = m as unknown as [string, string, string, string];
    if (/^[TW]\d{8}-\d{4}$/.test(typed)) continue;
    const day = fixLookalikes(a);
    const seq = fixLookalikes(b);
    if (!/^\d+$/.test(day + seq)) continue;
    const days = day.length === 8 ? [day] : day.length === 7 ? dayCandidates(day, now) : [];
    const seqs = seq.length === 4 ? [seq] : seq.length === 3 ? [`0${seq}`] : [];
    const candidates = days.flatMap((d) => seqs.map((s) => `${l.toUpperCase()}${d}-${s}`)).slice(0, 3);
    if (candidates.length) typos.push({ typed, candidates });
  }
  for (const m of text.matchAll(/(?<![A-Za-z0-9])C([0-9oOlIi]{5,7})(?![A-Za-z0-9])/g)) {
    const [typed, digits] = m as unknown as [string, string];
    if (/^C\d{6}$/.test(typed)) continue;
    const fixed = fixLookalikes(digits);
    const candidates = fixed.length === 6 ? [`C${fixed}`] : fixed.length === 5 ? [`C0${fixed}`] : [];
    if (candidates.length && /^C\d{6}$/.test(candidates[0]!)) typos.push({ typed, candidates });
  }
  for (const m of text.matchAll(/(?<![A-Za-z0-9])ALM([0-9oOlIi]{6,10})(?![A-Za-z0-9])/g)) {
    const [typed, digits] = m as unknown as [string, string];
    if (/^ALM\d+$/.test(typed)) continue;
    typos.push({ typed, candidates: [`ALM${fixLookalikes(digits)}`] });
  }
  return typos;
}
