import { describe, expect, it } from 'vitest';
import { idTyposIn, leftover, normalizeCommand, periodsIn, rawAfter, TICKET, words } from './grammar.js';
import { ahead, whenIn } from './when.js';

// Tuesday 2026-12-01 10:00 in Shanghai (02:00 UTC).
const NOW = new Date('2026-12-01T02:00:00Z');
const when = (text: string, now = NOW) => {
  const w = whenIn(text, now);
  return w && { day: w.day, start: w.start, end: w.end, by: w.by };
};

describe('identifiers as people type them', () => {
  it.each([
    ['查工单 T20261124—0012', '查工单 T20261124-0012'],
    ['查工单 T20261124－0012', '查工单 T20261124-0012'],
    ['查工单 Ｔ２０２６１１２４－００１２', '查工单 T20261124-0012'],
    ['查工单 t2026 1124 0012', '查工单 T20261124-0012'],
    ['查工单 T202611240012', '查工单 T20261124-0012'],
    ['黑名单 138 5710 1234', '黑名单 13857101234'],
    ['黑名单 +86 138-5710-1234', '黑名单 13857101234'],
    ['核验身份 C 000123 110105 19491231 002x', '核验身份 C000123 11010519491231002X'],
    ['确认告警 ALM-900001', '确认告警 ALM900001'],
  ])('%s -> %s', (typed, written) => {
    expect(normalizeCommand(typed)).toBe(written);
  });

  it('keeps the free text after an id as typed (full-width punctuation included)', () => {
    expect(rawAfter('工单备注 Ｔ２０２６１１２４－００１２ 用户说：好的，谢谢', TICKET)).toBe('用户说：好的，谢谢');
    expect(rawAfter('工单备注 T2026 1124-0012 已处理', TICKET)).toBe('已处理');
  });

  it('names mistyped ids with what they most likely were, and leaves good ids alone', () => {
    expect(idTyposIn('查工单 T2O261124-0012', NOW)).toEqual([{ typed: 'T2O261124-0012', candidates: ['T20261124-0012'] }]);
    expect(idTyposIn('查客户 C00O123', NOW)).toEqual([{ typed: 'C00O123', candidates: ['C000123'] }]);
    // A digit missing from the date: real dates, none in the future, newest first.
    const missing = idTyposIn('查工单 T2026112-0012', NOW)[0]!.candidates;
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.every((c) => /^T2026\d{4}-0012$/.test(c) && c.slice(1, 9) <= '20261201')).toBe(true);
    expect(idTyposIn('查工单 T20261124-0012 C000123', NOW)).toEqual([]);
  });
});

