import { describe, expect, it } from 'vitest';
import { fakeTools, proposalOf, run, ticket } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';
import { TEAMS } from '../../sandbox/seed-workorders.js';
import { PolicyDenied } from '../denials.js';
import { workorderDispatch } from './index.js';

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
/** workorder.teams over the sandbox portal's directory (the seed's TEAMS), filtered by region as the tool does. */
const directory = (input: Record<string, unknown>) => ({
  region: (input.region as string | undefined) ?? null,
  teams: TEAMS.filter((t) => !input.region || t.region === input.region).map((t) => ({ ...t, engineers: [...t.engineers] })),
});
/** The same, for a requester who may see only Hangzhou: the all-region read is a scope refusal. */
const hangzhouOnly = (input: Record<string, unknown>) => {
  if (input.region !== 'hangzhou') throw new PolicyDenied('scope', 'workorder.teams', 'out of scope');
  return directory(input);
};
const HZ1 = '杭州装维一组 HZ Field Team 1';

describe('write flows propose, with what the approver saw as expected', () => {
  it('dispatch reads the ticket status first', async () => {
    const { tools, calls } = fakeTools({ 'ticket.get': () => ticket({ status: 'pending_dispatch' }), 'workorder.teams': directory, 'workorder.list': noWorkOrders }, { now: beforeWindows });
    const p = proposalOf(await run('派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00 带光功率计', tools));
    expect(calls.map((c) => c.tool)).toEqual(['ticket.get', 'workorder.teams', 'workorder.list']);
    // The directory is read for the ticket's region; the card names the team as the directory does.
    expect(calls[1]!.input).toEqual({ region: 'hangzhou' });
    expect(p.card).toMatchObject({ title: { zh: `派单 T20261124-0012 → ${HZ1}`, en: `Dispatch T20261124-0012 to ${HZ1}` }, action: { zh: '派单', en: 'Dispatch work order' } });
    expect(p).toMatchObject({
      tool: 'workorder.dispatch',
      title: `派单 T20261124-0012 → ${HZ1}`,
      input: {
        ticketId: 'T20261124-0012',
        type: 'repair',
        team: HZ1,
        priority: 'P2',
        window: { start: '2026-11-25 09:00', end: '2026-11-25 11:00' },
        note: '带光功率计',
        expected: { ticketStatus: 'pending_dispatch' },
      },
    });
    // An engineer only: the card names the engineer and the team the directory has them in.
    const en = proposalOf(await run('dispatch T20261124-0012 to 李明 P1 2026-11-25 14:00-16:00', tools));
    expect(en.title).toBe(`Dispatch T20261124-0012 to ${HZ1} / 李明`);
    expect(en.input).toMatchObject({ team: HZ1, engineer: '李明', priority: 'P1' });
  });
});

