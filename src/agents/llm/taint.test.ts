import { describe, expect, it } from 'vitest';
import { checkTaint, namedIdentifiers, namedMobiles, namesTarget } from './taint.js';
import { proposalAdapters } from './proposals.js';

/** Each write skill declares the words that ask for it (src/skills/<name>/index.ts). */
const intentOf = (tool: string) => proposalAdapters[tool]!.intent;
const writeIntents = {
  updateFields: intentOf('ticket.updateFields'),
  dispatch: intentOf('workorder.dispatch'),
  addNote: intentOf('ticket.addNote'),
  acknowledge: intentOf('nms.acknowledgeAlarm'),
  sms: intentOf('sms.sendNotice'),
};

describe('whole identifiers in the requester\'s words', () => {
  it('a longer or shorter identifier does not name the target', () => {
    expect(namesTarget('帮我补全工单 T20261124-00121', 'T20261124-0012', 'id')).toBe(false);
    expect(namesTarget('补全工单 T20261124-001', 'T20261124-0012', 'id')).toBe(false);
    expect(namesTarget('补全工单 XT20261124-0012', 'T20261124-0012', 'id')).toBe(false);
    expect(namesTarget('确认告警 ALM9000011', 'ALM900001', 'id')).toBe(false);
    expect(namesTarget('确认告警 ALM90000', 'ALM900001', 'id')).toBe(false);
    expect(namesTarget('客户 C0001234 的账单', 'C000123', 'id')).toBe(false);
  });

  it('the same identifier between Chinese characters, full-width, lower case or with an IME dash names it', () => {
    for (const text of [
      '工单T20261124-0012缺的信息填上',
      'complete ticket t20261124-0012 please',
      '补全工单 Ｔ２０２６１１２４－００１２',
      '补全工单 T20261124—0012',
      '补全工单 T20261124－0012。',
      '(T20261124-0012)',
    ]) {
      expect(namesTarget(text, 'T20261124-0012', 'id'), text).toBe(true);
    }
    expect([...namedIdentifiers('告警ALM900001和ALM900002')]).toEqual(['ALM900001', 'ALM900002']);
  });

  it('mobiles match as 11 digits whatever the separators and prefix, and never as part of a longer number', () => {
    for (const text of ['给 13857101234 发短信', '给+86 138 5710 1234发短信', '0086-138-5710-1234', '１３８５７１０１２３４']) {
      expect(namesTarget(text, '13857101234', 'mobile'), text).toBe(true);
    }
    expect(namesTarget('给 138571012345 发短信', '13857101234', 'mobile')).toBe(false);
    expect(namesTarget('给 3857101234 发短信', '13857101234', 'mobile')).toBe(false);
    expect(namesTarget('给 13857101234 发短信', '13857101235', 'mobile')).toBe(false);
    expect(namesTarget('给 13857101234 发短信', '+86 138-5710-1234', 'mobile')).toBe(true);
    expect([...namedMobiles('a 13857101234 b 18735676546')]).toEqual(['13857101234', '18735676546']);
  });
});

describe('a write the requester asked for', () => {
  const check = (userMessages: string[], target: string, intent: RegExp, kind: 'id' | 'mobile' = 'id') => checkTaint({ userMessages, target, kind, intent });

  it('naming a ticket only to have it summarised or looked at is not a request to change it', () => {
    for (const text of ['总结一下工单 T20261124-0012', 'T20261124-0012 这张单子现在什么情况？', 'summarise ticket T20261124-0012', 'what does T20261124-0012 say?']) {
      expect(check([text], 'T20261124-0012', writeIntents.updateFields), text).toEqual({ ok: false, reason: 'not_requested' });
      expect(check([text], 'T20261124-0012', writeIntents.dispatch), text).toEqual({ ok: false, reason: 'not_requested' });
      expect(check([text], 'T20261124-0012', writeIntents.addNote), text).toEqual({ ok: false, reason: 'not_requested' });
    }
  });

  it('asking for the change passes, in zh and en, and across two turns', () => {
    expect(check(['T20261124-0012 这张单子缺的信息帮我找一下填上'], 'T20261124-0012', writeIntents.updateFields)).toEqual({ ok: true });
    expect(check(['please update the address on T20261124-0012'], 'T20261124-0012', writeIntents.updateFields)).toEqual({ ok: true });
    expect(check(['给 T20261124-0012 派个师傅上门'], 'T20261124-0012', writeIntents.dispatch)).toEqual({ ok: true });
    expect(check(['T20261124-0012 加个备注：用户已重启光猫'], 'T20261124-0012', writeIntents.addNote)).toEqual({ ok: true });
    expect(check(['ack ALM900001, someone is on it'], 'ALM900001', writeIntents.acknowledge)).toEqual({ ok: true });
    expect(check(['给13857101234发个故障短信'], '13857101234', writeIntents.sms, 'mobile')).toEqual({ ok: true });
    expect(check(['帮我补全工单 T20261124-0012', '地址是文三路 398 号'], 'T20261124-0012', writeIntents.updateFields)).toEqual({ ok: true });
  });

  it('an earlier request on another record does not carry over to a record named only for reading', () => {
    expect(check(['补全工单 T20261124-0013', '再总结一下 T20261124-0012'], 'T20261124-0012', writeIntents.updateFields)).toEqual({ ok: false, reason: 'not_requested' });
    expect(check(['补全工单 T20261124-00121'], 'T20261124-0012', writeIntents.updateFields)).toEqual({ ok: false, reason: 'target_not_named' });
  });

  it('every LLM write adapter declares how its target is matched and what its request sounds like', () => {
    for (const [tool, a] of Object.entries(proposalAdapters)) {
      expect(['id', 'mobile'], tool).toContain(a.targetKind);
      expect(a.intent, tool).toBeInstanceOf(RegExp);
    }
  });
});
