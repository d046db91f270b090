/**
 * Add a note to a ticket after a manager approves: "工单备注 T20261124-0012 用户已重启光猫". The
 * guard refuses a malformed note before touching the ticket system, then reads the ticket so the
 * proposal carries the status the approver saw.
 */
import { z } from 'zod';
import { langSchema, type Lang } from '../../chat/lang.js';
import { addTicketNoteInput, getTicketInput, getTicketOutput } from '../../tools/ticket/schemas.js';
import { WouldFail, clarify, defineSkill, valid, type FlowResult, type FlowTools } from '../contract.js';
import { closedTicketText } from '../texts.js';
import { TICKET, anchored, keywordLang, rawRestAfter, stripLead, ticketIn } from '../grammar.js';
import { MAX_NOTE, noteTexts } from './texts.js';

const NOTE_CMD = anchored(String.raw`工单备注|添加工单备注|添加备注|加备注|备注工单|add\s+(?:a\s+)?note(?:\s+to)?|note`);
/** What the model fills: the ticket and the note; `expected` is the guard's. */
const modelArgs = addTicketNoteInput.omit({ expected: true });

async function proposeNote(lang: Lang, asked: { ticketId: string; note: string }, tools: FlowTools): Promise<FlowResult> {
  valid(modelArgs, asked);
  const { ticket } = await tools.call('ticket.get', valid(getTicketInput, { ticketId: asked.ticketId }), getTicketOutput);
  if (ticket.status === 'closed') throw new WouldFail('ticket.addNote', 'ticket_closed', closedTicketText(ticket.id, { zh: '添加备注', en: 'no note can be added' }));
  const input = valid(addTicketNoteInput, { ticketId: ticket.id, note: asked.note, expected: { status: ticket.status } });
  return { kind: 'propose', proposal: { tool: 'ticket.addNote', input, title: noteTexts.title(lang, ticket.id) }, unresolved: [] };
}

export const ticketNote = defineSkill({
  flow: 'ticket.note',
  plan: z.object({ flow: z.literal('ticket.note'), lang: langSchema, ticketId: z.string(), note: z.string() }),
  commands: [
    {
      // First of all: a note's free text may hold any other command's words.
      priority: 100,
      parse: ({ raw, text }) => {
        if (!NOTE_CMD.test(text)) return undefined;
        const lang = keywordLang(NOTE_CMD, text);
        const ticket = ticketIn(text);
        if (!ticket) return clarify(lang, noteTexts.whichTicket);
        const note = stripLead(rawRestAfter(raw, TICKET), /^(?:[:：,，]|备注|内容|note|text)+\s*/i);
        if (!note) return clarify(lang, noteTexts.whatText);
        if (note.length > MAX_NOTE) return clarify(lang, noteTexts.tooLong);
        return { flow: 'ticket.note' as const, lang, ticketId: ticket, note };
      },
    },
  ],
  help: [{ section: 'write', order: 2, text: { zh: '工单备注 T20261124-0012 用户已重启光猫', en: 'add note T20261124-0012 <text>' } }],
  run: (plan, tools) => proposeNote(plan.lang, { ticketId: plan.ticketId, note: plan.note }, tools),
  proposal: {
    tool: 'ticket.addNote',
    input: modelArgs,
    target: (args) => String(args.ticketId ?? '').trim().toUpperCase(),
    targetKind: 'id',
    intent: /备注|记一下|记录|记上|加一条|写一条|留言|NOTE|COMMENT|REMARK|LOG THAT|RECORD THAT/,
    build: (args, tools, lang) => proposeNote(lang, valid(modelArgs, args), tools),
  },
});
