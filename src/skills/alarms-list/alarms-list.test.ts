import { describe, expect, it } from 'vitest';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner', () => {
  it('reads alarm queries with and without a port', () => {
    expect(parseCommand('/alarms OLT-HZ-01')).toEqual({ flow: 'alarms.list', lang: 'en', ne: 'OLT-HZ-01', object: null });
    expect(parseCommand('查告警 OLT-HZ-01 0/1/3')).toEqual({ flow: 'alarms.list', lang: 'zh', ne: 'OLT-HZ-01', object: '0/1/3' });
  });
});

describe('everyday phrasings', () => everydayPhrasings('alarms.list'));