describe('the team and engineer are checked against the portal\'s directory before the card', () => {
  // The full directory stands for a requester who may see every region; hangzhouOnly for one who may not.
  const tools = (teams = directory) =>
    fakeTools({ 'ticket.get': () => ticket(), 'workorder.teams': teams, 'workorder.list': noWorkOrders }, { now: beforeWindows, seesEveryRegion: () => teams === directory });

  it.each([
    ['dispatch T20261124-0012 to hz field team 2 P2 2026-11-25 09:00-11:00', '杭州装维二组 HZ Field Team 2'],
    ['dispatch T20261124-0012 to ＨＺ Ｆｉｅｌｄ Ｔｅａｍ ３ P2 2026-11-25 09:00-11:00', '杭州装维三组 HZ Field Team 3'],
    ['派单 T20261124-0012 杭州装维一组 HZ Field Team 1 P2 2026-11-25 09:00-11:00', HZ1],
    ['派单 T20261124-0012 班组 杭州装维二组 P2 2026-11-25 09:00-11:00', '杭州装维二组 HZ Field Team 2'],
  ])('an English, full-width, whole or Chinese team name makes a card with the full name: %s', async (text, full) => {
    const p = proposalOf(await run(text, tools().tools));
    expect(p.input).toMatchObject({ team: full });
    expect(p.input).not.toHaveProperty('engineer');
    expect(p.card?.title).toEqual({ zh: `派单 T20261124-0012 → ${full}`, en: `Dispatch T20261124-0012 to ${full}` });
  });

  it('an engineer only makes a card naming them and their team', async () => {
    const p = proposalOf(await run('派单 T20261124-0012 给 工程师 赵勇 P2 2026-11-25 09:00-11:00', tools().tools));
    expect(p.input).toMatchObject({ team: '杭州装维二组 HZ Field Team 2', engineer: '赵勇' });
    expect(p.title).toBe('派单 T20261124-0012 → 杭州装维二组 HZ Field Team 2 / 赵勇');
  });

  it.each([
    // No such team: the region's teams are offered.
    ['派单 T20261124-0012 西湖抢修队 P2 2026-11-25 09:00-11:00', 'team_unknown', ['杭州没有班组「西湖抢修队」', '未提交审批', `可选：${HZ1}、杭州装维二组 HZ Field Team 2、杭州装维三组 HZ Field Team 3`]],
    ['dispatch T20261124-0012 to Night Crew P2 2026-11-25 09:00-11:00', 'team_unknown', ['no team "Night Crew" in Hangzhou', 'nothing was sent for approval', `You can choose: ${HZ1}`]],
    // A typo: the nearest name, asked back.
    ['派单 T20261124-0012 杭州装维二祖 P2 2026-11-25 09:00-11:00', 'assignee_unknown', ['杭州没有班组或工程师「杭州装维二祖」', '是不是要派给 杭州装维二组 HZ Field Team 2？']],
    ['派单 T20261124-0012 班组 杭州装维一祖 P2 2026-11-25 09:00-11:00', 'team_unknown', [`杭州没有班组「杭州装维一祖」，未提交审批。是不是要派给 ${HZ1}？`]],
    ['dispatch T20261124-0012 to HZ Feild Team 1 P2 2026-11-25 09:00-11:00', 'team_unknown', [`Did you mean ${HZ1}?`]],
    // Another region's team: said so, with this region's nearest.
    ['派单 T20261124-0012 宁波装维一组 P2 2026-11-25 09:00-11:00', 'team_other_region', ['宁波装维一组 NB Field Team 1 属于宁波，工单在杭州', `是不是要派给 ${HZ1}？`]],
    ['dispatch T20261124-0012 to WZ Field Team 1 P2 2026-11-25 09:00-11:00', 'team_other_region', ['Team 温州装维一组 WZ Field Team 1 serves Wenzhou, the ticket is in Hangzhou']],
    // Engineers: unknown (nearest of the region), of another region.
    ['派单 T20261124-0012 给 工程师 王建 P2 2026-11-25 09:00-11:00', 'assignee_unknown', ['杭州没有班组或工程师「王建」', '是不是要派给 王建国？']],
    ['dispatch T20261124-0012 to Zhang Wei P2 2026-11-25 09:00-11:00', 'assignee_unknown', ['no team or engineer "Zhang Wei" in Hangzhou']],
    ['派单 T20261124-0012 宁波装维二组 HZ P2 2026-11-25 09:00-11:00', 'team_unknown', ['杭州没有班组「宁波装维二组 HZ」']],
    ['派单 T20261124-0012 给 工程师 孙华 P2 2026-11-25 09:00-11:00', 'engineer_other_region', ['工程师 孙华 属于宁波的 宁波装维一组 NB Field Team 1，工单在杭州']],
  ])('%s', async (text, reason, says) => {
    const { tools: t, calls } = tools();
    const r = await run(text, t);
    expect(r).toMatchObject({ kind: 'reply', status: 'business_error', refused: { tool: 'workorder.dispatch', reason } });
    for (const s of says) expect(r.kind === 'reply' && r.text).toContain(s);
    // Refused before anything else is read for the card.
    expect(calls.map((c) => c.tool)).not.toContain('workorder.list');
  });

  it('an engineer of another team (the model\'s path gives both) is refused, naming their team and the asked team\'s engineers', async () => {
    const build = workorderDispatch.proposal!.build;
    const args = { ticketId: 'T20261124-0012', team: 'HZ Field Team 2', engineer: '王建国', priority: 'P2', window: { start: '2026-11-25 09:00', end: '2026-11-25 11:00' } };
    await expect(build(args, tools().tools, 'en')).rejects.toMatchObject({
      name: 'WouldFail',
      reason: 'engineer_not_in_team',
      text: {
        zh: `工程师 王建国 属于 ${HZ1}，不在 杭州装维二组 HZ Field Team 2，未提交审批。杭州装维二组 HZ Field Team 2 的工程师：张强、刘洋、赵勇。`,
        en: `Engineer 王建国 is in ${HZ1}, not in 杭州装维二组 HZ Field Team 2; nothing was sent for approval. 杭州装维二组 HZ Field Team 2's engineers: 张强, 刘洋, 赵勇.`,
      },
    });
    // Both right: one card, both named as the directory has them.
    const ok = await build({ ...args, team: 'hz field team 1' }, tools().tools, 'zh');
    expect(ok).toMatchObject({ kind: 'propose', proposal: { input: { team: HZ1, engineer: '王建国' }, title: `派单 T20261124-0012 → ${HZ1} / 王建国` } });
  });

  it('a requester who may see only the ticket\'s region hears the team is not in it, with the nearest there', async () => {
    const { tools: t, calls } = tools(hangzhouOnly);
    const r = await run('派单 T20261124-0012 宁波装维一组 P2 2026-11-25 09:00-11:00', t);
    expect(r).toMatchObject({ status: 'business_error', refused: { reason: 'team_unknown' }, text: expect.stringContaining(`杭州没有班组「宁波装维一组」，未提交审批。是不是要派给 ${HZ1}？`) });
    // Other regions are not read for them: that read would be refused and audited as their attempt.
    expect(calls.filter((c) => c.tool === 'workorder.teams').map((c) => c.input)).toEqual([{ region: 'hangzhou' }]);
  });

  it('a requester whose role may not read the directory still gets the card, with a line saying it was not checked', async () => {
    const denied = () => {
      throw new PolicyDenied('role', 'workorder.teams', 'no');
    };
    const p = proposalOf(await run('dispatch T20261124-0012 to 杭州装维一组 P2 2026-11-25 09:00-11:00', tools(denied).tools));
    expect(p.input).toMatchObject({ team: '杭州装维一组' });
    expect(p.warnings).toEqual(['the team and engineer could not be checked against the team directory (no permission to read it); the ticket system checks them when dispatching']);
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
    const { tools, calls } = fakeTools({ 'ticket.get': () => ticket(), 'workorder.teams': directory, 'workorder.list': noWorkOrders }, { now: beforeWindows });
    const r = await run(text, tools);
    expect(r).toMatchObject({ kind: 'reply', status: 'business_error', refused: { tool: 'workorder.dispatch', reason } });
    for (const s of says) expect(r.kind === 'reply' && r.text).toContain(s);
    // Known from the clock: the ticket system is not even asked.
    expect(calls).toHaveLength(0);
  });

  it('a closed ticket is answered, in the request\'s language', async () => {
    const { tools } = fakeTools({ 'ticket.get': () => ticket({ status: 'closed' }), 'workorder.teams': directory, 'workorder.list': noWorkOrders }, { now: beforeWindows });
    expect(await run('派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00', tools)).toMatchObject({ status: 'business_error', text: expect.stringContaining('已关闭，不能派单') });
    expect(await run('dispatch T20261124-0012 to 杭州装维一组 P2 2026-11-25 09:00-11:00', tools)).toMatchObject({ status: 'business_error', text: expect.stringContaining('is closed') });
  });

  it('a ticket with an open work order is still proposed, with the work order named for the approver', async () => {
    const open = { id: 'W20261124-0001', status: 'dispatched', team: '杭州装维一组', engineer: null, appointmentStart: '2026-11-25 09:00', appointmentEnd: '2026-11-25 11:00' };
    const done = { ...open, id: 'W20261120-0003', status: 'done' };
    const { tools } = fakeTools({ 'ticket.get': () => ticket(), 'workorder.teams': directory, 'workorder.list': () => ({ ticketId: 'T20261124-0012', workOrders: [open, done] }) }, { now: beforeWindows });
    const zh = proposalOf(await run('派单 T20261124-0012 杭州装维一组 P2 2026-11-25 14:00-16:00', tools));
    expect(zh.warnings).toEqual(['该工单已有未完成的派工单 W20261124-0001（dispatched，杭州装维一组，2026-11-25 09:00 – 2026-11-25 11:00）']);
    const en = proposalOf(await run('dispatch T20261124-0012 to 王建国 P2 2026-11-25 14:00-16:00', tools));
    expect(en.warnings).toEqual(['the ticket already has an open work order W20261124-0001 (dispatched, 杭州装维一组, 2026-11-25 09:00 – 2026-11-25 11:00)']);
  });
});
