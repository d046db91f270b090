/** A port's status, optical power, active alarms and the next step: "查端口 OLT-HZ-01 0/1/3". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { listAlarmsInput, listAlarmsOutput } from '../../tools/nms/schemas.js';
import { getPortInput, portSchema } from '../../tools/resource/schemas.js';
import { answered, clarify, defineSkill } from '../contract.js';
import { portIn, words } from '../grammar.js';
import { portQuestions, portReply } from './texts.js';

const PORT_WORDS = words('查端口', '端口', '这个口', '口', '光功率', '光衰', '收光', '发光', '功率', '状态', '怎么样了', '怎么样', '咋样', '如何', '多少', '正常', '有没有问题', 'port', 'pon', 'onu', 'status', 'optical', 'power', 'rx', 'tx', 'how is', "how's", 'doing', 'signal', 'light', 'level', 'ok', 'okay', 'fine', 'up', 'down', 'whats up', 'with', 'working', 'health', 'healthy', '好了吗', '好了', '通了吗', '通了', '掉线', '正常吗');

export const portStatus = defineSkill({
  flow: 'port.status',
  plan: z.object({ flow: z.literal('port.status'), lang: langSchema, olt: z.string(), fsp: z.string() }),
  commands: [
    {
      priority: 320,
      // An OLT and a port, with port words or nothing else at all.
      words: PORT_WORDS,
      parse: ({ text, lang }) => {
        const { olt, fsp } = portIn(text);
        return olt && fsp ? { flow: 'port.status' as const, lang, olt, fsp } : undefined;
      },
    },
    {
      priority: 900,
      words: PORT_WORDS,
      parse: ({ text, lang, slash }) => {
        if (!/(端口|\bport\b)/i.test(text) && slash !== 'port') return undefined;
        return clarify(lang, portIn(text).olt ? portQuestions.fsp : portQuestions.port);
      },
    },
  ],
  uses: { tool: 'resource.getPort', effect: 'read' },
  help: [{ section: 'read', order: 1, text: { zh: '查端口 OLT-HZ-01 0/1/3 — 端口状态、光功率、活动告警与处理建议', en: 'port OLT-HZ-01 0/1/3 — port status, optical power, active alarms and next step' } }],
  async run({ lang, olt, fsp }, tools) {
    const port = await tools.call('resource.getPort', getPortInput.parse({ olt, fsp }), portSchema);
    const alarms = await tools.call('nms.listAlarms', listAlarmsInput.parse({ ne: port.olt, object: port.fsp, state: 'active', limit: 20 }), listAlarmsOutput);
    return answered(portReply(lang, port, alarms.alarms, alarms.total));
  },
});
