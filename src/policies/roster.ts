/**
 * On-duty rosters: weekly windows in a time zone. Written by operators as text ("mon-fri
 * 09:00-18:00; sat 10:00-14:00", "always") in the directory file, stored structured. Pure: the
 * caller passes the time, so escalation ("the next person on the roster") is testable.
 */
import type { DutyWindow, Principal, Roster, Weekday } from './principals.js';

export const DEFAULT_ROSTER_TIMEZONE = 'Asia/Shanghai';
const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const WEEK_MINUTES = 7 * 24 * 60;

/** Windows separated by ";" (days by ","); "" / "none" is no roster (null); throws a readable Error. */
export function parseRoster(text: string, timezone: string = DEFAULT_ROSTER_TIMEZONE): Roster | null {
  if (!isTimeZone(timezone)) throw new Error(`unknown time zone "${timezone}" (an IANA name such as Asia/Shanghai)`);
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'none') return null;
  if (t === 'always') return { timezone, windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }] };
  const windows = t.split(/\s*;\s*/).filter(Boolean).map(parseWindow);
  return { timezone, windows };
}

function parseWindow(part: string): DutyWindow {
  const m = /^([a-z,\-\s]+?)\s+(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$/.exec(part);
  if (!m) throw new Error(`"${part}": expected days and hours, e.g. "mon-fri 09:00-18:00"`);
  const days = parseDays(m[1]!, part);
  const from = m[2]!;
  const to = m[3]!;
  if (minutesOf(from) === undefined || minutesOf(from) === 24 * 60) throw new Error(`"${part}": ${from} is not a time of day`);
  if (minutesOf(to) === undefined) throw new Error(`"${part}": ${to} is not a time of day`);
  if (from === to) throw new Error(`"${part}": the window is empty (from equals to)`);
  return { days, from, to };
}

function parseDays(text: string, part: string): Weekday[] {
  const out = new Set<Weekday>();
  for (const range of text.split(/\s*,\s*/)) {
    const [a, b] = range.split(/\s*-\s*/);
    const start = dayIndex(a ?? '');
    const end = b === undefined ? start : dayIndex(b);
    if (start === undefined || end === undefined) throw new Error(`"${part}": unknown day in "${range}" (mon tue wed thu fri sat sun)`);
    // mon-fri, and also fri-mon (wrapping over the weekend).
    for (let d = start; ; d = (d % 7) + 1) {
      out.add(d as Weekday);
      if (d === end) break;
    }
  }
  return [...out].sort((x, y) => x - y);
}

function dayIndex(name: string): number | undefined {
  const i = DAY_NAMES.indexOf(name.trim().slice(0, 3) as (typeof DAY_NAMES)[number]);
  return i < 0 ? undefined : i + 1;
}

/** HH:MM to minutes after midnight (24:00 allowed as the end of the day). */
function minutesOf(hhmm: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return undefined;
  return h * 60 + min;
}

/** The roster as an operator writes it (what `directory list` shows). */
export function formatRoster(r: Roster | null | undefined): string {
  if (!r || r.windows.length === 0) return '';
  const text = r.windows
    .map((w) => {
      if (w.days.length === 7 && w.from === '00:00' && w.to === '24:00') return 'always';
      return `${formatDays(w.days)} ${w.from}-${w.to}`;
    })
    .join('; ');
  return r.timezone === DEFAULT_ROSTER_TIMEZONE ? text : `${text} (${r.timezone})`;
}

function formatDays(days: readonly Weekday[]): string {
  const sorted = [...days].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const a = DAY_NAMES[sorted[i]! - 1]!;
    const b = DAY_NAMES[sorted[j]! - 1]!;
    runs.push(i === j ? a : `${a}-${b}`);
    i = j + 1;
  }
  return runs.join(',');
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since Monday 00:00 in the roster's zone. */
function minuteOfWeek(at: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = dayIndex(get('weekday').toLowerCase())!;
  return (day - 1) * 1440 + Number(get('hour')) * 60 + Number(get('minute'));
}

/** The windows as [start, end) minute-of-week intervals (an overnight or Sunday-night window wraps). */
function intervals(r: Roster): [number, number][] {
  const out: [number, number][] = [];
  for (const w of r.windows) {
    const from = minutesOf(w.from)!;
    let to = minutesOf(w.to)!;
    if (to <= from) to += 1440;
    for (const d of w.days) out.push([(d - 1) * 1440 + from, (d - 1) * 1440 + to]);
  }
  return out;
}

/** Whether the roster has this person on duty at `at`. No roster: never. */
export function onDutyAt(r: Roster | null | undefined, at: Date): boolean {
  if (!r) return false;
  const now = minuteOfWeek(at, r.timezone);
  return intervals(r).some(([s, e]) => (now >= s && now < e) || (now + WEEK_MINUTES >= s && now + WEEK_MINUTES < e));
}

/**
 * Minutes until the roster next puts this person on duty (0 when on duty now); undefined with no
 * roster. Counted in the zone's current UTC offset (a DST change within the week shifts it by an hour).
 */
export function minutesUntilOnDuty(r: Roster | null | undefined, at: Date): number | undefined {
  if (!r || r.windows.length === 0) return undefined;
  if (onDutyAt(r, at)) return 0;
  const now = minuteOfWeek(at, r.timezone);
  return Math.min(...intervals(r).map(([s]) => (((s - now) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES));
}

/**
 * The next person on the roster among candidates: someone on duty now, else whoever comes on
 * duty soonest; ties keep the candidates' order. People on no roster come last, in order, so an
 * escalation always has someone when there are candidates at all.
 */
export function nextOnRoster<P extends Pick<Principal, 'onDuty'>>(candidates: readonly P[], at: Date): P | undefined {
  let best: { p: P; wait: number } | undefined;
  for (const p of candidates) {
    const wait = minutesUntilOnDuty(p.onDuty, at) ?? Number.POSITIVE_INFINITY;
    if (!best || wait < best.wait) best = { p, wait };
  }
  return best?.p;
}
