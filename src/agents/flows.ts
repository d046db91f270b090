/**
 * The read part of each flow: which tools to call, in which order, and what to say or propose.
 * Flows see tools only through FlowTools.call, which authorizes, records and scope-checks every
 * call, so a flow cannot reach a legacy system any other way.
 */
import type { z } from 'zod';
import type { Plan, Lang } from './plan.js';
import { alarmSummary, messages, portReply, ticketReply } from './replies.js';
import {
  getCustomerInput,
  customerSchema,
  getPortInput,
  portSchema,
  getTicketInput,
  getTicketOutput,
  listAlarmsInput,
  listAlarmsOutput,
  type CompletableField,
  type UpdateTicketFieldsInput,
} from '../tools/schemas.js';

export interface FlowTools {
  call<S extends z.ZodType>(tool: string, input: z.input<typeof getPortInput> | Record<string, unknown>, output: S): Promise<z.infer<S>>;
}

export interface WriteProposal {
  tool: string;
  input: Record<string, unknown>;
  title: string;
}

export type FlowResult =
  | { kind: 'reply'; text: string; status: 'succeeded' | 'not_understood' }
  /** The proposing node writes the message, since only it knows who the approvers are. */
  | { kind: 'propose'; proposal: WriteProposal; unresolved: CompletableField[] };

export async function runFlow(plan: Plan, tools: FlowTools): Promise<FlowResult> {
  const lang = plan.lang;
  switch (plan.flow) {
    case 'help':
      return { kind: 'reply', text: messages.help(lang), status: 'succeeded' };
    case 'unknown':
      return { kind: 'reply', text: messages.unknown(lang), status: 'not_understood' };
    case 'clarify':
      return { kind: 'reply', text: plan.question, status: 'not_understood' };
    case 'port.status':
      return portStatus(lang, plan.olt, plan.fsp, tools);
    case 'alarms.list': {
      const input = listAlarmsInput.parse({ ne: plan.ne, object: plan.object, state: 'active', limit: 20 });
      const res = await tools.call('nms.listAlarms', input, listAlarmsOutput);
      const scope = plan.object ? `${plan.ne} ${plan.object}` : plan.ne;
      return { kind: 'reply', text: alarmSummary(lang, res.alarms, res.total, scope), status: 'succeeded' };
    }
    case 'ticket.show': {
      const res = await tools.call('ticket.get', getTicketInput.parse({ ticketId: plan.ticketId }), getTicketOutput);
      return { kind: 'reply', text: ticketReply(lang, res.ticket, res.missingFields), status: 'succeeded' };
    }
    case 'ticket.complete':
      return completeTicket(lang, plan.ticketId, tools);
  }
}

async function portStatus(lang: Lang, olt: string, fsp: string, tools: FlowTools): Promise<FlowResult> {
  const port = await tools.call('resource.getPort', getPortInput.parse({ olt, fsp }), portSchema);
  const alarms = await tools.call(
    'nms.listAlarms',
    listAlarmsInput.parse({ ne: port.olt, object: port.fsp, state: 'active', limit: 20 }),
    listAlarmsOutput,
  );
  return { kind: 'reply', text: portReply(lang, port, alarms.alarms, alarms.total), status: 'succeeded' };
}

/**
 * Complete a ticket's missing fields from CRM (account, address) and the resource system (port,
 * ONU). Only fields that are empty now are proposed, and the proposal carries their current
 * (empty) values so the write refuses if someone filled them in the meantime.
 */
async function completeTicket(lang: Lang, ticketId: string, tools: FlowTools): Promise<FlowResult> {
  const { ticket, missingFields } = await tools.call('ticket.get', getTicketInput.parse({ ticketId }), getTicketOutput);
  if (missingFields.length === 0) {
    return { kind: 'reply', text: messages.nothingToComplete(lang, ticket.id), status: 'succeeded' };
  }
  const found: Partial<Record<CompletableField, string>> = {};
  let broadbandAccount = ticket.broadbandAccount;

  const needsCustomer = missingFields.some((f) => f === 'broadbandAccount' || f === 'address') || !broadbandAccount;
  if (needsCustomer && (ticket.customerId || ticket.serviceNumber)) {
    const query = ticket.customerId ? { customerId: ticket.customerId } : { mobile: ticket.serviceNumber ?? '' };
    const customer = await tools.call('crm.getCustomer', getCustomerInput.parse(query), customerSchema);
    if (customer.broadbandAccount) found.broadbandAccount = customer.broadbandAccount;
    if (customer.address) found.address = customer.address;
    broadbandAccount ??= customer.broadbandAccount;
  }
  if ((missingFields.includes('accessPort') || missingFields.includes('onuSn')) && broadbandAccount) {
    const port = await tools.call('resource.getPort', getPortInput.parse({ broadbandAccount }), portSchema);
    found.accessPort = `${port.olt} ${port.fsp}`;
    if (port.onuSn) found.onuSn = port.onuSn;
  }

  const fields: UpdateTicketFieldsInput['fields'] = {};
  const expected: UpdateTicketFieldsInput['expected'] = {};
  for (const f of missingFields) {
    const value = found[f];
    if (value) {
      fields[f] = value;
      expected[f] = ticket[f];
    }
  }
  const unresolved = missingFields.filter((f) => !found[f]);
  if (Object.keys(fields).length === 0) {
    return { kind: 'reply', text: messages.cannotFill(lang, ticket.id, missingFields), status: 'succeeded' };
  }
  const input: UpdateTicketFieldsInput = { ticketId: ticket.id, fields, expected };
  return {
    kind: 'propose',
    proposal: {
      tool: 'ticket.updateFields',
      input,
      title: lang === 'zh' ? `补全工单 ${ticket.id}` : `Complete ticket ${ticket.id}`,
    },
    unresolved,
  };
}
