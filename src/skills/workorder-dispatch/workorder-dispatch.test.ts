import { describe, expect, it } from 'vitest';
import { fakeTools, proposalOf, run, ticket } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner: writes', () => {
  it.each([
    ['派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00', 'zh', '杭州装维一组', null, null],
    ['派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00 带光功率计', 'zh', '杭州装维一组', null, '带光功率计'],
    ['dispatch T20261124-0012 to 杭州装维一组 P2 2026-11-25 09:00-11:00', 'en', '杭州装维一组', null, null],
    ['dispatch T20261124-0012 to Zhang Wei P2 2026-11-25 09:00-11:00', 'en', null, 'Zhang Wei', null],
    ['派单 T20261124-0012 给 工程师 李强 P2 2026/11/25 9:00~11:00', 'zh', null, '李强', null],
    ['派单　Ｔ２０２６１１２４－００１２　杭州装维一组　Ｐ２　２０２６－１１－２５　０９：００－１１：００', 'zh', '杭州装维一组', null, null],
  ])('reads a dispatch: %s', (text, lang, team, engineer, note) => {
    expect(parseCommand(text)).toEqual({
      flow: 'workorder.dispatch',
      lang,
      ticketId: 'T20261124-0012',
      team,
      engineer,
      priority: 'P2',
      start: '2026-11-25 09:00',
      end: '2026-11-25 11:00',
      note,
    });
  });

  it.each([
    ['派单', '工单号'],
    ['派单 T20261124-0012 P2 2026-11-25 09:00-11:00', '班组或工程师'],
    ['派单 T20261124-0012 杭州装维一组 2026-11-25 09:00-11:00', '优先级'],
    ['派单 T20261124-0012 杭州装维一组 P2', '预约日期和时段'],
    ['派单 T20261124-0012 杭州装维一组 P2 2026-11-25', '预约日期和时段'],
    ['派单 T20261124-0012 杭州装维一组 P2 2026-11-25 11:00-09:00', '结束时间'],
    ['派单 T20261124-0012 杭州装维一组 P5 2026-11-25 09:00-11:00', '优先级'],
  ])('asks for what a dispatch lacks: %s', (text, asked) => {
    expect(parseCommand(text)).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining(asked) });
  });
});

/** The operator-local clock the guard checks a window against: the day before the windows asked for. */
const beforeWindows = () => new Date('2026-11-24T12:00:00+08:00');
const noWorkOrders = () => ({ ticketId: 'T20261124-0012', workOrders: [] });

describe('write flows propose, with what the approver saw as expected', () => {
  it('dispatch reads the ticket status first', async () => {
    const { tools, calls } = fakeTools({ 'ticket.get': () => ticket({ status: 'pending_dispatch' }), 'workorder.list': noWorkOrders }, { now: beforeWindows });
    const p = proposalOf(await run('派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00 带光功率计', tools));
    expect(calls.map((c) => c.tool)).toEqual(['ticket.get', 'workorder.list']);
    expect(p.card).toMatchObject({ title: { zh: '派单 T20261124-0012 → 杭州装维一组', en: 'Dispatch T20261124-0012 to 杭州装维一组' }, action: { zh: '派单', en: 'Dispatch work order' } });
    expect(p).toMatchObject({
      tool: 'workorder.dispatch',
      title: '派单 T20261124-0012 → 杭州装维一组',
      input: {
        ticketId: 'T20261124-0012',
        type: 'repair',
        team: '杭州装维一组',
        priority: 'P2',
        window: { start: '2026-11-25 09:00', end: '2026-11-25 11:00' },
        note: '带光功率计',
        expected: { ticketStatus: 'pending_dispatch' },
      },
    });
    const en = proposalOf(await run('dispatch T20261124-0012 to Zhang Wei P1 2026-11-25 14:00-16:00', tools));
    expect(en.title).toBe('Dispatch T20261124-0012 to Zhang Wei');
    expect(en.input).toMatchObject({ engineer: 'Zhang Wei', priority: 'P1' });
    expect(en.input).not.toHaveProperty('team');
  });
});

describe('everyday phrasings', () => everydayPhrasings('workorder.dispatch'));

describe('a dispatch certain to fail gets no card (issue 13)', () => {
  it.each([
    // The README's example window, asked for after it started (the operator-local clock).
    ['派单 T20261124-0012 杭州装维一组 P2 2026-11-24 09:00-11:00', 'window_started', ['预约开始时间已过', '2026-11-24 09:00', '现在是 2026-11-24 12:00', '未提交审批']],
    ['dispatch T20261124-0012 to 杭州装维一组 P2 2026-11-24 11:30-13:00', 'window_started', ['appointment window has already started', 'it is now 2026-11-24 12:00']],
    ['派单 T20261124-0012 杭州装维一组 P2 2026-11-25 08:00-18:00', 'window_too_long', ['不能超过 8 小时']],
    ['dispatch T20261124-0012 to Zhang Wei P2 2026-11-25 08:00-17:00', 'window_too_long', ['at most 8 hours']],
  ])('%s', async (text, reason, says) => {
    const { tools, calls } = fakeTools({ 'ticket.get': () => ticket(), 'workorder.list': noWorkOrders }, { now: beforeWindows });
    const r = await run(text, tools);
    expect(r).toMatchObject({ kind: 'reply', status: 'business_error', refused: { tool: 'workorder.dispatch', reason } });
    for (const s of says) expect(r.kind === 'reply' && r.text).toContain(s);
    // Known from the clock: the ticket system is not even asked.
    expect(calls).toHaveLength(0);
  });

  it('a closed ticket is answered, in the request\'s language', async () => {
    const { tools } = fakeTools({ 'ticket.get': () => ticket({ status: 'closed' }), 'workorder.list': noWorkOrders }, { now: beforeWindows });
    expect(await run('派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00', tools)).toMatchObject({ status: 'business_error', text: expect.stringContaining('已关闭，不能派单') });
    expect(await run('dispatch T20261124-0012 to 杭州装维一组 P2 2026-11-25 09:00-11:00', tools)).toMatchObject({ status: 'business_error', text: expect.stringContaining('is closed') });
  });

  it('a ticket with an open work order is still proposed, with the work order named for the approver', async () => {
    const open = { id: 'W20261124-0001', status: 'dispatched', team: '杭州装维一组', engineer: null, appointmentStart: '2026-11-25 09:00', appointmentEnd: '2026-11-25 11:00' };
    const done = { ...open, id: 'W20261120-0003', status: 'done' };
    const { tools } = fakeTools({ 'ticket.get': () => ticket(), 'workorder.list': () => ({ ticketId: 'T20261124-0012', workOrders: [open, done] }) }, { now: beforeWindows });
    const zh = proposalOf(await run('派单 T20261124-0012 杭州装维一组 P2 2026-11-25 14:00-16:00', tools));
    expect(zh.warnings).toEqual(['该工单已有未完成的派工单 W20261124-0001（dispatched，杭州装维一组，2026-11-25 09:00 – 2026-11-25 11:00）']);
    const en = proposalOf(await run('dispatch T20261124-0012 to Zhang Wei P2 2026-11-25 14:00-16:00', tools));
    expect(en.warnings).toEqual(['the ticket already has an open work order W20261124-0001 (dispatched, 杭州装维一组, 2026-11-25 09:00 – 2026-11-25 11:00)']);
  });
});
