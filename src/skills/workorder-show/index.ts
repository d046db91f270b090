/** A work order's details: "查派单 W20261124-0001" (also "派单 W…" naming a work order and no ticket). */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { getWorkOrderInput, getWorkOrderOutput } from '../../tools/ticket/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { TICKET, WORK_ORDER, words } from '../grammar.js';
import { DISPATCH_CMD } from '../workorder-dispatch/grammar.js';
import { whichWorkOrder, workOrderReply } from './texts.js';

const VOCABULARY = words(
  '查派单', '派单详情', '派单查询', '工单派单', '派单', '派工单', '派工', '详情', '什么情况', '情况', '状态', '进度', '到哪了', '到哪', '怎么样了', '怎么样', '谁去', '谁',
  'work order', 'workorder', 'wo', 'status', 'details?', 'progress', 'where is', 'how is',
);
const workOrderIn = (text: string) => WORK_ORDER.exec(text)?.[1]?.toUpperCase();

export const workorderShow = defineSkill({
  flow: 'workorder.show',
  plan: z.object({ flow: z.literal('workorder.show'), lang: langSchema, workOrderId: z.string() }),
  commands: [
    {
      // Before the dispatch command: "派单 W…" with no ticket asks about a work order.
      priority: 105,
      words: VOCABULARY,
      parse: ({ text, lang }) => {
        const workOrder = workOrderIn(text);
        return DISPATCH_CMD.test(text) && !TICKET.test(text) && workOrder ? { flow: 'workorder.show' as const, lang, workOrderId: workOrder } : undefined;
      },
    },
    {
      priority: 250,
      words: VOCABULARY,
      parse: ({ text, lang }) => {
        const workOrder = workOrderIn(text);
        if (workOrder) return { flow: 'workorder.show' as const, lang, workOrderId: workOrder };
        return /(查派单|派单详情|派单查询|work\s*order|^\/wo(?![a-z]))/i.test(text) ? clarify(lang, whichWorkOrder) : undefined;
      },
    },
  ],
  uses: { tool: 'workorder.get', effect: 'read' },
  help: [{ section: 'read', order: 9, text: { zh: '查派单 W20261124-0001 — 派单详情', en: 'work order W20261124-0001 — work order details' } }],
  async run(plan, tools) {
    const res = await tools.call('workorder.get', valid(getWorkOrderInput, { workOrderId: plan.workOrderId }), getWorkOrderOutput);
    return answered(workOrderReply(plan.lang, res.workOrder));
  },
});
