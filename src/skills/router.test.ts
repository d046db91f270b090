import { describe, expect, it } from 'vitest';
import { messages } from '../agents/replies.js';
import { fakeTools, replyOf, run } from '../../tests/helpers/skill-harness.js';

describe('read flows', () => {
  it('a planned argument the tool schema refuses is told back, not an internal error', async () => {
    const { tools, calls } = fakeTools({});
    const r = await run('派单 T20261124-0012 工程师 李 P2 2026-11-25 09:00-11:00', { ...tools, call: async () => { throw new Error('must not call'); } });
    expect(r).toMatchObject({ kind: 'reply', status: 'not_understood' });
    expect(replyOf(r)).toContain('输入有误');
    expect(calls).toHaveLength(0);
  });
});

describe('write flows propose, with what the approver saw as expected', () => {
  it('the proposal message of a plain write does not speak of missing fields', () => {
    expect(messages.proposal('zh', '派单 T20261124-0012 → 杭州装维一组', ['Carol'], [])).toBe('「派单 T20261124-0012 → 杭州装维一组」：需 Carol 审批后执行，执行后会回读核验。');
    expect(messages.proposal('zh', '补全工单 T20261124-0012', ['Carol'], [], true)).toContain('已从 CRM 和资源系统查到缺失字段，需 Carol 审批后写入');
  });
});
