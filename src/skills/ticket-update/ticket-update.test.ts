import { describe, expect, it } from 'vitest';
import { parseCommand } from '../planner.js';
import { fakeTools, proposalOf, replyOf, run, ticket } from '../../../tests/helpers/skill-harness.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('ticket field correction', () => {
  it.each([
    ['更新工单 T20261124-0012 地址 杭州市西湖区文三路 400 号', 'zh', 'address', '杭州市西湖区文三路 400 号'],
    ['请帮我修改工单 t20261124-0012 宽带账号：hz81000999', 'zh', 'broadbandAccount', 'hz81000999'],
    ['更正工单Ｔ２０２６１１２４－００１２ 接入端口 OLT-HZ-01 0/1/5', 'zh', 'accessPort', 'OLT-HZ-01 0/1/5'],
    ['update ticket T20261124-0012 address 398 Wensan Rd, Hangzhou', 'en', 'address', '398 Wensan Rd, Hangzhou'],
    ['correct ticket T20261124-0012 ONU SN HWTC00000001', 'en', 'onuSn', 'HWTC00000001'],
  ])('is asked for as %s', (text, lang, field, value) => {
    expect(parseCommand(text)).toEqual({ flow: 'ticket.update', lang, ticketId: 'T20261124-0012', field, value });
  });

  it('asks for what is missing, and does not take a ticket query for an update', () => {
    expect(parseCommand('更新工单')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('工单号') });
    expect(parseCommand('更新工单 T20261124-0012')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('要更新的字段') });
    expect(parseCommand('update ticket T20261124-0012 address')).toMatchObject({ flow: 'clarify', lang: 'en', question: expect.stringContaining('new value') });
    expect(parseCommand('update ticket T20261124-0012 colour blue')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('Which field') });
    expect(parseCommand('查工单 T20261124-0012').flow).toBe('ticket.show');
    // A note that speaks of updating stays a note.
    expect(parseCommand('工单备注 T20261124-0012 更新工单 地址 以后再说').flow).toBe('ticket.note');
  });

  it('reads the ticket and proposes the change with the value the approver saw as expected', async () => {
    const { tools, calls } = fakeTools({ 'ticket.get': () => ticket({ address: '杭州市西湖区文三路 1 号' }) });
    const p = proposalOf(await run('更新工单 T20261124-0012 地址 杭州市西湖区文三路 400 号', tools));
    expect(calls.map((c) => c.tool)).toEqual(['ticket.get']);
    expect(p).toMatchObject({
      tool: 'ticket.updateFields',
      title: '更新工单 T20261124-0012',
      input: { ticketId: 'T20261124-0012', fields: { address: '杭州市西湖区文三路 400 号' }, expected: { address: '杭州市西湖区文三路 1 号' } },
    });
    // The requester gave the value: no system is named as its source.
    expect(p.sources).toBeUndefined();
    expect(p.card).toMatchObject({ title: { zh: '更新工单 T20261124-0012', en: 'Update ticket T20261124-0012' }, action: { zh: '更新工单', en: 'Update ticket' } });
  });

  it('calls filling an empty field a completion, and answers a value already there without a card', async () => {
    const empty = fakeTools({ 'ticket.get': () => ticket({ onuSn: null }) });
    expect(proposalOf(await run('correct ticket T20261124-0012 ONU SN HWTC00000001', empty.tools)).title).toBe('Complete ticket T20261124-0012');
    const same = fakeTools({ 'ticket.get': () => ticket({ broadbandAccount: 'hz81000123' }) });
    expect(replyOf(await run('更新工单 T20261124-0012 宽带账号 hz81000123', same.tools))).toBe('工单 T20261124-0012 的宽带账号已经是这个值，无需更新。');
  });

  it('refuses a malformed value before touching the ticket system', async () => {
    const { tools, calls } = fakeTools({});
    const r = await run('更新工单 T20261124-0012 接入端口 port five', tools);
    expect(r).toMatchObject({ kind: 'reply', status: 'not_understood', text: expect.stringContaining('输入有误') });
    expect(calls).toHaveLength(0);
  });
});

describe('everyday phrasings', () => everydayPhrasings('ticket.update'));
