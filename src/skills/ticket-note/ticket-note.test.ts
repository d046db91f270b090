import { describe, expect, it } from 'vitest';
import { fakeTools, proposalOf, run, ticket } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner: writes', () => {
  it.each([
    ['工单备注 T20261124-0012 用户已重启光猫，仍无法上网', 'zh', '用户已重启光猫，仍无法上网'],
    ['add note T20261124-0012 customer restarted the ONU', 'en', 'customer restarted the ONU'],
    ['add note T20261124-0012 用户已重启光猫', 'en', '用户已重启光猫'],
    ['工单备注 Ｔ２０２６１１２４－００１２ 用户说：查告警没用', 'zh', '用户说：查告警没用'],
  ])('reads a ticket note, keeping the note as typed: %s', (text, lang, note) => {
    expect(parseCommand(text)).toEqual({ flow: 'ticket.note', lang, ticketId: 'T20261124-0012', note });
  });

  it('asks for the ticket or the note text, and refuses an over-long note', () => {
    expect(parseCommand('工单备注')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('工单号') });
    expect(parseCommand('工单备注 T20261124-0012')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('备注内容') });
    expect(parseCommand(`add note T20261124-0012 ${'x'.repeat(500)}`)).toMatchObject({ flow: 'ticket.note' });
    expect(parseCommand(`add note T20261124-0012 ${'x'.repeat(501)}`)).toMatchObject({ flow: 'clarify', question: expect.stringContaining('500') });
  });
});

describe('write flows propose, with what the approver saw as expected', () => {
  it('a note reads the ticket status first', async () => {
    const { tools } = fakeTools({ 'ticket.get': () => ticket({ status: 'in_progress' }) });
    const p = proposalOf(await run('工单备注 T20261124-0012 用户已重启光猫', tools));
    expect(p).toMatchObject({
      tool: 'ticket.addNote',
      title: '工单备注 T20261124-0012',
      input: { ticketId: 'T20261124-0012', note: '用户已重启光猫', expected: { status: 'in_progress' } },
    });
    expect(p.card).toMatchObject({
      title: { zh: '工单备注 T20261124-0012', en: 'Add a note to T20261124-0012' },
      action: { zh: '添加工单备注', en: 'Add ticket note' },
      target: { value: expect.stringContaining('T20261124-0012'), source: { system: 'ticket', readAt: expect.any(String) } },
    });
  });
});

describe('everyday phrasings', () => everydayPhrasings('ticket.note'));

describe('a write on a closed ticket gets no card (issue 13)', () => {
  it.each([
    ['工单备注 T20261124-0012 用户已重启光猫', '工单 T20261124-0012 已关闭，不能添加备注，未提交审批。', 'ticket.addNote'],
    ['add note T20261124-0012 customer restarted the ONU', 'Ticket T20261124-0012 is closed, so no note can be added; nothing was sent for approval.', 'ticket.addNote'],
    ['更新工单 T20261124-0012 地址 杭州市西湖区文三路 2 号', '工单 T20261124-0012 已关闭，不能修改，未提交审批。', 'ticket.updateFields'],
  ])('%s', async (text, says, tool) => {
    const { tools } = fakeTools({ 'ticket.get': () => ticket({ status: 'closed' }) });
    expect(await run(text, tools)).toEqual({ kind: 'reply', status: 'business_error', text: says, refused: { tool, reason: 'ticket_closed' } });
  });
});