describe('dates and times, made absolute in operator-local time', () => {
  it.each([
    ['明天上午9点到11点', { day: '2026-12-02', start: '09:00', end: '11:00', by: false }],
    ['明天9-11点', { day: '2026-12-02', start: '09:00', end: '11:00', by: false }],
    ['后天下午2点到4点', { day: '2026-12-03', start: '14:00', end: '16:00', by: false }],
    ['明晚8点', { day: '2026-12-02', start: '20:00', end: null, by: false }],
    ['今天18点前', { day: '2026-12-01', start: '18:00', end: null, by: true }],
    ['18点前修好', { day: '2026-12-01', start: '18:00', end: null, by: true }],
    ['9点半', { day: '2026-12-01', start: '09:30', end: null, by: false }],
    ['周五上午9点-11点', { day: '2026-12-04', start: '09:00', end: '11:00', by: false }],
    ['周二 10:00', { day: '2026-12-01', start: '10:00', end: null, by: false }],
    ['下周三 14:00-16:00', { day: '2026-12-09', start: '14:00', end: '16:00', by: false }],
    ['12月2日 9点-11点', { day: '2026-12-02', start: '09:00', end: '11:00', by: false }],
    ['1月5日', { day: '2027-01-05', start: null, end: null, by: false }],
    ['2026年12月2日 9:00~11:00', { day: '2026-12-02', start: '09:00', end: '11:00', by: false }],
    ['tomorrow 9-11am', { day: '2026-12-02', start: '09:00', end: '11:00', by: false }],
    ['tomorrow 2pm-4pm', { day: '2026-12-02', start: '14:00', end: '16:00', by: false }],
    ['next monday 09:00 to 11:00', { day: '2026-12-07', start: '09:00', end: '11:00', by: false }],
    ['fixed by 6pm', { day: '2026-12-01', start: '18:00', end: null, by: true }],
  ])('%s', (text, expected) => {
    expect(when(text)).toEqual(expected);
  });

  it('puts a time said without a day for something ahead on the next day once it has passed', () => {
    const evening = new Date('2026-12-01T11:00:00Z'); // 19:00 in Shanghai
    expect(ahead(whenIn('18点前', evening)!, evening)).toMatchObject({ day: '2026-12-02', start: '18:00' });
    expect(ahead(whenIn('20点前', evening)!, evening)).toMatchObject({ day: '2026-12-01', start: '20:00' });
    expect(ahead(whenIn('今天18点', evening)!, evening)).toMatchObject({ day: '2026-12-01' });
  });

  it('takes no plain number for a time, and no day from an id', () => {
    expect(when('OLT-HZ-01 0/1/3')).toBeUndefined();
    expect(when('T20261124-0012 13857101234')).toBeUndefined();
    expect(when('杭州市西湖区文三路 400 号')).toBeUndefined();
  });

  it('reads a day in operator-local time: 23:30 UTC on Nov 30 is already Dec 1 in Shanghai', () => {
    expect(when('明天 9:00', new Date('2026-11-30T23:30:00Z'))).toMatchObject({ day: '2026-12-02' });
  });

  it('reads periods: a month without a year is the latest such month, 上个月 / last month', () => {
    expect(periodsIn('10月', NOW).periods).toEqual(['2026-10']);
    expect(periodsIn('12月', NOW).periods).toEqual(['2026-12']);
    expect(periodsIn('上个月', NOW).periods).toEqual(['2026-11']);
    expect(periodsIn('last month', new Date('2027-01-10T02:00:00Z')).periods).toEqual(['2026-12']);
    expect(periodsIn('October 2025', NOW).periods).toEqual(['2025-10']);
    expect(periodsIn('2026-09 2026/11', NOW).periods).toEqual(['2026-09', '2026-11']);
    expect(periodsIn('2026-13', NOW).bad).toBe(true);
  });
});

describe('the whole message', () => {
  const own = words('查工单', '工单', 'ticket', '状态', 'status');
  it('is a command when only ids, dates, the rule\'s words and filler are in it', () => {
    expect(leftover('请帮我查一下工单 T20261124-0012 的状态，谢谢', own, NOW)).toBe('');
    expect(leftover('what is the status of ticket T20261124-0012?', own, NOW)).toBe('');
  });
  it('keeps what is more than that', () => {
    expect(leftover('工单T20261124-0012的客户昨天投诉了', own, NOW)).not.toBe('');
    expect(leftover('ticket T20261124-0012 customer wants a refund', own, NOW)).not.toBe('');
  });
});

describe('dictated forms', () => {
  it.each([
    ['查端口 OLT HZ 01 0/1/3', '查端口 OLT-HZ-01 0/1/3'],
    ['查端口 olt_hz01 0框1槽3口', '查端口 OLT-HZ-01 0/1/3'],
    ['明天上午九点到十一点', '明天上午9点到11点'],
    ['下午两点半', '下午2点半'],
    ['今天十八点前', '今天18点前'],
    ['下午一点到三点', '下午1点到3点'],
    ['九点三十分', '9点30分'],
    ['快一点查', '快一点查'],
    ['晚上二十一点', '晚上21点'],
    ['二十点', '20点'],
  ])('%s -> %s', (typed, written) => {
    expect(normalizeCommand(typed)).toBe(written);
  });
});
