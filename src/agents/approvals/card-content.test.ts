import { describe, expect, it } from 'vitest';
import { legacyTools } from '../../tools/catalog.js';
import { actionName, cardContents } from './card-content.js';
import type { WriteProposal } from '../../skills/contract.js';

const tool = (name: string) => legacyTools.find((t) => t.name === name)!;
const readAt = '2026-11-24T06:02:00.000Z';

describe('the card words written at proposal time, in both languages', () => {
  it('a completion: current → new per field, sources by field, the target and the business name', () => {
    const input = { ticketId: 'T20261124-0012', fields: { broadbandAccount: 'hz81000123', address: '文三路 90 号' }, expected: { broadbandAccount: null, address: '' } };
    const proposal: WriteProposal = {
      tool: 'ticket.updateFields',
      input,
      title: 'Complete ticket T20261124-0012',
      card: { title: { zh: '补全工单 T20261124-0012', en: 'Complete ticket T20261124-0012' }, action: { zh: '补全工单', en: 'Complete ticket' }, target: { label: { zh: '工单 · 客户', en: 'Ticket · customer' }, value: 'T20261124-0012 · 13857101234' } },
      sources: { broadbandAccount: { system: 'crm', readAt } },
    };
    const c = cardContents(tool('ticket.updateFields'), input, proposal, 'en', () => []);
    expect(c.zh).toMatchObject({ title: '补全工单 T20261124-0012', action: '补全工单', target: { label: '工单 · 客户' } });
    expect(c.en).toMatchObject({ title: 'Complete ticket T20261124-0012', action: 'Complete ticket' });
    expect(c.zh!.lines).toEqual([
      { label: '工单', value: 'T20261124-0012' },
      { label: '宽带账号', value: 'hz81000123', current: null, source: { system: 'crm', readAt } },
      { label: '装机地址', value: '文三路 90 号', current: '', source: { system: 'requester' } },
    ]);
    expect(c.en!.lines[1]).toMatchObject({ label: 'Broadband account', current: null });
    // Personal data stays masked on the card: a mobile shows as 138****1234.
    expect(c.zh!.target!.value).toBe('T20261124-0012 · 138****1234');
  });

  it('an SMS: the number masked on every line, the text in each language', () => {
    const input = { mobile: '13857101234', templateId: 'SMS_FAULT_NOTICE', params: { ticketId: 'T20261124-0012', eta: '18:00' } };
    const c = cardContents(tool('sms.sendNotice'), input, { tool: 'sms.sendNotice', input, title: '发送短信' }, 'zh', () => []);
    expect(JSON.stringify(c)).not.toContain('13857101234');
    expect(c.zh!.lines[0]).toMatchObject({ label: '手机号码', value: '138****1234', source: { system: 'requester' } });
    expect(c.en!.lines[0]).toMatchObject({ label: 'Mobile', value: '138****1234' });
    // No words of its own: the request-language title, a business name in the other.
    expect(c.zh!.title).toBe('发送短信');
    expect(c.en!.title.startsWith('Send SMS notice')).toBe(true);
  });

  it('every write tool has a business name in both languages', () => {
    for (const t of legacyTools.filter((x) => x.effect === 'write')) {
      expect(actionName(t.name, 'zh'), t.name).not.toBe(t.name);
      expect(actionName(t.name, 'en'), t.name).not.toBe(t.name);
      expect(actionName(t.name, 'zh')).toMatch(/[\u3400-\u9fff]/);
    }
  });
});
