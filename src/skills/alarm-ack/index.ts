/**
 * Acknowledge an NMS alarm after a manager approves: "确认告警 ALM900001 [备注]". The guard reads
 * the alarm first: one already acknowledged is told, not proposed; otherwise the proposal carries
 * the state the approver saw (not acknowledged, cleared or active) as `expected`.
 */
import { z } from 'zod';
import { langSchema, type Lang } from '../../chat/lang.js';
import { acknowledgeAlarmInput, alarmSchema, getAlarmInput } from '../../tools/nms/schemas.js';
import { answered, clarify, defineSkill, inBoth, valid, type FlowResult, type FlowTools } from '../contract.js';
import { ALARM_ID, anchored, keywordLang, rawRestAfter, stripLead, whole, words } from '../grammar.js';
import { ackTexts } from './texts.js';

const ACK_CMD = anchored(String.raw`确认告警|告警确认|ack(?:nowledge)?(?:\s+(?:the\s+)?alarm)?`);
/** "ALM900001 确认", "告警ALM900001确认一下", "帮我确认下 ALM900001": a confirm word and an alarm, nothing else. */
const CONFIRM = /(确认|认领|\back(?:nowledge)?\b)/i;
const VOCABULARY = words('确认告警', '告警确认', '确认', '认领', '告警', '警报', '一下', '下', '掉', '把', '将', '这条', '条', 'ack', 'acknowledge', 'alarm', 'it');
const MAX_NOTE = 200;
/** What the model fills: the alarm and a note; `expected` is the guard's. */
const modelArgs = acknowledgeAlarmInput.omit({ expected: true });

/** The one guard, for the command path and the LLM path alike. */
async function proposeAck(lang: Lang, asked: { alarmId: string; note?: string | undefined }, tools: FlowTools): Promise<FlowResult> {
  const alarm = await tools.call('nms.getAlarm', valid(getAlarmInput, { alarmId: asked.alarmId }), alarmSchema);
  const readAt = new Date().toISOString();
  if (alarm.acknowledged) return answered(ackTexts.alreadyAcknowledged(lang, alarm));
  const input = valid(acknowledgeAlarmInput, {
    alarmId: alarm.id,
    ...(asked.note ? { note: asked.note } : {}),
    expected: { acknowledged: false, cleared: alarm.clearedAt !== null },
  });
  const card = {
    title: inBoth((l) => ackTexts.title(l, alarm)),
    action: { zh: '确认告警', en: 'Acknowledge alarm' },
    target: { label: { zh: '告警对象', en: 'Alarm on' }, value: `${alarm.ne} ${alarm.object} · ${alarm.severity}`, source: { system: 'nms', readAt } },
  };
  // "Not acknowledged" is what the NMS said at readAt: the card shows it as the current state's source.
  const sources = { acknowledged: { system: 'nms', readAt } };
  return { kind: 'propose', proposal: { tool: 'nms.acknowledgeAlarm', input, title: ackTexts.title(lang, alarm), facts: { severity: alarm.severity }, card, sources }, unresolved: [] };
}

export const alarmAck = defineSkill({
  flow: 'alarm.ack',
  plan: z.object({ flow: z.literal('alarm.ack'), lang: langSchema, alarmId: z.string(), note: z.string().nullable() }),
  commands: [
    {
      priority: 130,
      // After the command word, the rest is the note; without one, the message must be only the ack.
      words: 'own',
      parse: ({ raw, text, lang: asked, now }) => {
        if (!ACK_CMD.test(text)) {
          const id = ALARM_ID.exec(text)?.[1];
          return id && CONFIRM.test(text) && whole(text, VOCABULARY, now) ? { flow: 'alarm.ack' as const, lang: asked, alarmId: id.toUpperCase(), note: null } : undefined;
        }
        const lang = keywordLang(ACK_CMD, text);
        const id = ALARM_ID.exec(text)?.[1];
        if (!id) return clarify(lang, ackTexts.whichAlarm);
        const note = stripLead(rawRestAfter(raw, ALARM_ID), /^(?:[:：,，]|备注|note|comment)+\s*/i);
        // "ack ALM… please": politeness is not a note.
        const noteText = /^(?:please|pls|thanks|thank you|谢谢|多谢|麻烦了|辛苦了)[\s.!。！]*$/i.test(note) ? '' : note;
        if (noteText.length > MAX_NOTE) return clarify(lang, ackTexts.noteTooLong);
        return { flow: 'alarm.ack' as const, lang, alarmId: id.toUpperCase().replace('-', ''), note: noteText || null };
      },
    },
  ],
  uses: { tool: 'nms.acknowledgeAlarm', effect: 'write' },
  help: [{ section: 'write', order: 3, text: { zh: '确认告警 ALM900001 [备注]', en: 'ack alarm ALM900001 [note]' } }],
  run: (plan, tools) => proposeAck(plan.lang, { alarmId: plan.alarmId, ...(plan.note ? { note: plan.note } : {}) }, tools),
  proposal: {
    tool: 'nms.acknowledgeAlarm',
    input: modelArgs,
    target: (args) => String(args.alarmId ?? '').trim().toUpperCase(),
    targetKind: 'id',
    intent: /确认|认领|\bACK\b|ACKNOWLEDGE/,
    build: (args, tools, lang) => proposeAck(lang, valid(modelArgs, args), tools),
  },
});
