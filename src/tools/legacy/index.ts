/** The legacy-system tools and how to log in to each portal. */
import type { AnyTool } from '../define.js';
import { getCustomer } from './crm.js';
import { listAlarms } from './nms.js';
import { getPort } from './resource.js';
import { getTicket, updateTicketFields } from './ticket.js';

export { portalLogin } from './login.js';

export const legacyTools: readonly AnyTool[] = [getPort, listAlarms, getTicket, getCustomer, updateTicketFields];
