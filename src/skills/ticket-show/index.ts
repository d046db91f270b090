/** A ticket's details and which fields it is missing: "查工单 T20261124-0012". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { getTicketInput, getTicketOutput } from '../../tools/ticket/schemas.js';
import { answered, clarify, defineSkill } from '../contract.js';
import { ticketIn } from '../grammar.js';
import { ticketReply, whichTicket } from './texts.js';

const TICKET_WORDS = /(工单|ticket|查|show|get|看)/i;

export const ticketShow = defineSkill({
  flow: 'ticket.show',
  plan: z.object({ flow: z.literal('ticket.show'), lang: langSchema, ticketId: z.string() }),
  commands: [
    {
      priority: 330,
      parse: ({ text, lang }) => {
        const ticket = ticketIn(text);
        return ticket && (TICKET_WORDS.test(text) || text.toUpperCase() === ticket) ? { flow: 'ticket.show' as const, lang, ticketId: ticket } : undefined;
      },
    },
    { priority: 910, parse: ({ text, lang }) => (/(工单|\bticket\b)/i.test(text) ? clarify(lang, whichTicket) : undefined) },
  ],
  help: [{ section: 'read', order: 3, text: { zh: '查工单 T20261124-0012 — 工单详情与缺失字段', en: 'ticket T20261124-0012 — ticket details and missing fields' } }],
  async run({ lang, ticketId }, tools) {
    const res = await tools.call('ticket.get', getTicketInput.parse({ ticketId }), getTicketOutput);
    return answered(ticketReply(lang, res.ticket, res.missingFields));
  },
});
