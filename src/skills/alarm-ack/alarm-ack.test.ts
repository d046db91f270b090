import { describe, expect, it } from 'vitest';
import { alarm, fakeTools, proposalOf, run } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner: writes', () => {
  it.each([
    ['确认告警 ALM900001', 'zh', null],
    ['ack alarm ALM900001', 'en', null],
    ['确认告警 ALM900001 已通知装维，稍后处理', 'zh', '已通知装维，稍后处理'],
    ['acknowledge alarm alm900001 note: fibre crew on site', 'en', 'fibre crew on site'],
    ['确认告警　ＡＬＭ９００００１', 'zh', null],
  ])('reads an alarm acknowledgement: %s', (text, lang, note) => {
    expect(parseCommand(text)).toEqual({ flow: 'alarm.ack', lang, alarmId: 'ALM900001', note });
  });

  it('asks which alarm to acknowledge (and does not list alarms instead)', () => {
    expect(parseCommand('确认告警')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('告警编号') });
    expect(parseCommand('ack alarm')).toMatchObject({ flow: 'clarify', lang: 'en' });
  });
});

describe('write flows propose, with what the approver saw as expected', () => {
  it('an alarm acknowledgement reads the alarm: still open is proposed, already acknowledged is told', async () => {
    let current = alarm({ clearedAt: '2026-11-24 09:00' });
    const { tools } = fakeTools({ 'nms.getAlarm': () => current });
    const p = proposalOf(await run('确认告警 ALM900001 已通知装维', tools));
    expect(p).toMatchObject({
      tool: 'nms.acknowledgeAlarm',
      title: '确认告警 ALM900001（光信号丢失 LOS，OLT-HZ-01 0/1/3）',
      input: { alarmId: 'ALM900001', note: '已通知装维', expected: { acknowledged: false, cleared: true } },
      facts: { severity: 'major' },
    });
    expect(p.card).toMatchObject({ title: { en: 'Acknowledge alarm ALM900001 (LOS, OLT-HZ-01 0/1/3)' }, action: { zh: '确认告警', en: 'Acknowledge alarm' } });
    expect(p.sources).toMatchObject({ acknowledged: { system: 'nms', readAt: expect.any(String) } });
    current = alarm({ acknowledged: true });
    const r = await run('ack alarm ALM900001', tools);
    expect(r).toEqual({ kind: 'reply', status: 'succeeded', text: 'Alarm ALM900001 (LOS, OLT-HZ-01 0/1/3) is already acknowledged; nothing to do.' });
  });
});

describe('everyday phrasings', () => everydayPhrasings('alarm.ack'));
