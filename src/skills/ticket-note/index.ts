/**
 * Add a note to a ticket after a manager approves: "工单备注 T20261124-0012 用户已重启光猫". The
 * guard refuses a malformed note before touching the ticket system, then reads the ticket so the
 * proposal carries the status the approver saw.
 */
import { z } from 'zod';
import { langSchema, type Lang } from '../../chat/lang.js';
import { addTicketNoteInput, getTicketInput, getTicketOutput } from '../../tools/ticket/schemas.js';
import { WouldFail, clarify, defineSkill, inBoth, valid, type FlowResult, type FlowTools } from '../contract.js';
import { ticketTarget } from '../ticket-complete/guard.js';
import { closedTicketText } from '../texts.js';
import { TICKET, anchored, keywordLang, rawAfter, rawRestAfter, stripLead, ticketIn } from '../grammar.js';
import { MAX_NOTE, noteTexts } from './texts.js';

const NOTE_CMD = anchored(
  String.raw`工单备注|添加工单备注|添加备注|加个备注|加备注|备注一下|备注工单|备注|add\s+(?:a\s+)?note(?:\s+(?:to|on))?(?:\s+ticket)?|note(?:\s+(?:on|for|to))?(?:\s+ticket)?`,
);
/**
 * The ticket first, then the note word: "工单 T… 加备注：…", "给T…加备注：…", "T… 备注：…",
 * "ticket T… add note …". Nothing but these may come before the note's own text.
 */
const NOTE_PREFIX = String.raw`^(?:请|帮我|帮忙|麻烦)?\s*(?:给|为|在)?\s*(?:工单|ticket)?\s*${TICKET.source}\s*(?:的|上)?\s*(?:添加备注|加个备注|加一条备注|加备注|写个备注|备注一下|备注|add\s+(?:a\s+)?note|note)`;
const NOTE_AFTER_TICKET = new RegExp(String.raw`${NOTE_PREFIX}(?:[:：,，]|\s|$)`, 'i');
/** What the model fills: the ticket and the note; `expected` is the guard's. */
const modelArgs = addTicketNoteInput.omit({ expected: true });

async function proposeNote(lang: Lang, asked: { ticketId: string; note: string }, tools: FlowTools): Promise<FlowResult> {
  valid(modelArgs, asked);
  const { ticket } = await tools.call('ticket.get', valid(getTicketInput, { ticketId: asked.ticketId }), getTicketOutput);
  if (ticket.status === 'closed') throw new WouldFail('ticket.addNote', 'ticket_closed', closedTicketText(ticket.id, { zh: '添加备注', en: 'no note can be added' }));
  const readAt = new Date().toISOString();
  const input = valid(addTicketNoteInput, { ticketId: ticket.id, note: asked.note, expected: { status: ticket.status } });
  const card = { title: inBoth((l) => noteTexts.title(l, ticket.id)), action: { zh: '添加工单备注', en: 'Add ticket note' }, target: ticketTarget(ticket, readAt) };
  return { kind: 'propose', proposal: { tool: 'ticket.addNote', input, title: noteTexts.title(lang, ticket.id), card }, unresolved: [] };
}

export const ticketNote = defineSkill({
  flow: 'ticket.note',
  plan: z.object({ flow: z.literal('ticket.note'), lang: langSchema, ticketId: z.string(), note: z.string() }),
  commands: [
    {
      // First of all: a note's free text may hold any other command's words.
      priority: 100,
      // The note's free text may hold any word; what precedes it is the command.
      words: 'own',
      parse: ({ raw, text }) => {
        const after = NOTE_AFTER_TICKET.exec(text);
        if (!after && !NOTE_CMD.test(text)) return undefined;
        const lang = after ? keywordLang(/备注|note/i, after[0]) : keywordLang(NOTE_CMD, text);
        const ticket = ticketIn(text);
        if (!ticket) return clarify(lang, noteTexts.whichTicket);
        const rest = after ? rawAfter(raw, new RegExp(NOTE_PREFIX, 'i')) : rawRestAfter(raw, TICKET);
        const note = stripLead(rest, /^(?:[:：,，]|备注|内容|note|text)+\s*/i);
        if (!note) return clarify(lang, noteTexts.whatText);
        if (note.length > MAX_NOTE) return clarify(lang, noteTexts.tooLong);
        return { flow: 'ticket.note' as const, lang, ticketId: ticket, note };
      },
    },
  ],
  uses: { tool: 'ticket.addNote', effect: 'write' },
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
