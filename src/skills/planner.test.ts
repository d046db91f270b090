import { describe, expect, it } from 'vitest';
import { parseCommand } from './planner.js';

describe('command planner', () => {
  it('asks for what is missing, in the language of the request', () => {
    const zh = parseCommand('查端口');
    expect(zh.flow).toBe('clarify');
    expect(zh.flow === 'clarify' && zh.question).toContain('OLT-HZ-01 0/1/3');
    expect(parseCommand('port OLT-HZ-01')).toMatchObject({ flow: 'clarify', lang: 'en' });
    expect(parseCommand('补全工单')).toMatchObject({ flow: 'clarify', lang: 'zh' });
    expect(parseCommand('complete ticket 12')).toMatchObject({ flow: 'clarify', lang: 'en' });
  });

  it('answers help and admits what it does not understand', () => {
    expect(parseCommand('帮助')).toEqual({ flow: 'help', lang: 'zh' });
    expect(parseCommand('help')).toEqual({ flow: 'help', lang: 'en' });
    expect(parseCommand('今天天气怎么样')).toEqual({ flow: 'unknown', lang: 'zh' });
    expect(parseCommand('tell me a joke')).toEqual({ flow: 'unknown', lang: 'en' });
  });
});

describe('command planner: writes', () => {
  it('keeps the existing commands where the new words could collide', () => {
    expect(parseCommand('查告警 OLT-HZ-01')).toMatchObject({ flow: 'alarms.list' });
    expect(parseCommand('查工单 T20261124-0012')).toMatchObject({ flow: 'ticket.show' });
    expect(parseCommand('what is the status of OLT-HZ-01 0-1-3?')).toMatchObject({ flow: 'port.status' });
    // A note that mentions other commands is still a note.
    expect(parseCommand('工单备注 T20261124-0012 补全工单后再派单')).toMatchObject({ flow: 'ticket.note', note: '补全工单后再派单' });
  });
});

describe('command words', () => {
  it('a Chinese command word may run straight into the id; a Latin one must end at a word boundary', () => {
    expect(parseCommand('工单备注T20261124-0012 用户已重启光猫')).toEqual({ flow: 'ticket.note', lang: 'zh', ticketId: 'T20261124-0012', note: '用户已重启光猫' });
    expect(parseCommand('确认告警ALM900001')).toMatchObject({ flow: 'alarm.ack', alarmId: 'ALM900001' });
    expect(parseCommand('notebook T20261124-0012').flow).not.toBe('ticket.note');
  });
});
