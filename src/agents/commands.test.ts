import { describe, expect, it } from 'vitest';
import { parseCommand } from './commands.js';

describe('command planner', () => {
  it.each([
    ['查端口 OLT-HZ-01 0/1/3', 'zh'],
    ['port OLT-HZ-01 0/1/3', 'en'],
    ['  查端口   olt-hz-01   0 / 1 / 3 ', 'zh'],
    ['查端口ＯＬＴ－ＨＺ－０１　０／１／３', 'zh'],
    ['/port OLT-HZ-01 0/1/3', 'en'],
    ['OLT-HZ-01 0/1/3', 'en'],
    ['帮我看下 OLT-HZ-01 0/1/3 的光功率', 'zh'],
    ['what is the status of OLT-HZ-01 0-1-3?', 'en'],
  ])('reads a port query: %s', (text, lang) => {
    expect(parseCommand(text)).toEqual({ flow: 'port.status', lang, olt: 'OLT-HZ-01', fsp: '0/1/3' });
  });

  it.each([
    ['补全工单 T20261124-0012', 'zh'],
    ['complete ticket T20261124-0012', 'en'],
    ['补全工单t20261124-0012', 'zh'],
    ['请帮我补全 工单 Ｔ２０２６１１２４－００１２', 'zh'],
    ['/complete T20261124-0012', 'en'],
  ])('reads a ticket completion: %s', (text, lang) => {
    expect(parseCommand(text)).toEqual({ flow: 'ticket.complete', lang, ticketId: 'T20261124-0012' });
  });

  it('reads alarm queries with and without a port', () => {
    expect(parseCommand('/alarms OLT-HZ-01')).toEqual({ flow: 'alarms.list', lang: 'en', ne: 'OLT-HZ-01', object: null });
    expect(parseCommand('查告警 OLT-HZ-01 0/1/3')).toEqual({ flow: 'alarms.list', lang: 'zh', ne: 'OLT-HZ-01', object: '0/1/3' });
  });

  it('shows a ticket when only its id is given', () => {
    expect(parseCommand('查工单 T20261124-0013')).toEqual({ flow: 'ticket.show', lang: 'zh', ticketId: 'T20261124-0013' });
    expect(parseCommand('T20261124-0013')).toEqual({ flow: 'ticket.show', lang: 'en', ticketId: 'T20261124-0013' });
  });

  it('asks for what is missing, in the language of the request', () => {
    const zh = parseCommand('查端口');
    expect(zh.flow).toBe('clarify');
    expect(zh.flow === 'clarify' && zh.question).toContain('OLT-HZ-01 0/1/3');
    expect(parseCommand('port OLT-HZ-01')).toMatchObject({ flow: 'clarify', lang: 'en' });
    expect(parseCommand('补全工单')).toMatchObject({ flow: 'clarify', lang: 'zh' });
    expect(parseCommand('complete ticket 12')).toMatchObject({ flow: 'clarify', lang: 'en' });
  });

  it('does not take a malformed port for a real one', () => {
    expect(parseCommand('port OLT-HZ-01 0/1/3/4').flow).not.toBe('port.status');
  });

  it('answers help and admits what it does not understand', () => {
    expect(parseCommand('帮助')).toEqual({ flow: 'help', lang: 'zh' });
    expect(parseCommand('help')).toEqual({ flow: 'help', lang: 'en' });
    expect(parseCommand('今天天气怎么样')).toEqual({ flow: 'unknown', lang: 'zh' });
    expect(parseCommand('tell me a joke')).toEqual({ flow: 'unknown', lang: 'en' });
  });
});
