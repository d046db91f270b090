import { describe, expect, it } from 'vitest';
import { fakeTools, replyOf, run } from '../../../tests/helpers/skill-harness.js';
import type { RequestDesk, RequestSummary } from '../contract.js';
import { parseCommand } from '../planner.js';

const summary = (over: Partial<RequestSummary> = {}): RequestSummary => ({
  id: '1a2b3c4d',
  title: '工单备注 T20261124-0012',
  status: 'pending',
  outcome: null,
  requester: 'Alice',
  approvers: ['Carol'],
  decidedBy: null,
  comment: null,
  createdAt: '2026-11-24 09:00',
  expiresAt: '2026-11-24 09:30',
  requiredApprovals: 1,
  approvedBy: [],
  ...over,
});

function desk(mine: RequestSummary[], waiting: RequestSummary[], total = waiting.length, mineTotal = mine.length): RequestDesk & { limits: number[] } {
  const limits: number[] = [];
  return {
    limits,
    mine: async (limit) => (limits.push(limit), { items: mine.slice(0, limit), total: mineTotal }),
    waitingForMe: async (limit) => (limits.push(limit), { items: waiting.slice(0, limit), total }),
    withdraw: async () => ({ kind: 'not_found' }),
  };
}

describe('command planner: status of approvals', () => {
  it.each([
    ['待我审批', 'zh', 'waiting'],
    ['待审批', 'zh', 'waiting'],
    ['查看待我审批的申请', 'zh', 'waiting'],
    ['我的待审批', 'zh', 'waiting'],
    ['my approvals', 'en', 'waiting'],
    ['/pending approvals', 'en', 'waiting'],
    ["what's waiting for me?", 'en', 'waiting'],
    ['我的申请', 'zh', 'mine'],
    ['查我的申请。', 'zh', 'mine'],
    ['我提交的申请', 'zh', 'mine'],
    ['my requests', 'en', 'mine'],
    ['ＭＹ ＲＥＱＵＥＳＴＳ', 'en', 'mine'],
  ])('%s', (text, lang, which) => {
    expect(parseCommand(text)).toEqual({ flow: 'requests.status', lang, which });
  });

  it('is the command only when it is the whole message', () => {
    expect(parseCommand('工单备注 T20261124-0012 我的申请被驳回了')).toMatchObject({ flow: 'ticket.note' });
    expect(parseCommand('我的申请怎么还没批')).not.toMatchObject({ flow: 'requests.status' });
  });
});

describe('status replies', () => {
  it('lists what waits for me in the order the agent gives (riskiest, oldest), with the total and at most 10', async () => {
    const tiered = summary({ id: 'aaaa1111', title: '确认告警 ALM900005', requester: 'Bob', requiredApprovals: 2, approvedBy: [] });
    const older = summary({ id: 'bbbb2222' });
    const d = desk([], [tiered, older], 14);
    const text = replyOf(await run('待我审批', fakeTools({}, { requests: d }).tools));
    expect(text.split('\n')).toEqual([
      '待你审批的申请共 14 个，先列出最早、风险最高的 2 个（请在审批卡片上批准或驳回）：',
      '1. 【需 2 人审批，已 0 人】aaaa1111「确认告警 ALM900005」申请人 Bob，2026-11-24 09:00 提交，2026-11-24 09:30 过期',
      '2. bbbb2222「工单备注 T20261124-0012」申请人 Alice，2026-11-24 09:00 提交，2026-11-24 09:30 过期',
      '……还有 12 个，请在控制台的「待我审批」中查看。',
    ]);
    expect(d.limits).toEqual([10]);
    const en = replyOf(await run('my approvals', fakeTools({}, { requests: desk([], [older]) }).tools));
    expect(en).toBe('1 request waits for your approval (approve or reject on the card):\n1. bbbb2222 "工单备注 T20261124-0012" from Alice, sent 2026-11-24 09:00, expires 2026-11-24 09:30');
    expect(replyOf(await run('my approvals', fakeTools({}, { requests: desk([], []) }).tools))).toBe('Nothing is waiting for your approval.');
  });

  it('shows each of my requests with its state, and how to withdraw a pending one', async () => {
    const mine = [
      summary(),
      summary({ id: 'cccc3333', status: 'approved', outcome: 'verified', decidedBy: 'Carol' }),
      summary({ id: 'dddd4444', status: 'rejected', decidedBy: 'Carol', comment: '退费请走计费流程' }),
      summary({ id: 'eeee5555', status: 'withdrawn', decidedBy: 'Alice' }),
      summary({ id: 'ffff6666', status: 'expired' }),
      summary({ id: '77778888', status: 'approved', outcome: 'failed', decidedBy: 'Dave' }),
    ];
    const zh = replyOf(await run('我的申请', fakeTools({}, { requests: desk(mine, []) }).tools));
    for (const s of ['待 Carol 审批，2026-11-24 09:30 过期', '已由 Carol 批准，已写入并核验', '已被 Carol 驳回，原因：退费请走计费流程', 'eeee5555「工单备注 T20261124-0012」2026-11-24 09:00 提交：已撤回，未执行', '已过期，未执行', '已由 Dave 批准，执行失败', '撤回待审批的申请：撤回 <申请编号>']) {
      expect(zh).toContain(s);
    }
    const en = replyOf(await run('my requests', fakeTools({}, { requests: desk(mine.slice(1), []) }).tools));
    expect(en).toContain('rejected by Carol; reason: 退费请走计费流程');
    expect(en).not.toContain('To withdraw');
    expect(replyOf(await run('我的申请', fakeTools({}, { requests: desk([], []) }).tools))).toBe('你还没有提交过需审批的申请。');
  });

  it('shows one short page of my requests and says how many more the console has, in my language', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => summary({ id: `abcd00${String(i).padStart(2, '0')}`, status: 'expired' }));
    const d = desk(ten, [], 0, 10_001);
    const zh = replyOf(await run('我的申请', fakeTools({}, { requests: d }).tools)).split('\n');
    expect(d.limits).toEqual([10]);
    expect(zh[0]).toBe('你共有 10001 个申请，最近的 10 个：');
    expect(zh).toHaveLength(12);
    expect(zh.at(-1)).toBe('……还有 9991 个，请在控制台的「我的申请」中查看。');
    const en = replyOf(await run('my requests', fakeTools({}, { requests: desk(ten, [], 0, 10_001) }).tools)).split('\n');
    expect(en[0]).toBe('You have 10001 requests; the 10 most recent:');
    expect(en.at(-1)).toBe('… and 9991 more — see the console (My requests).');
    // Past the count's cap the numbers read as "at least".
    const capped: RequestDesk = { ...desk(ten, ten), mine: async () => ({ items: ten, total: 1000, totalAtLeast: true }), waitingForMe: async () => ({ items: ten, total: 1000, totalAtLeast: true }) };
    const many = replyOf(await run('待我审批', fakeTools({}, { requests: capped }).tools)).split('\n');
    expect(many[0]).toContain('待你审批的申请共 1000+ 个');
    expect(many.at(-1)).toBe('……还有 990+ 个，请在控制台的「待我审批」中查看。');
    expect(replyOf(await run('my requests', fakeTools({}, { requests: capped }).tools)).split('\n')[0]).toBe('You have 1000+ requests; the 10 most recent:');
    const fits = replyOf(await run('my requests', fakeTools({}, { requests: desk(ten.slice(0, 3), []) }).tools));
    expect(fits).not.toContain('more');
  });
});
