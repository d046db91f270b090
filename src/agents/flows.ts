/**
 * The read part of each flow: which tools to call, in which order, and what to say or propose.
 * Flows see tools only through FlowTools.call, which authorizes, records and scope-checks every
 * call, so a flow cannot reach a legacy system any other way.
 */
import type { z } from 'zod';
import type { Plan, Lang } from './plan.js';
import {
  alarmSummary,
  batchProgress,
  batchReply,
  billsReply,
  blacklistReply,
  completeTitle,
  eligibilityReply,
  identityReply,
  messages,
  portReply,
  reconReply,
  systemName,
  ticketReply,
  workMessages,
  workOrderReply,
  type BatchItem,
} from './replies.js';
import { BusinessError, isBusinessError, isSystemError } from '../tools/errors.js';
import { runBatch } from '../tools/batch.js';
import { isPolicyDenied } from './denials.js';
import { customerRefLabel, maskMobile, maskResidentId, maskText } from '../policies/masking.js';
import { checkPlanEligibilityInput, checkPlanEligibilityOutput, getBillsInput, getBillsOutput } from '../tools/billing/schemas.js';
import { compareChannelBillingInput, compareChannelBillingOutput } from '../tools/channel/schemas.js';
import { getNumberStatusInput, getNumberStatusOutput, verifyIdentityInput, verifyIdentityOutput, getCustomerInput, customerSchema } from '../tools/crm/schemas.js';
import { acknowledgeAlarmInput, alarmSchema, getAlarmInput, listAlarmsInput, listAlarmsOutput } from '../tools/nms/schemas.js';
import { getPortInput, portSchema } from '../tools/resource/schemas.js';
import { checkBlacklistInput, checkBlacklistOutput } from '../tools/risk/schemas.js';
import { sendSmsNoticeInput } from '../tools/sms/schemas.js';
import { addTicketNoteInput, dispatchWorkOrderInput, getWorkOrderInput, getWorkOrderOutput, getTicketInput, getTicketOutput, type CompletableField, type UpdateTicketFieldsInput } from '../tools/ticket/schemas.js';

export interface FlowTools {
  call<S extends z.ZodType>(tool: string, input: z.input<typeof getPortInput> | Record<string, unknown>, output: S): Promise<z.infer<S>>;
  /**
   * Tell the requester how a long flow is getting on (the agent sends one message and updates it).
   * Optional: flows run without it. A failure to report never fails the flow.
   */
  progress?(text: string): Promise<void>;
  /** Most tool calls a batch flow keeps in flight at once (default BATCH_CONCURRENCY). */
  concurrency?: number;
}

/** Default calls in flight for a batch flow: enough to be quick, few enough to spare the portal. */
export const BATCH_CONCURRENCY = 4;

export interface WriteProposal {
  tool: string;
  input: Record<string, unknown>;
  title: string;
}

export type FlowResult =
  | { kind: 'reply'; text: string; status: 'succeeded' | 'not_understood' }
  /** The proposing node writes the message, since only it knows who the approvers are. */
  | { kind: 'propose'; proposal: WriteProposal; unresolved: CompletableField[] };

/** A planned argument the tool's schema refuses: told to the user, not an internal error. */
class InvalidInput extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

