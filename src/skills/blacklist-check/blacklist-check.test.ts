import { describe, expect, it } from 'vitest';
import { fakeTools, replyOf, run } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner: identity, risk, bills, eligibility (reads)', () => {
  it.each([
    ['黑名单 13857101234', 'zh', '13857101234', null],
    ['查风险 330106198503121231', 'zh', null, '330106198503121231'],
    ['blacklist check +86 138-5710-1234', 'en', '13857101234', null],
    ['黑名单　１３８５７１０１２３４', 'zh', '13857101234', null],
  ])('reads a blacklist check: %s', (text, lang, mobile, residentId) => {
    expect(parseCommand(text)).toEqual({ flow: 'blacklist.check', lang, mobile, residentId });
  });

  it('asks whom to check for risk', () => {
    expect(parseCommand('黑名单')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('手机号或身份证号') });
    expect(parseCommand('blacklist check')).toMatchObject({ flow: 'clarify', lang: 'en' });
  });
});

describe('read flows', () => {
  it('blacklist: hits with list, source and date; a clean number says so', async () => {
    const hits = [{ list: 'fraud', subject: 'mobile', value: '138****1234', reason: '涉诈投诉', since: '2026-03-01', source: 'MIIT' }];
    const { tools } = fakeTools({ 'risk.checkBlacklist': (i) => ({ listed: i.mobile === '13857101234', riskLevel: i.mobile === '13857101234' ? 'high' : 'low', hits: i.mobile === '13857101234' ? hits : [], checkedAt: '2026-11-24 10:00' }) });
    const listed = replyOf(await run('黑名单 13857101234', tools));
    expect(listed).toContain('涉诈名单');
    expect(listed).toContain('风险等级 高');
    expect(listed).toContain('MIIT');
    expect(listed).not.toContain('13857101234');
    expect(replyOf(await run('blacklist check 13957102345', tools))).toMatch(/on no list, risk low/);
  });
});

describe('everyday phrasings', () => everydayPhrasings('blacklist.check'));
