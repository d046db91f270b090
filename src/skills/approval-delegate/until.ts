/**
 * The end of a delegation as people say it, read as operator-local time: a day and time the
 * shared lexicon reads (skills/when.ts: "2026-12-05 18:00", "12月5日18点", "明天", "周五",
 * "tomorrow 6pm", "18:00" — a time alone that has passed today is tomorrow's), or a span from now
 * ("3天", "12小时", "一周", "3 days"). A day without a time runs to the end of that day (23:59).
 */
import { OPERATOR_UTC_OFFSET_HOURS } from '../../chat/locale.js';
import { ahead, whenIn } from '../when.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** "YYYY-MM-DD" + "HH:mm" operator-local as an instant; undefined for a day that does not exist. */
function instant(day: string, time: string): Date | undefined {
  const d = new Date(`${day}T${time}:00.000Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day) return undefined;
  return new Date(d.getTime() - OPERATOR_UTC_OFFSET_HOURS * HOUR_MS);
}

/** The end the text names, or undefined when it names none that can be read. */
export function parseUntil(raw: string, now: Date = new Date()): Date | undefined {
  const text = raw.normalize('NFKC').trim().toLowerCase();
  if (!text) return undefined;
  // A span from now: "3天", "3 days", "12小时", "12 hours", "2周", "一周" / "a week".
  const span = /^(?:for\s+)?(\d{1,3})\s*(天|日|days?|小时|个小时|hours?|周|星期|weeks?)$/.exec(text) ?? (/^(?:for\s+)?(?:一周|一个星期|a week)$/.test(text) ? ['', '7', '天'] : null);
  if (span) {
    const n = Number(span[1]);
    const unit = span[2]!;
    return new Date(now.getTime() + n * (/小时|hour/.test(unit) ? HOUR_MS : /周|星期|week/.test(unit) ? 7 * DAY_MS : DAY_MS));
  }
  const found = whenIn(text, now);
  if (!found) return undefined;
  const w = ahead(found, now);
  return instant(w.day, w.start ?? '23:59');
}
