import { describe, expect, it } from 'vitest';
import { fakeTools, run } from '../../../tests/helpers/skill-harness.js';
import type { BulkOffer, RequestDesk } from '../contract.js';
import { parseCommand } from '../planner.js';

function desk(answer: BulkOffer): RequestDesk & { asked: string[] } {
  const asked: string[] = [];
  return { asked, mine: async () => ({ items: [], total: 0 }), waitingForMe: async () => ({ items: [], total: 0 }), withdraw: async () => ({ kind: 'not_found' }), bulk: async (tool) => (asked.push(tool), answer) };
}

describe('command planner: bulk approval', () => {
  it.each([
    ['批量批准 补全工单', 'zh', 'ticket.updateFields'],
    ['批量批准 工单备注', 'zh', 'ticket.addNote'],
    ['批量审批 更新工单', 'zh', 'ticket.updateFields'],
    ['全部批准 工单备注的申请', 'zh', 'ticket.addNote'],
    ['approve all ticket updates', 'en', 'ticket.updateFields'],
    ['approve all ticket notes', 'en', 'ticket.addNote'],
    ['bulk approve notes', 'en', 'ticket.addNote'],
    ['批量批准 告警', 'zh', 'nms.acknowledgeAlarm'],
  ])('%s', (text, lang, tool) => {
    expect(parseCommand(text)).toEqual({ flow: 'approvals.bulk', lang, tool });
  });

  it('asks which kind when none is named, and leaves a ticket completion alone', () => {
    expect(parseCommand('批量批准')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('批量批准 补全工单') });
    expect(parseCommand('approve all')).toMatchObject({ flow: 'clarify', lang: 'en' });
    expect(parseCommand('补全工单 T20261124-0012')).toMatchObject({ flow: 'ticket.complete' });
  });
});

describe('bulk approval replies', () => {
  it('says what was sent, what keeps its own card, and what the policy does not allow (zh and en)', async () => {
    const sent = desk({ kind: 'sent', action: '添加工单备注', count: 3, ownCards: [{ id: '1a2b3c4d', title: '工单备注 T1' }], beyondCap: 1 });
    const zh = await run('批量批准 工单备注', fakeTools({}, { requests: sent }).tools);
    expect(sent.asked).toEqual(['ticket.addNote']);
    expect(zh).toMatchObject({ status: 'succeeded', text: expect.stringContaining('已生成批量审批卡片：「添加工单备注」共 3 项（另有 1 项超出单张上限') });
    expect(zh).toMatchObject({ text: expect.stringContaining('另有 1 项需在各自的卡片上单独审批（需多人审批或重新登录）：1a2b3c4d「工单备注 T1」') });
    const en = await run('approve all ticket notes', fakeTools({}, { requests: desk({ kind: 'none', action: 'Add ticket note', ownCards: [] }) }).tools);
    expect(en).toMatchObject({ text: 'No "Add ticket note" requests can be approved in bulk now.' });
    const off = await run('批量批准 短信', fakeTools({}, { requests: desk({ kind: 'not_enabled', action: '发送通知短信' }) }).tools);
    expect(off).toMatchObject({ text: '按审批策略，「发送通知短信」不能批量批准，请逐条审批。' });
  });
});
