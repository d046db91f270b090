/**
 * Dispatch a ticket to a team or an engineer for a time window, after a manager approves:
 * "派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00 [备注]". The guard refuses a
 * malformed request before touching the ticket system, then reads the ticket so the proposal
 * carries the status the approver saw, and the field-team directory so a team or engineer the
 * portal would refuse at save time is refused now, with the nearest names of the ticket's region.
 */
import { z } from 'zod';
import { langSchema, type Lang } from '../../chat/lang.js';
import { dispatchWorkOrderInput, getTicketInput, getTicketOutput, listTeamsInput, listTeamsOutput, listWorkOrdersInput, listWorkOrdersOutput, openWorkOrderStatuses, type FieldTeam } from '../../tools/ticket/schemas.js';
import { formatTime } from '../../chat/locale.js';
import { isPolicyDenied } from '../denials.js';
import { WouldFail, clarify, defineSkill, inBoth, valid, type FlowResult, type FlowTools } from '../contract.js';
import { ticketTarget } from '../ticket-complete/guard.js';
import { TICKET, keywordLang, stripLead } from '../grammar.js';
import { whenIn } from '../when.js';
import { DISPATCH_CMD } from './grammar.js';
import { checkAssignee } from './directory.js';
import { MAX_DISPATCH_NOTE, dispatchTexts } from './texts.js';

const PRIORITY = /(?<![A-Za-z0-9_])P([1-4])(?![A-Za-z0-9_])/i;
const TEAM_WORDS = /(组|班|队|中心|站|部|team|group|crew|squad|unit)/i;
const CONNECT = /^(?:to|给|派给|交给|→|->|:|,)\s*/i;
const EXPLICIT_ENGINEER = /^(?:工程师|师傅|engineer|tech(?:nician)?)\s*/i;
const EXPLICIT_TEAM = /^(?:班组|团队|team)\s*/i;
const q = dispatchTexts.questions;

/** The dispatch as asked for, before the guard adds what the approver saw. */
type Asked = Omit<z.input<typeof dispatchWorkOrderInput>, 'expected'>;

// .omit() refuses a refined object: rebuild the dispatch input without its server-filled guard.
const { expected: _guard, ...dispatchShape } = dispatchWorkOrderInput.shape;
/** What the model fills; `expected` is the guard's. */
const modelArgs = z
  .object(dispatchShape)
  .strict()
  .refine((v) => v.team !== undefined || v.engineer !== undefined, 'a team or an engineer');

/** The portal's limit on an appointment window (it refuses a longer one). */
const MAX_WINDOW_MINUTES = 8 * 60;

/** "2026-11-25 09:00" (operator-local, UTC+8) as an instant. */
function localMinute(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) - 8 * 3600_000;
}

/** A read the requester's role may not make: the guard goes on without it and says so on the card. */
const roleDenied = (err: unknown): boolean => isPolicyDenied(err) && err.kind === 'role';

/**
 * The asked team / engineer as the directory names them (the full "中文 English" team name, the
 * engineer's team when only an engineer was given), or a WouldFail saying what is wrong. The
 * ticket region's teams are read for the requester; every region's only when the name is not
 * there and the requester may see every region, to tell "another region's" from "no such" (one
 * who may not is told it is not in theirs: reading the others would be refused and audited as an
 * out-of-scope attempt they never made).
 */
