/**
 * The one guard of a ticket-field write, used by the command flow and by the LLM's proposal: the
 * ticket's current values of the proposed fields become `expected`, so the write refuses if
 * anyone changes them before it runs, and the title says whether it completes or changes them.
 */
import type { Lang } from '../../chat/lang.js';
import { updateTicketFieldsInput, type CompletableField, type Ticket, type UpdateTicketFieldsInput } from '../../tools/ticket/schemas.js';
import type { ValueSource } from '../../chat/approval-card.js';
import { WouldFail, valid, type WriteProposal } from '../contract.js';
import { closedTicketText } from '../texts.js';
import { completeTitle, updateTitle } from './texts.js';

/**
 * The record and customer a ticket write concerns, as the guard read the ticket (ticket id,
 * customer id, service number — masked on the card), for the approval card.
 */
export function ticketTarget(ticket: Ticket, readAt: string): NonNullable<WriteProposal['card']>['target'] {
  return {
    label: { zh: '工单 · 客户', en: 'Ticket · customer' },
    value: [ticket.id, ticket.customerId, ticket.serviceNumber].filter((v): v is string => !!v).join(' · '),
    source: { system: 'ticket', readAt },
  };
}

export function ticketFieldsProposal(
  lang: Lang,
  ticket: Ticket,
  fields: UpdateTicketFieldsInput['fields'],
  opts: { lookedUp: boolean; readAt: string; sources?: Partial<Record<CompletableField, ValueSource>> },
): WriteProposal {
  // The ticket system refuses to change a closed ticket: known from the read, so no card.
  if (ticket.status === 'closed') throw new WouldFail('ticket.updateFields', 'ticket_closed', closedTicketText(ticket.id, { zh: '修改', en: 'it cannot be changed' }));
  const expected: UpdateTicketFieldsInput['expected'] = {};
  for (const f of Object.keys(fields) as CompletableField[]) expected[f] = ticket[f];
  const input = valid(updateTicketFieldsInput, { ticketId: ticket.id, fields, expected });
  const completes = Object.values(expected).every((v) => v === null || v === '');
  const action = completes ? completeTitle : updateTitle;
  return {
    tool: 'ticket.updateFields',
    input,
    title: `${action[lang]} ${ticket.id}`,
    ...(opts.lookedUp ? { lookedUp: true } : {}),
    card: { title: { zh: `${action.zh} ${ticket.id}`, en: `${action.en} ${ticket.id}` }, action, target: ticketTarget(ticket, opts.readAt) },
    ...(opts.sources ? { sources: opts.sources as Record<string, ValueSource> } : {}),
  };
}
