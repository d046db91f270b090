/** The ticket system's tools: tickets, their notes and their work orders. */
import type { AnyTool } from '../define.js';
import { getTicket, updateTicketFields } from './ticket.js';
import { addTicketNote } from './ticket-note.js';
import { dispatchWorkOrder, getWorkOrder, listWorkOrders } from './workorder.js';

export const ticketTools: readonly AnyTool[] = [getTicket, updateTicketFields, getWorkOrder, listWorkOrders, dispatchWorkOrder, addTicketNote];