async function resolveAssignee(lang: Lang, asked: Asked, region: string | null, tools: FlowTools, warnings: string[]): Promise<{ team?: string; engineer?: string }> {
  const read = async (r: string | null): Promise<readonly FieldTeam[] | null> => {
    try {
      return (await tools.call('workorder.teams', valid(listTeamsInput, r ? { region: r } : {}), listTeamsOutput)).teams;
    } catch (err) {
      if (roleDenied(err) || (isPolicyDenied(err) && err.kind === 'scope')) return null;
      throw err;
    }
  };
  const regionTeams = await read(region);
  if (!regionTeams) {
    warnings.push(dispatchTexts.teamsNotChecked(lang));
    return {};
  }
  const query = { ...(asked.team !== undefined && { team: asked.team }), ...(asked.engineer !== undefined && { engineer: asked.engineer }) };
  let check = checkAssignee(query, regionTeams, null);
  if (!check.ok && region && tools.seesEveryRegion?.() && ['team_unknown', 'engineer_unknown', 'assignee_unknown'].includes(check.reason)) check = checkAssignee(query, regionTeams, await read(null));
  if (!check.ok) throw new WouldFail('workorder.dispatch', check.reason, dispatchTexts.assignee(check, region));
  return { team: check.team.name, ...(check.engineer !== undefined && { engineer: check.engineer }) };
}

async function proposeDispatch(lang: Lang, asked: Asked, tools: FlowTools): Promise<FlowResult> {
  // Refuse a malformed request before touching the ticket system.
  const shape = valid(dispatchWorkOrderInput, { ...asked, expected: { ticketStatus: '' } });
  // What the portal would refuse at save time, known now: a window already started (the
  // operator-local clock), a window longer than the portal allows.
  const now = (tools.now?.() ?? new Date()).getTime();
  const start = localMinute(shape.window.start);
  if (start < now) throw new WouldFail('workorder.dispatch', 'window_started', dispatchTexts.windowStarted(shape.window.start, formatTime(new Date(now))));
  if ((localMinute(shape.window.end) - start) / 60_000 > MAX_WINDOW_MINUTES) throw new WouldFail('workorder.dispatch', 'window_too_long', dispatchTexts.windowTooLong(MAX_WINDOW_MINUTES / 60));
  const { ticket } = await tools.call('ticket.get', valid(getTicketInput, { ticketId: asked.ticketId }), getTicketOutput);
  if (ticket.status === 'closed') throw new WouldFail('workorder.dispatch', 'ticket_closed', dispatchTexts.ticketClosed(ticket.id));
  const warnings: string[] = [];
  const resolved = await resolveAssignee(lang, asked, ticket.region, tools, warnings);
  const readAt = new Date().toISOString();
  const input = valid(dispatchWorkOrderInput, { ...asked, ...resolved, ticketId: ticket.id, expected: { ticketStatus: ticket.status } });
  const to = [input.team, input.engineer].filter(Boolean).join(' / ');
  // A work order still open for this ticket: a second dispatch is a second visit; the approver is told.
  try {
    const { workOrders } = await tools.call('workorder.list', valid(listWorkOrdersInput, { ticketId: ticket.id }), listWorkOrdersOutput);
    for (const w of workOrders.filter((o) => openWorkOrderStatuses.includes(o.status))) warnings.push(dispatchTexts.alreadyDispatched(lang, w));
  } catch (err) {
    if (!roleDenied(err)) throw err;
    warnings.push(dispatchTexts.notChecked(lang));
  }
  const card = { title: inBoth((l) => dispatchTexts.title(l, ticket.id, to)), action: { zh: '派单', en: 'Dispatch work order' }, target: ticketTarget(ticket, readAt) };
  return { kind: 'propose', proposal: { tool: 'workorder.dispatch', input, title: dispatchTexts.title(lang, ticket.id, to), card, ...(warnings.length ? { warnings } : {}) }, unresolved: [] };
}

const dispatchPlan = z.object({
  flow: z.literal('workorder.dispatch'),
  lang: langSchema,
  ticketId: z.string(),
  /** Exactly one of team / engineer, as typed: the guard resolves it in the portal's directory. */
  team: z.string().nullable(),
  engineer: z.string().nullable(),
  priority: z.enum(['P1', 'P2', 'P3', 'P4']),
  start: z.string(),
  end: z.string(),
  note: z.string().nullable(),
});

