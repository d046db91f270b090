import { describe, expect, it } from 'vitest';
import { formatRoster, minutesUntilOnDuty, nextOnRoster, onDutyAt, parseRoster } from './roster.js';

// 2026-12-07 is a Monday. Asia/Shanghai is UTC+8 all year.
const shanghai = (isoLocal: string) => new Date(`${isoLocal}+08:00`);

describe('rosters', () => {
  it('parses and formats weekly windows', () => {
    const r = parseRoster('Mon-Fri 09:00-18:00; sat 10:00-14:00');
    expect(formatRoster(r)).toBe('mon-fri 09:00-18:00; sat 10:00-14:00');
    expect(formatRoster(parseRoster('always'))).toBe('always');
    expect(formatRoster(parseRoster('mon,wed,fri 08:00-12:00', 'Europe/Berlin'))).toBe('mon,wed,fri 08:00-12:00 (Europe/Berlin)');
    expect(parseRoster('')).toBeNull();
    expect(() => parseRoster('mon-fri 9-18')).toThrow(/expected days and hours/);
    expect(() => parseRoster('moon 09:00-10:00')).toThrow(/unknown day/);
    expect(() => parseRoster('mon 25:00-26:00')).toThrow(/not a time of day/);
    expect(() => parseRoster('mon 09:00-09:00')).toThrow(/empty/);
    expect(() => parseRoster('mon 09:00-10:00', 'Mars/Olympus')).toThrow(/unknown time zone/);
  });

  it('says who is on duty, overnight and over the week end included', () => {
    const office = parseRoster('mon-fri 09:00-18:00');
    expect(onDutyAt(office, shanghai('2026-12-07T09:00:00'))).toBe(true);
    expect(onDutyAt(office, shanghai('2026-12-07T18:00:00'))).toBe(false);
    expect(onDutyAt(office, shanghai('2026-12-12T10:00:00'))).toBe(false);
    const nights = parseRoster('sun 22:00-06:00');
    expect(onDutyAt(nights, shanghai('2026-12-13T23:00:00'))).toBe(true);
    expect(onDutyAt(nights, shanghai('2026-12-14T05:59:00'))).toBe(true);
    expect(onDutyAt(nights, shanghai('2026-12-14T06:00:00'))).toBe(false);
    expect(onDutyAt(null, new Date())).toBe(false);
    expect(minutesUntilOnDuty(office, shanghai('2026-12-12T09:00:00'))).toBe(2 * 24 * 60);
  });

  it('picks the next person on the roster: on duty now, else soonest, people without a roster last', () => {
    const early = { id: 'early', onDuty: parseRoster('mon-fri 07:00-15:00') };
    const late = { id: 'late', onDuty: parseRoster('mon-fri 14:00-22:00') };
    const none = { id: 'none', onDuty: null };
    expect(nextOnRoster([none, late, early], shanghai('2026-12-07T08:00:00'))?.id).toBe('early');
    expect(nextOnRoster([none, early, late], shanghai('2026-12-07T16:00:00'))?.id).toBe('late');
    expect(nextOnRoster([none, early, late], shanghai('2026-12-07T23:00:00'))?.id).toBe('early');
    expect(nextOnRoster([none], new Date())?.id).toBe('none');
    expect(nextOnRoster([], new Date())).toBeUndefined();
  });
});
