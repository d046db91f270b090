import { describe, expect, it } from 'vitest';
import { fakeTools, replyOf, run } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import type { DelegationStart, DelegationView } from '../../policies/delegation-rules.js';
import { parseUntil } from './until.js';

// Tuesday 2026-12-01 10:00 in Shanghai.
const now = new Date('2026-12-01T02:00:00Z');
const local = (d: Date | undefined) => (d ? new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : undefined);

describe('the end of a delegation, as people say it (operator-local time)', () => {
  it.each([
    ['2026-12-05 18:00', '2026-12-05 18:00'],
    ['2026/12/5', '2026-12-05 23:59'],
    ['12月5日', '2026-12-05 23:59'],
    ['12月5日18点', '2026-12-05 18:00'],
    ['12月5号下午6点半', '2026-12-05 18:30'],
    ['明天', '2026-12-02 23:59'],
    ['明天18点', '2026-12-02 18:00'],
    ['后天上午9点', '2026-12-03 09:00'],
    ['周五', '2026-12-04 23:59'],
    ['星期五 18:00', '2026-12-04 18:00'],
    ['下周一', '2026-12-07 23:59'],
    ['3天', '2026-12-04 10:00'],
    ['12小时', '2026-12-01 22:00'],
    ['一周', '2026-12-08 10:00'],
    ['tomorrow 18:00', '2026-12-02 18:00'],
    ['tomorrow 6pm', '2026-12-02 18:00'],
    ['friday', '2026-12-04 23:59'],
    ['next monday', '2026-12-07 23:59'],
    ['3 days', '2026-12-04 10:00'],
    ['day after tomorrow', '2026-12-03 23:59'],
    ['18:00', '2026-12-01 18:00'],
    ['9点', '2026-12-02 09:00'],
    ['1月3日', '2027-01-03 23:59'],
  ])('%s → %s', (text, expected) => {
    expect(local(parseUntil(text, now))).toBe(expected);
  });

  it('reads nothing from words that name no time, or an impossible day', () => {
    for (const text of ['', '永远', 'forever', '2月30日', '25点', '13月1日']) expect(parseUntil(text, now), text).toBeUndefined();
  });
});

describe('command planner: delegation', () => {
  it.each([
    ['委托审批给 grace 到明天18点', 'zh', 'grace'],
    ['委托审批给grace到明天18点', 'zh', 'grace'],
    ['请把审批委托给 grace 直到周五', 'zh', 'grace'],
    ['委托 grace 代我审批到 2026-12-05 18:00', 'zh', 'grace'],
    ['我要委托给张伟审批至12月5日', 'zh', '张伟'],
    ['授权 dave 审批 3天', 'zh', 'dave'],
    ['委托 grace，到下周一', 'zh', 'grace'],
    ['delegate approvals to grace until tomorrow 18:00', 'en', 'grace'],
    ['Delegate my approvals to grace until Friday', 'en', 'grace'],
    ['delegate to grace for 3 days', 'en', 'grace'],
    ['please delegate approvals to li.wei until 2026-12-05 18:00', 'en', 'li.wei'],
    ['hand over approvals to grace until next monday', 'en', 'grace'],
  ])('%s → start, %s, delegate %s', (text, lang, delegate) => {
    expect(parseCommand(text)).toMatchObject({ flow: 'approval.delegate', lang, action: 'start', delegate, until: expect.any(String) });
  });

  it.each([
    ['取消委托', 'zh', 'end'],
    ['结束审批委托。', 'zh', 'end'],
    ['收回委托', 'zh', 'end'],
    ['end delegation', 'en', 'end'],
    ['cancel my delegation', 'en', 'end'],
    ['stop delegating', 'en', 'end'],
    ['我的委托', 'zh', 'show'],
    ['委托情况', 'zh', 'show'],
    ['my delegation', 'en', 'show'],
    ['who approves for me?', 'en', 'show'],
  ])('%s → %s %s', (text, lang, action) => {
    expect(parseCommand(text)).toEqual({ flow: 'approval.delegate', lang, action });
  });

  it('asks whom and until when, and never reads a longer message as the command', () => {
    expect(parseCommand('委托审批')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('委托给谁') });
    expect(parseCommand('delegate')).toMatchObject({ flow: 'clarify', lang: 'en', question: expect.stringContaining('Whom') });
    expect(parseCommand('委托审批给 grace')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('到什么时候') });
    expect(parseCommand('delegate approvals to grace until forever')).toMatchObject({ flow: 'clarify', lang: 'en', question: expect.stringContaining('Until when') });
    expect(parseCommand('取消委托后提醒我查工单 T20261124-0012')).not.toMatchObject({ flow: 'approval.delegate' });
  });
});

describe('the delegation flow answers for the verified sender', () => {
  const view: DelegationView = { delegate: { id: 'grace', name: 'Grace' }, until: new Date('2026-12-04T10:00:00Z') };
  const desk = (start: DelegationStart, current: DelegationView | null = view, ended = true) => {
    const seen: unknown[] = [];
    return {
      seen,
      delegation: {
        start: async (d: string, u: Date | undefined) => (seen.push([d, u?.toISOString()]), start),
        end: async () => ended,
        current: async () => current,
      },
    };
  };

  it('starts one, saying until when in operator time and how many waiting requests the delegate got', async () => {
    const d = desk({ ok: true, delegation: view, pendingShared: 2 });
    const { tools } = fakeTools({}, { delegation: d.delegation });
    const text = replyOf(await run('委托审批给 grace 到 2026-12-04 18:00', tools));
    expect(text).toContain('已委托 Grace 代你审批，至 2026-12-04 18:00');
    expect(text).toContain('2 个申请也已交由 Grace 审批');
    expect(d.seen).toEqual([['grace', '2026-12-04T10:00:00.000Z']]);
    expect(replyOf(await run('delegate approvals to grace until 2026-12-04 18:00', tools))).toContain('Grace now approves for you until 2026-12-04 18:00');
  });

  it('says why a delegation was refused, in the language of the request', async () => {
    const { tools } = fakeTools({}, { delegation: desk({ ok: false, refusal: 'not_approver' }).delegation });
    expect(replyOf(await run('委托审批给 grace 到明天', tools))).toBe('只有审批人（如主管）可以委托审批。');
    expect(replyOf(await run('delegate approvals to grace until tomorrow', tools))).toBe('Only approvers (such as managers) can delegate approvals.');
  });

  it('ends and shows one, and says when there is none', async () => {
    const { tools } = fakeTools({}, { delegation: desk({ ok: false, refusal: 'self' }, null, false).delegation });
    expect(replyOf(await run('取消委托', tools))).toBe('你当前没有生效的委托。');
    expect(replyOf(await run('my delegation', tools))).toBe('You have no delegation in force.');
    const on = fakeTools({}, { delegation: desk({ ok: false, refusal: 'self' }).delegation }).tools;
    expect(replyOf(await run('end delegation', on))).toBe('Delegation ended: new requests come to you alone.');
    expect(replyOf(await run('我的委托', on))).toContain('Grace 代你审批，至 2026-12-04 18:00');
  });

  it('says so where no desk is wired, rather than pretending', async () => {
    expect(replyOf(await run('委托审批给 grace 到明天', fakeTools({}).tools))).toBe('此渠道暂不支持委托审批。');
  });
});
