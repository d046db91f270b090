/** A ticket's details and which fields it is missing: "查工单 T20261124-0012". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { getTicketInput, getTicketOutput } from '../../tools/ticket/schemas.js';
import { answered, clarify, defineSkill } from '../contract.js';
import { ticketIn, words } from '../grammar.js';
import { ticketReply, whichTicket } from './texts.js';

const VOCABULARY = words('查工单', '工单', '单子', '什么', '这张单', '单', '详情', '什么情况', '情况', '状态', '进度', '怎么样了', '怎么样', '到哪了', '处理到哪', 'ticket', 'details?', 'status', 'progress', 'info', 'how is', "how's", 'going');

export const ticketShow = defineSkill({
  flow: 'ticket.show',
  plan: z.object({ flow: z.literal('ticket.show'), lang: langSchema, ticketId: z.string() }),
  commands: [
    {
      priority: 330,
      // A ticket id with ticket words or nothing else: anything more is free text (the LLM's).
      words: VOCABULARY,
      parse: ({ text, lang }) => {
        const ticket = ticketIn(text);
        return ticket ? { flow: 'ticket.show' as const, lang, ticketId: ticket } : undefined;
      },
    },
    { priority: 910, words: VOCABULARY, parse: ({ text, lang }) => (/(工单|\bticket\b)/i.test(text) ? clarify(lang, whichTicket) : undefined) },
  ],
  uses: { tool: 'ticket.get', effect: 'read' },
  help: [{ section: 'read', order: 3, text: { zh: '查工单 T20261124-0012 — 工单详情与缺失字段', en: 'ticket T20261124-0012 — ticket details and missing fields' } }],
  async run({ lang, ticketId }, tools) {
    const res = await tools.call('ticket.get', getTicketInput.parse({ ticketId }), getTicketOutput);
    return answered(ticketReply(lang, res.ticket, res.missingFields));
  },
});
