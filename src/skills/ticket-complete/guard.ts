/**
 * The one guard of a ticket-field write, used by the command flow and by the LLM's proposal: the
 * ticket's current values of the proposed fields become `expected`, so the write refuses if
 * anyone changes them before it runs, and the title says whether it completes or changes them.
 */
import type { Lang } from '../../chat/lang.js';
import { updateTicketFieldsInput, type CompletableField, type Ticket, type UpdateTicketFieldsInput } from '../../tools/ticket/schemas.js';
import { WouldFail, valid, type WriteProposal } from '../contract.js';
import { closedTicketText } from '../texts.js';
import { completeTitle, updateTitle } from './texts.js';

export function ticketFieldsProposal(lang: Lang, ticket: Ticket, fields: UpdateTicketFieldsInput['fields'], opts: { lookedUp: boolean }): WriteProposal {
  // The ticket system refuses to change a closed ticket: known from the read, so no card.
  if (ticket.status === 'closed') throw new WouldFail('ticket.updateFields', 'ticket_closed', closedTicketText(ticket.id, { zh: '修改', en: 'it cannot be changed' }));
  const expected: UpdateTicketFieldsInput['expected'] = {};
  for (const f of Object.keys(fields) as CompletableField[]) expected[f] = ticket[f];
  const input = valid(updateTicketFieldsInput, { ticketId: ticket.id, fields, expected });
  const completes = Object.values(expected).every((v) => v === null || v === '');
  return {
    tool: 'ticket.updateFields',
    input,
    title: `${(completes ? completeTitle : updateTitle)[lang]} ${ticket.id}`,
    ...(opts.lookedUp ? { lookedUp: true } : {}),
  };
}
