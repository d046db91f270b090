/**
 * Dates and times as people type them in a request — 明天上午9点到11点, 12月2日 9点-11点, 18点前,
 * tomorrow 9-11, 6pm, 2026-12-02 09:00-11:00 — resolved against the clock to operator-local
 * absolute times ("2026-12-02 09:00"), so a request means the same thing on any day it is sent
 * and the approver reads the real date. Part of the shared lexicon (skills/grammar.ts).
 */
import { OPERATOR_UTC_OFFSET_HOURS } from '../chat/locale.js';

export interface When {
  /** Operator-local day, YYYY-MM-DD. */
  day: string;
  /** HH:mm, or null when only a day was named. */
  start: string | null;
  /** HH:mm of a range's end. */
  end: string | null;
  /** "18点前" / "by 6pm": a deadline, not a start. */
  by: boolean;
  /** Whether the day was named (not taken as today). */
  dayNamed: boolean;
  /** Where the expression is in the text. */
  index: number;
  length: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The operator-local calendar day of an instant, plus `days`. */
export function localDay(now: Date, days = 0): string {
  const d = new Date(now.getTime() + OPERATOR_UTC_OFFSET_HOURS * 3600_000 + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

const localParts = (now: Date) => {
  const d = new Date(now.getTime() + OPERATOR_UTC_OFFSET_HOURS * 3600_000);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), dow: d.getUTCDay() };
};

const validDay = (y: number, m: number, d: number): string | undefined => {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? `${y}-${pad(m)}-${pad(d)}` : undefined;
};

const ZH_DOW: Record<string, number> = { 日: 0, 天: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, '7': 0, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6 };
const EN_DOW = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
export const EN_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

const DAY_SRC = [
  String.raw`(?<ymd>(?<!\d)20\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?)`,
  String.raw`(?<md>(?<![\d/-])\d{1,2}\s*月\s*\d{1,2}\s*[日号]?)`,
  String.raw`(?<rel>大后天|后天|明天|明日|明早|明晚|今天|今日|今早|今晚|day\s+after\s+tomorrow|tomorrow|today|tonight)`,
  String.raw`(?<zhdow>(?:下下|下|这|本)?(?:周|星期|礼拜)[一二三四五六日天1-7])`,
  String.raw`(?<endow>(?:next\s+|this\s+|on\s+)?(?:sunday|monday|tuesday|wednesday|thursday|friday|saturday))`,
].join('|');
const DAY = new RegExp(DAY_SRC, 'gi');

const PART = String.raw`(?:上午|早上|早晨|清晨|中午|下午|傍晚|晚上|夜里|凌晨|morning|afternoon|evening|in\s+the\s+(?:morning|afternoon|evening))`;
// A clock time: 9:30, 9点, 9点半, 9点30分, 9时, 9am, 9 pm; a bare number only where the caller allows it.
const CLOCK = String.raw`(\d{1,2})(?:\s*[:：]\s*(\d{2})|\s*(?:点|時|时)\s*(?:(半)|(\d{1,2})\s*分?)?)?\s*(am|pm|a\.m\.|p\.m\.)?`;
const RANGE_SEP = String.raw`\s*(?:-|~|到|至|—|–|to|until|till|and)\s*`;

function resolveDay(m: RegExpExecArray, now: Date): string | undefined {
  const g = m.groups ?? {};
  const today = localParts(now);
  if (g.ymd) {
    const [y, mo, d] = g.ymd.match(/\d+/g)!.map(Number);
    return validDay(y!, mo!, d!);
  }
  if (g.md) {
    const [mo, d] = g.md.match(/\d+/g)!.map(Number);
    // No year: this year's date, or next year's if it has passed (an appointment is ahead).
    const thisYear = validDay(today.y, mo!, d!);
    if (!thisYear) return undefined;
    return thisYear < localDay(now) ? validDay(today.y + 1, mo!, d!) : thisYear;
  }
  if (g.rel) {
    const r = g.rel.toLowerCase().replace(/\s+/g, ' ');
    const offset = r.startsWith('大后') ? 3 : r.startsWith('后') || r === 'day after tomorrow' ? 2 : /^明|tomorrow/.test(r) ? 1 : 0;
    return localDay(now, offset);
  }
  if (g.zhdow || g.endow) {
    const s = (g.zhdow ?? g.endow)!.toLowerCase();
    const target = g.zhdow ? ZH_DOW[s.slice(-1)]! : EN_DOW.findIndex((d) => s.endsWith(d));
    const weeks = g.zhdow ? (s.startsWith('下下') ? 2 : s.startsWith('下') ? 1 : 0) : s.startsWith('next') ? 1 : 0;
    if (weeks === 0) {
      // "周三" / "wednesday": the next such day (today counts).
      const ahead = (target - today.dow + 7) % 7;
      return localDay(now, ahead);
    }
    // "下周三": the day of next week (weeks start on Monday, as in China).
    const mondayOffset = ((today.dow + 6) % 7) * -1;
    const dayIndex = (target + 6) % 7;
    return localDay(now, mondayOffset + 7 * weeks + dayIndex);
  }
  return undefined;
}

interface Clock {
  h: number;
  m: number;
  ampm: string | undefined;
  marked: boolean;
}

function clockOf(m: RegExpExecArray, at: number): Clock | undefined {
  const h = Number(m[at]);
  const min = m[at + 1] ? Number(m[at + 1]) : m[at + 2] ? 30 : m[at + 3] ? Number(m[at + 3]) : 0;
  const ampm = m[at + 4]?.toLowerCase().replace(/\./g, '');
  const marked = m[at + 1] !== undefined || /[点时時]/.test(m[0]) || ampm !== undefined;
  if (h > 24 || min > 59) return undefined;
  return { h, m: min, ampm, marked };
}

/** 12-hour forms to 24-hour: "下午3点" is 15:00, "9-11" in the afternoon is 21-23. */
function to24(c: Clock, part: string | undefined): string | undefined {
  let h = c.h;
  const pm = c.ampm === 'pm' || (part !== undefined && /下午|傍晚|晚上|夜里|afternoon|evening|晚|tonight/i.test(part));
  const noon = part !== undefined && /中午/.test(part);
  if (pm && h < 12) h += 12;
  if (c.ampm === 'am' && h === 12) h = 0;
  if (noon && h < 6) h += 12;
  if (h > 23) return undefined;
  return `${pad(h)}:${pad(c.m)}`;
}

/**
 * The first date/time expression in a text: a day (named or today), a start, an optional end. A
 * bare hour ("9-11") counts only after a named day or with a part of the day; a lone time needs a
 * clock mark (9:00, 9点, 9am).
 */
export function whenIn(text: string, now: Date): When | undefined {
  const TIME_AT = new RegExp(
    String.raw`^\s*(?:的|,|at\s+|from\s+|between\s+|从)?\s*(${PART})?\s*(?:的)?\s*${CLOCK}(?:${RANGE_SEP}(${PART})?\s*${CLOCK})?\s*(前|之前|以前)?`,
    'i',
  );
  const candidates: { index: number; dayEnd: number; day: string | undefined; dayPart: string | undefined }[] = [];
  for (const m of text.matchAll(DAY)) {
    const day = resolveDay(m as RegExpExecArray, now);
    if (day === undefined) continue;
    const rel = m.groups?.rel ?? '';
    const dayPart = /早/.test(rel) ? '上午' : /晚|tonight/i.test(rel) ? '晚上' : undefined;
    candidates.push({ index: m.index!, dayEnd: m.index! + m[0].length, day, dayPart });
  }
  for (const c of candidates) {
    const rest = text.slice(c.dayEnd);
    const t = TIME_AT.exec(rest);
    if (t) {
      const w = build(t, c.day!, c.dayPart, true);
      if (w) return { ...w, dayNamed: true, index: c.index, length: c.dayEnd - c.index + t[0].length };
    }
    return { day: c.day!, start: null, end: null, by: false, dayNamed: true, index: c.index, length: c.dayEnd - c.index };
  }
  // No day: a marked clock time anywhere ("18点前", "by 6pm", "9:00-11:00") is today's.
  const BY = /\b(?:by|before|until)\s*$/i;
  const ANY = new RegExp(String.raw`(?<![\d:/.-])(${PART})?\s*${CLOCK}(?:${RANGE_SEP}(${PART})?\s*${CLOCK})?\s*(前|之前|以前)?`, 'gi');
  for (const t of text.matchAll(ANY)) {
    const w = build(t as RegExpExecArray, localDay(now), undefined, false);
    if (!w) continue;
    const before = text.slice(0, t.index);
    return { ...w, by: w.by || BY.test(before), dayNamed: false, index: t.index!, length: t[0].length };
  }
  return undefined;
}

function build(t: RegExpExecArray, day: string, dayPart: string | undefined, dayNamed: boolean): Omit<When, 'index' | 'length' | 'dayNamed'> | undefined {
  // Groups: part1, clock1 (5), part2, clock2 (5), before-word.
  const part1 = t[1] ?? dayPart;
  const c1 = clockOf(t, 2);
  if (!c1) return undefined;
  const hasEnd = t[8] !== undefined;
  const c2 = hasEnd ? clockOf(t, 8) : undefined;
  const part2 = t[7] ?? part1;
  if (hasEnd && !c2) return undefined;
  // A bare number is a time only after a named day or a part of the day, or in a range with a mark.
  const marked = c1.marked || Boolean(c2?.marked) || t[1] !== undefined;
  if (!marked && !(dayNamed && hasEnd)) return undefined;
  // "9-11am": the mark of the end applies to the start.
  if (c2 && c2.ampm && !c1.ampm) c1.ampm = c2.ampm === 'pm' && c1.h > c2.h ? 'am' : c2.ampm;
  const start = to24(c1, part1);
  const end = c2 ? to24(c2, part2) : null;
  if (!start || end === undefined) return undefined;
  return { day, start, end, by: t[13] !== undefined };
}

/**
 * A time said without a day for something ahead (an ETA, a visit, a due date): "18点前" typed at
 * 19:00 means tomorrow's 18:00. A time with a named day, or of something past, stays as said.
 */
export function ahead(w: When, now: Date): When {
  if (w.dayNamed || !w.start) return w;
  const nowLocal = new Date(now.getTime() + OPERATOR_UTC_OFFSET_HOURS * 3600_000).toISOString().slice(11, 16);
  return w.day === localDay(now) && w.start <= nowLocal ? { ...w, day: localDay(now, 1) } : w;
}

/** "YYYY-MM-DD HH:mm" of a when (its start), or of its day at a given time. */
export const at = (w: When, time: string | null = w.start): string => (time ? `${w.day} ${time}` : w.day);
