/** The legacy-system tools and how to log in to each portal. */
import type { AnyTool } from '../define.js';
import { getCustomer } from './crm.js';
import { listAlarms } from './nms.js';
import { getPort } from './resource.js';
import { getTicket, updateTicketFields } from './ticket.js';
import { dispatchWorkOrder, getWorkOrder } from './workorder.js';
import { addTicketNote } from './ticket-note.js';
import { acknowledgeAlarm, getAlarm } from './nms-alarm.js';
import { verifyIdentity } from './identity.js';
import { getNumberStatus } from './numbers.js';
import { checkBlacklist } from './risk.js';
import { sendNotice } from './sms.js';
import { checkPlanEligibility, getBills } from './billing.js';
import { compareChannelBilling } from './recon.js';

export { portalLogin } from './login.js';

export const legacyTools: readonly AnyTool[] = [getPort, listAlarms, getTicket, getCustomer, updateTicketFields, verifyIdentity, getNumberStatus, checkBlacklist, sendNotice, getWorkOrder, dispatchWorkOrder, addTicketNote, getAlarm, acknowledgeAlarm, getBills, checkPlanEligibility, compareChannelBilling];
