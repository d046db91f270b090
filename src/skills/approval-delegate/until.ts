/**
 * The end of a delegation as people say it, read as operator-local time (UTC+8): "2026-12-05
 * 18:00", "12月5日", "12月5日18点", "明天", "后天下午6点", "周五", "3天", "tomorrow 18:00",
 * "friday", "3 days". A day without a time runs to the end of that day (23:59).
 */
const OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

interface LocalDay {
  y: number;
  m: number;
  d: number;
}

function localDayOf(now: Date): LocalDay {
  const l = new Date(now.getTime() + OFFSET_MS);
  return { y: l.getUTCFullYear(), m: l.getUTCMonth() + 1, d: l.getUTCDate() };
}

function instant(day: LocalDay, hour: number, minute: number): Date | undefined {
  if (day.m < 1 || day.m > 12 || day.d < 1 || day.d > 31 || hour > 23 || minute > 59) return undefined;
  const utc = Date.UTC(day.y, day.m - 1, day.d, hour, minute) - OFFSET_MS;
  const check = new Date(utc + OFFSET_MS);
  // 2月30日 is not a day.
  if (check.getUTCDate() !== day.d) return undefined;
  return new Date(utc);
}

function addDays(day: LocalDay, n: number): LocalDay {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d) + n * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

const WEEKDAYS_ZH = '日一二三四五六';
const WEEKDAYS_EN = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** "18:00", "18点", "18点30", "6点半", "下午6点", "晚上8点", "6pm", "6:30 pm": hour and minute, or undefined. */
function timeIn(text: string): { hour: number; minute: number } | undefined {
  const zh = /(上午|早上|中午|下午|傍晚|晚上)?\s*(\d{1,2})\s*(?::\s*(\d{2})|[点时]\s*(?:(\d{1,2})\s*分?|(半))?)\s*(am|pm)?/i.exec(text);
  const en = zh ? null : /(?<![\d:])(\d{1,2})\s*(am|pm)\b/i.exec(text);
  if (!zh && !en) return undefined;
  let hour = Number(zh ? zh[2] : en![1]);
  const minute = zh ? (zh[3] ? Number(zh[3]) : zh[4] ? Number(zh[4]) : zh[5] ? 30 : 0) : 0;
  const part = zh?.[1] ?? '';
  const ampm = ((zh ? zh[6] : en![2]) ?? '').toLowerCase();
  if ((/下午|傍晚|晚上/.test(part) || ampm === 'pm') && hour < 12) hour += 12;
  if (part === '中午' && hour < 11) hour += 12;
  if (ampm === 'am' && hour === 12) hour = 0;
  return { hour, minute };
}

/** The end the text names, or undefined when it names none that can be read. */
export function parseUntil(raw: string, now: Date = new Date()): Date | undefined {
  const text = raw.normalize('NFKC').trim().toLowerCase();
  if (!text) return undefined;
  const today = localDayOf(now);
  // A span: "3天", "3 days", "12小时", "12 hours", "一周" / "a week".
  const span = /(\d{1,3})\s*(天|日|days?|小时|个小时|hours?|周|weeks?)/.exec(text) ?? (/(一周|一个星期|a week)/.test(text) ? ['', '7', 'days'] : null);
  if (span && !/\d{1,2}\s*月|\d{4}-/.test(text)) {
    const n = Number(span[1]);
    const unit = span[2]!;
    const ms = /小时|hour/.test(unit) ? n * 3600_000 : /周|week/.test(unit) ? n * 7 * DAY_MS : n * DAY_MS;
    return new Date(now.getTime() + ms);
  }
  let day: LocalDay | undefined;
  let rest = text;
  const iso = /(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?/.exec(text);
  const md = /(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?/.exec(text) ?? /(?<![\d:])(\d{1,2})[-/](\d{1,2})(?![\d/:-])/.exec(text);
  if (iso) {
    day = { y: Number(iso[1]), m: Number(iso[2]), d: Number(iso[3]) };
    rest = text.replace(iso[0], ' ');
  } else if (md) {
    day = { y: today.y, m: Number(md[1]), d: Number(md[2]) };
    // "12月5日" said in late December means next year's.
    const candidate = instant(day, 23, 59);
    if (candidate && candidate.getTime() < now.getTime()) day = { ...day, y: today.y + 1 };
    rest = text.replace(md[0], ' ');
  } else if (/今天|今晚|today|tonight/.test(text)) day = today;
  else if (/大后天/.test(text)) day = addDays(today, 3);
  else if (/后天|day after tomorrow/.test(text)) day = addDays(today, 2);
  else if (/明天|明晚|明早|tomorrow/.test(text)) day = addDays(today, 1);
  else {
    const zh = /(下周|下星期|下礼拜|周|星期|礼拜)([一二三四五六日天])/.exec(text);
    const en = WEEKDAYS_EN.findIndex((w) => new RegExp(`\\b${w}\\b`).test(text));
    const wd = zh ? WEEKDAYS_ZH.indexOf(zh[2]!.replace('天', '日')) : en;
    if (wd >= 0) {
      const todayWd = new Date(Date.UTC(today.y, today.m - 1, today.d)).getUTCDay();
      const nextWeek = zh ? zh[1]!.startsWith('下') : /next\s+[a-z]+day/.test(text);
      // Monday-based: "下周五" is Friday of the week after this one; "周五" the coming Friday (today counts).
      const mon = (d: number) => (d + 6) % 7;
      const ahead = nextWeek ? 7 - mon(todayWd) + mon(wd) : (wd - todayWd + 7) % 7;
      day = addDays(today, ahead);
    }
  }
  const time = timeIn(rest);
  if (!day) {
    // Only a time: today's, or tomorrow's when it has passed.
    if (!time) return undefined;
    const at = instant(today, time.hour, time.minute);
    return at && at.getTime() <= now.getTime() ? instant(addDays(today, 1), time.hour, time.minute) : at;
  }
  return time ? instant(day, time.hour, time.minute) : instant(day, 23, 59);
}
