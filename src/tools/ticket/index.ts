/** The ticket system's tools: tickets, their notes, their work orders and the field-team directory. */
import type { AnyTool } from '../define.js';
import { getTicket, updateTicketFields } from './ticket.js';
import { addTicketNote } from './ticket-note.js';
import { dispatchWorkOrder, getWorkOrder, listWorkOrders } from './workorder.js';
import { listTeams } from './teams.js';

export const ticketTools: readonly AnyTool[] = [getTicket, updateTicketFields, getWorkOrder, listWorkOrders, listTeams, dispatchWorkOrder, addTicketNote];
