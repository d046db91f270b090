import { describe, expect, it } from 'vitest';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

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

  it('does not take a malformed port for a real one', () => {
    expect(parseCommand('port OLT-HZ-01 0/1/3/4').flow).not.toBe('port.status');
  });
});

describe('everyday phrasings', () => everydayPhrasings('port.status'));
