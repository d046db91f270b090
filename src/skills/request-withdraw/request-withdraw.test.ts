import { describe, expect, it } from 'vitest';
import { fakeTools, run } from '../../../tests/helpers/skill-harness.js';
import type { RequestDesk, RequestSummary, WithdrawResult } from '../contract.js';
import { parseCommand } from '../planner.js';

const request: RequestSummary = {
  id: '1a2b3c4d',
  title: '工单备注 T20261124-0012',
  status: 'withdrawn',
  outcome: null,
  requester: 'Alice',
  approvers: ['Carol'],
  decidedBy: 'Alice',
  comment: null,
  createdAt: '2026-11-24 09:00',
  expiresAt: '2026-11-24 09:30',
  requiredApprovals: 1,
  approvedBy: [],
};

function desk(answer: WithdrawResult): RequestDesk & { asked: string[] } {
  const asked: string[] = [];
  return { asked, mine: async () => ({ items: [], total: 0 }), waitingForMe: async () => ({ items: [], total: 0 }), withdraw: async (id) => (asked.push(id), answer) };
}

describe('command planner: withdraw', () => {
  it.each([
    ['撤回 1a2b3c4d', 'zh', '1a2b3c4d'],
    ['撤回申请 1A2B3C4D', 'zh', '1a2b3c4d'],
    ['请撤销 #1a2b3c4d', 'zh', '1a2b3c4d'],
    ['撤回1a2b3c4d', 'zh', '1a2b3c4d'],
    ['withdraw 1a2b3c4d', 'en', '1a2b3c4d'],
    ['withdraw my request 1a2b3c4d', 'en', '1a2b3c4d'],
    ['cancel request 1a2b3c4d', 'en', '1a2b3c4d'],
    ['withdraw 1a2b3c4d-0000-4000-8000-000000000001', 'en', '1a2b3c4d-0000-4000-8000-000000000001'],
  ])('%s', (text, lang, id) => {
    expect(parseCommand(text)).toEqual({ flow: 'request.withdraw', lang, id });
  });

  it('asks which request when the id is missing or not one', () => {
    expect(parseCommand('撤回')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('申请编号') });
    expect(parseCommand('withdraw it')).toMatchObject({ flow: 'clarify', lang: 'en', question: expect.stringContaining('my requests') });
  });
});

describe('withdraw replies', () => {
  it('says what happened: withdrawn, not found (only the requester may), ambiguous, no longer pending', async () => {
    const ok = desk({ kind: 'withdrawn', request });
    expect(await run('撤回 1a2b3c4d', fakeTools({}, { requests: ok }).tools)).toEqual({ kind: 'reply', status: 'succeeded', text: '已撤回申请 1a2b3c4d「工单备注 T20261124-0012」，审批卡片已更新，不会再执行。' });
    expect(ok.asked).toEqual(['1a2b3c4d']);
    expect(await run('withdraw 1a2b3c4d', fakeTools({}, { requests: desk({ kind: 'not_found' }) }).tools)).toMatchObject({ status: 'not_understood', text: expect.stringContaining('Only the person who made a request can withdraw it') });
    expect(await run('撤回 1a2b3c4d', fakeTools({}, { requests: desk({ kind: 'ambiguous', ids: ['1a2b3c4d', '1a2b3c4e'] }) }).tools)).toMatchObject({ text: expect.stringContaining('1a2b3c4d、1a2b3c4e') });
    const decided = desk({ kind: 'not_pending', request: { ...request, status: 'approved', outcome: 'verified', decidedBy: 'Carol' } });
    expect(await run('withdraw 1a2b3c4d', fakeTools({}, { requests: decided }).tools)).toMatchObject({ status: 'succeeded', text: expect.stringContaining('no longer waiting for approval (approved by Carol, written and verified)') });
  });
});