function valid<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new InvalidInput(r.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`));
}

export async function runFlow(plan: Plan, tools: FlowTools): Promise<FlowResult> {
  try {
    return await route(plan, tools);
  } catch (err) {
    if (err instanceof InvalidInput) return { kind: 'reply', text: maskText(workMessages.invalidInput(plan.lang, err.problems)), status: 'not_understood' };
    throw err;
  }
}

async function route(plan: Plan, tools: FlowTools): Promise<FlowResult> {
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
    case 'identity.verify': {
      const input = valid(verifyIdentityInput, { customer: plan.customer, residentId: plan.residentId, ...(plan.name ? { name: plan.name } : {}) });
      const res = await tools.call('crm.verifyIdentity', input, verifyIdentityOutput);
      return { kind: 'reply', text: identityReply(lang, customerRefLabel(plan.customer), res), status: 'succeeded' };
    }
    case 'blacklist.check': {
      const input = valid(checkBlacklistInput, { ...(plan.mobile ? { mobile: plan.mobile } : {}), ...(plan.residentId ? { residentId: plan.residentId } : {}) });
      const res = await tools.call('risk.checkBlacklist', input, checkBlacklistOutput);
      const subject = [plan.mobile ? maskMobile(plan.mobile) : null, plan.residentId ? maskResidentId(plan.residentId) : null].filter(Boolean).join(' / ');
      return { kind: 'reply', text: blacklistReply(lang, subject, res), status: 'succeeded' };
    }
    case 'bills.show': {
      const input = valid(getBillsInput, { customer: plan.customer, ...(plan.from ? { from: plan.from } : {}), ...(plan.to ? { to: plan.to } : {}) });
      const res = await tools.call('billing.getBills', input, getBillsOutput);
      return { kind: 'reply', text: billsReply(lang, res, plan.from, plan.to), status: 'succeeded' };
    }
    case 'plan.eligibility': {
      const input = valid(checkPlanEligibilityInput, { customer: plan.customer, planCode: plan.planCode });
      const res = await tools.call('billing.checkPlanEligibility', input, checkPlanEligibilityOutput);
      return { kind: 'reply', text: eligibilityReply(lang, res), status: 'succeeded' };
    }
    case 'workorder.show': {
      const res = await tools.call('workorder.get', valid(getWorkOrderInput, { workOrderId: plan.workOrderId }), getWorkOrderOutput);
      return { kind: 'reply', text: workOrderReply(lang, res.workOrder), status: 'succeeded' };
    }
    case 'recon.channel': {
      const input = valid(compareChannelBillingInput, { channelId: plan.channelId, period: plan.period });
      const res = await tools.call('recon.compareChannelBilling', input, compareChannelBillingOutput);
      return { kind: 'reply', text: reconReply(lang, res), status: 'succeeded' };
    }
    case 'numbers.batch':
      return batchStatus(plan, tools);
    case 'alarm.ack':
      return proposeAck(lang, plan.alarmId, plan.note, tools);
    case 'ticket.note':
      return proposeNote(lang, plan.ticketId, plan.note, tools);
    case 'workorder.dispatch':
      return proposeDispatch(plan, tools);
    case 'sms.send': {
      const input = valid(sendSmsNoticeInput, { mobile: plan.mobile, templateId: plan.templateId, params: plan.params });
      return { kind: 'propose', proposal: { tool: 'sms.sendNotice', input, title: workMessages.smsTitle(lang, input.mobile, input.templateId) }, unresolved: [] };
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Writes: read the target first so the proposal carries what the approver saw (`expected`).

export async function proposeAck(lang: Lang, alarmId: string, note: string | null, tools: FlowTools): Promise<FlowResult> {
  const alarm = await tools.call('nms.getAlarm', valid(getAlarmInput, { alarmId }), alarmSchema);
  if (alarm.acknowledged) return { kind: 'reply', text: workMessages.alreadyAcknowledged(lang, alarm), status: 'succeeded' };
  const input = valid(acknowledgeAlarmInput, {
    alarmId: alarm.id,
    ...(note ? { note } : {}),
    expected: { acknowledged: false, cleared: alarm.clearedAt !== null },
  });
  return { kind: 'propose', proposal: { tool: 'nms.acknowledgeAlarm', input, title: workMessages.ackTitle(lang, alarm) }, unresolved: [] };
}

export async function proposeNote(lang: Lang, ticketId: string, note: string, tools: FlowTools): Promise<FlowResult> {
  valid(addTicketNoteInput, { ticketId, note, expected: { status: '' } });
  const { ticket } = await tools.call('ticket.get', valid(getTicketInput, { ticketId }), getTicketOutput);
  const input = valid(addTicketNoteInput, { ticketId: ticket.id, note, expected: { status: ticket.status } });
  return { kind: 'propose', proposal: { tool: 'ticket.addNote', input, title: workMessages.noteTitle(lang, ticket.id) }, unresolved: [] };
}

async function proposeDispatch(plan: Extract<Plan, { flow: 'workorder.dispatch' }>, tools: FlowTools): Promise<FlowResult> {
  const asked = {
    ticketId: plan.ticketId,
    ...(plan.team ? { team: plan.team } : {}),
    ...(plan.engineer ? { engineer: plan.engineer } : {}),
    priority: plan.priority,
    window: { start: plan.start, end: plan.end },
    ...(plan.note ? { note: plan.note } : {}),
  };
  // Refuse a malformed request before touching the ticket system.
  valid(dispatchWorkOrderInput, { ...asked, expected: { ticketStatus: '' } });
  const { ticket } = await tools.call('ticket.get', valid(getTicketInput, { ticketId: plan.ticketId }), getTicketOutput);
  const input = valid(dispatchWorkOrderInput, { ...asked, ticketId: ticket.id, expected: { ticketStatus: ticket.status } });
  const to = plan.team ?? plan.engineer ?? '';
  return { kind: 'propose', proposal: { tool: 'workorder.dispatch', input, title: workMessages.dispatchTitle(plan.lang, ticket.id, to) }, unresolved: [] };
}

// ------------------------------------------------------------------------------------------------
// Batch: many reads with a few in flight, progress about every 10 %, a failed item is reported
// with its reason and does not fail the batch.

async function batchStatus(plan: Extract<Plan, { flow: 'numbers.batch' }>, tools: FlowTools): Promise<FlowResult> {
  const { lang, mobiles } = plan;
  const total = mobiles.length;
  const step = Math.max(1, Math.ceil(total / 10));
  const stop = new AbortController();
  const failures = new Map<object, unknown>();
  let fatal: unknown;
  let reported = Promise.resolve();
  let lastReported = 0;
  const report = (done: number) => {
    const progress = tools.progress;
    if (!progress || done === lastReported || (done % step !== 0 && done !== total)) return;
    lastReported = done;
    reported = reported.then(() => progress(batchProgress(lang, done, total))).catch(() => undefined);
  };

  const inputs = mobiles.map((mobile) => ({ mobile }));
  const result = await runBatch<{ mobile: string }, z.infer<typeof getNumberStatusOutput>>({
    // Every item goes through FlowTools.call: authorized, audited and scope-checked one by one.
    runner: {
      run: async (tool, input) => {
        try {
          return { output: await tools.call(tool, valid(getNumberStatusInput, input), getNumberStatusOutput) };
        } catch (err) {
          failures.set(input as object, err);
          // The role may not use the tool at all: every other call would be refused the same way.
          if (isPolicyDenied(err) && err.kind === 'role') {
            fatal ??= err;
            stop.abort();
          }
          throw err;
        }
      },
    },
    tool: 'crm.getNumberStatus',
    inputs,
    concurrency: tools.concurrency ?? BATCH_CONCURRENCY,
    progressIntervalMs: 0,
    onProgress: (p) => report(p.done),
    signal: stop.signal,
  });
  await reported;
  if (fatal !== undefined) throw fatal;
  const errors = [...failures.values()];
  // Nothing answered and the system is down: say so, as any other flow would.
  if (result.ok === 0 && errors.length === total && isSystemError(errors[0])) throw errors[0];
  const items: BatchItem[] = result.items.map((item, i) =>
    item.ok
      ? { mobile: mobiles[i]!, status: item.output.status }
      : { mobile: mobiles[i]!, status: null, reason: failures.has(inputs[i]!) ? failureReason(lang, failures.get(inputs[i]!)) : maskText(item.error.message) },
  );
  return { kind: 'reply', text: batchReply(lang, items, plan.invalid, plan.duplicates), status: 'succeeded' };
}

function failureReason(lang: Lang, err: unknown): string {
  if (isBusinessError(err)) {
    const zh = (err as BusinessError).details.zh;
    return maskText(lang === 'zh' && typeof zh === 'string' ? zh : err.message);
  }
  if (isSystemError(err)) return lang === 'zh' ? `${systemName('zh', err.system)}无响应` : `${systemName('en', err.system)} not responding`;
  if (err instanceof InvalidInput) return maskText(err.message);
  return maskText(err instanceof Error ? err.message : String(err));
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
      title: `${completeTitle[lang]} ${ticket.id}`,
    },
    unresolved,
  };
}
