/** Active alarms of a network element, or of one port on it: "查告警 OLT-HZ-01 [0/1/3]". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { listAlarmsInput, listAlarmsOutput } from '../../tools/nms/schemas.js';
import { answered, clarify, defineSkill } from '../contract.js';
import { portIn, words } from '../grammar.js';
import { alarmQuestions, alarmSummary } from './texts.js';

const ALARM_WORDS = /(告警|警报|alarm)/i;
const VOCABULARY = words('查告警', '告警', '警报', '有没有', '没有', '没', '有', '什么', '哪些', '多少', '活动', '当前', '端口', '口', 'port', 'alarms?', 'active', 'any', 'open', 'list', 'there');

export const alarmsList = defineSkill({
  flow: 'alarms.list',
  plan: z.object({ flow: z.literal('alarms.list'), lang: langSchema, ne: z.string(), object: z.string().nullable() }),
  commands: [
    {
      priority: 310,
      words: VOCABULARY,
      parse: ({ text, lang, slash }) => {
        if (!ALARM_WORDS.test(text) && slash !== 'alarms') return undefined;
        const { olt, fsp } = portIn(text);
        return olt ? { flow: 'alarms.list' as const, lang, ne: olt, object: fsp ?? null } : clarify(lang, alarmQuestions.ne);
      },
    },
  ],
  uses: { tool: 'nms.listAlarms', effect: 'read' },
  help: [{ section: 'read', order: 2, text: { zh: '查告警 OLT-HZ-01 — 网元的活动告警', en: 'alarms OLT-HZ-01 — active alarms of a network element' } }],
  async run(plan, tools) {
    const input = listAlarmsInput.parse({ ne: plan.ne, object: plan.object, state: 'active', limit: 20 });
    const res = await tools.call('nms.listAlarms', input, listAlarmsOutput);
    const scope = plan.object ? `${plan.ne} ${plan.object}` : plan.ne;
    return answered(alarmSummary(plan.lang, res.alarms, res.total, scope));
  },
});