export const workorderDispatch = defineSkill({
  flow: 'workorder.dispatch',
  plan: dispatchPlan,
  commands: [
    {
      priority: 106,
      // Anchored at the start; a note may follow the window.
      words: 'own',
      parse: ({ text, now }) => {
        if (!DISPATCH_CMD.test(text)) return undefined;
        const lang = keywordLang(DISPATCH_CMD, text);
        const ticketM = TICKET.exec(text);
        if (!ticketM) return clarify(lang, q.ticket);
        const tail = text.slice(ticketM.index + ticketM[0].length);
        const prio = PRIORITY.exec(tail);
        // The window as people say it ("明天上午9点到11点", "tomorrow 9-11", "2026-12-02 09:00-11:00"), made absolute.
        const when = whenIn(tail, now);
        const firstArg = Math.min(...[prio?.index, when?.index].filter((i): i is number => i !== undefined), tail.length);
        let who = stripLead(tail.slice(0, firstArg).trim(), CONNECT);
        if (!who && prio && (!when || prio.index < when.index)) {
          const until = when && when.index > prio.index ? when.index : tail.length;
          who = stripLead(tail.slice(prio.index + prio[0].length, until).trim(), CONNECT);
        }
        who = who.replace(/[,，]$/, '').trim();
        if (!who) return clarify(lang, q.assignee);
        if (!prio) return clarify(lang, q.priority);
        if (!when || !when.start || !when.end || !when.dayNamed) return clarify(lang, q.window);
        const start = `${when.day} ${when.start}`;
        const end = `${when.day} ${when.end}`;
        if (end <= start) return clarify(lang, q.windowOrder);
        const note = stripLead(tail.slice(when.index + when.length), /^(?:[:：,，]|备注|note)+\s*/i);
        if (note.length > MAX_DISPATCH_NOTE) return clarify(lang, q.noteTooLong);
        let team: string | null = null;
        let engineer: string | null = null;
        if (EXPLICIT_ENGINEER.test(who)) engineer = who.replace(EXPLICIT_ENGINEER, '').trim();
        else if (EXPLICIT_TEAM.test(who)) team = who.replace(EXPLICIT_TEAM, '').trim();
        else if (TEAM_WORDS.test(who)) team = who;
        else engineer = who;
        if (!(team ?? engineer)) return clarify(lang, q.assignee);
        const priority = `P${prio[1]}` as z.infer<typeof dispatchPlan>['priority'];
        return { flow: 'workorder.dispatch' as const, lang, ticketId: ticketM[1]!.toUpperCase(), team, engineer, priority, start, end, note: note || null };
      },
    },
  ],
  uses: { tool: 'workorder.dispatch', effect: 'write' },
  help: [
    {
      section: 'write',
      order: 1,
      // A relative window: the example stays valid on any day it is read.
      text: { zh: '派单 T20261124-0012 杭州装维一组 P2 明天上午9点到11点 [备注]', en: 'dispatch T20261124-0012 to <team or engineer> P2 tomorrow 9-11am [note]' },
    },
  ],
  run: (plan, tools) =>
    proposeDispatch(
      plan.lang,
      {
        ticketId: plan.ticketId,
        ...(plan.team ? { team: plan.team } : {}),
        ...(plan.engineer ? { engineer: plan.engineer } : {}),
        priority: plan.priority,
        window: { start: plan.start, end: plan.end },
        ...(plan.note ? { note: plan.note } : {}),
      },
      tools,
    ),
  proposal: {
    tool: 'workorder.dispatch',
    input: modelArgs,
    target: (args) => String(args.ticketId ?? '').trim().toUpperCase(),
    targetKind: 'id',
    intent: /派|安排.*(装维|师傅|工程师|上门|人)|上门|DISPATCH|ASSIGN|SEND (AN? )?(ENGINEER|TECHNICIAN|TEAM|SOMEONE)|WORK ?ORDER/,
    build: (args, tools, lang) => proposeDispatch(lang, valid(modelArgs, args), tools),
  },
});
