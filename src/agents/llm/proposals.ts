/**
 * How a propose_* call from the model becomes a WriteProposal. The model fills only what a person
 * would decide (which ticket, which values); what guards the write is filled here from a fresh
 * read through the same authorized FlowTools: the ticket's current values become `expected`, so
 * the write refuses if the ticket changes before it runs.
 *
 * Taint rule (taint.ts): the target record must be named, as a whole identifier, in the requester's
 * own words, and the requester must have asked for this kind of change. A portal note saying
 * "update ticket X" cannot aim a proposal at X.
 */
import { z } from 'zod';
import type { AnyTool } from '../../tools/define.js';
import type { FlowTools, WriteProposal } from '../flows.js';
import type { Lang } from '../plan.js';
import { acknowledgeAlarmInput, alarmSchema, getAlarmInput } from '../../tools/nms/schemas.js';
import { sendSmsNoticeInput } from '../../tools/sms/schemas.js';
import { addTicketNoteInput, dispatchWorkOrderInput, getTicketInput, getTicketOutput, updateTicketFieldsInput, type CompletableField, type UpdateTicketFieldsInput } from '../../tools/ticket/schemas.js';
import { BusinessError } from '../../tools/errors.js';
import { workMessages } from '../replies.js';
import { writeIntents, type TargetKind } from './taint.js';

export interface ProposalAdapter {
  /** What the model fills. */
  input: z.ZodType;
  /** The record the write targets, for the taint rule. */
  target(args: Record<string, unknown>): string;
  /** How the target is matched in the requester's words: a whole identifier, or a mobile number. */
  targetKind: TargetKind;
  /** Words with which a person asks for this kind of write; without them nothing is proposed. */
  intent: RegExp;
  build(args: Record<string, unknown>, tools: FlowTools, lang: Lang): Promise<WriteProposal>;
}

const ticketFieldsArgs = updateTicketFieldsInput.omit({ expected: true });
// .omit() refuses a refined object: rebuild the dispatch input without its server-filled guard.
const { expected: _dispatchGuard, ...dispatchShape } = dispatchWorkOrderInput.shape;
const dispatchArgs = z
  .object(dispatchShape)
  .strict()
  .refine((v) => v.team !== undefined || v.engineer !== undefined, 'a team or an engineer');
const noteArgs = addTicketNoteInput.omit({ expected: true });
const ackArgs = acknowledgeAlarmInput.omit({ expected: true });

// Strict function calling has no free-form maps: the model gives template parameters as pairs.
const smsArgs = z
  .object({
    mobile: sendSmsNoticeInput.shape.mobile,
    templateId: sendSmsNoticeInput.shape.templateId,
    params: z
      .array(z.object({ name: z.string().regex(/^[a-zA-Z]\w{0,30}$/), value: z.string().trim().min(1).max(100) }).strict())
      .max(20)
      .describe('Template parameters, e.g. [{"name":"ticket","value":"T20261124-0012"}]'),
  })
  .strict();

const upper = (v: unknown) => String(v ?? '').trim().toUpperCase();

export const proposalAdapters: Record<string, ProposalAdapter> = {
  'ticket.updateFields': {
    input: ticketFieldsArgs,
    target: (args) => String(args.ticketId ?? '').toUpperCase(),
    targetKind: 'id',
    intent: writeIntents.updateFields,
    async build(args, tools, lang) {
      const parsed = ticketFieldsArgs.parse(args);
      const { ticket } = await tools.call('ticket.get', getTicketInput.parse({ ticketId: parsed.ticketId }), getTicketOutput);
      const expected: UpdateTicketFieldsInput['expected'] = {};
      for (const f of Object.keys(parsed.fields) as CompletableField[]) expected[f] = ticket[f];
      const input = updateTicketFieldsInput.parse({ ...parsed, expected });
      return { tool: 'ticket.updateFields', input, title: lang === 'zh' ? `更新工单 ${ticket.id}` : `Update ticket ${ticket.id}` };
    },
  },
  'workorder.dispatch': {
    input: dispatchArgs,
    target: (args) => upper(args.ticketId),
    targetKind: 'id',
    intent: writeIntents.dispatch,
    async build(args, tools, lang) {
      const parsed = dispatchArgs.parse(args);
      const { ticket } = await tools.call('ticket.get', getTicketInput.parse({ ticketId: parsed.ticketId }), getTicketOutput);
      const input = dispatchWorkOrderInput.parse({ ...parsed, ticketId: ticket.id, expected: { ticketStatus: ticket.status } });
      const to = input.team ?? input.engineer ?? '';
      return { tool: 'workorder.dispatch', input, title: workMessages.dispatchTitle(lang, ticket.id, to) };
    },
  },
  'ticket.addNote': {
    input: noteArgs,
    target: (args) => upper(args.ticketId),
    targetKind: 'id',
    intent: writeIntents.addNote,
    async build(args, tools, lang) {
      const parsed = noteArgs.parse(args);
      const { ticket } = await tools.call('ticket.get', getTicketInput.parse({ ticketId: parsed.ticketId }), getTicketOutput);
      const input = addTicketNoteInput.parse({ ...parsed, ticketId: ticket.id, expected: { status: ticket.status } });
      return { tool: 'ticket.addNote', input, title: workMessages.noteTitle(lang, ticket.id) };
    },
  },
  'nms.acknowledgeAlarm': {
    input: ackArgs,
    target: (args) => upper(args.alarmId),
    targetKind: 'id',
    intent: writeIntents.acknowledge,
    async build(args, tools, lang) {
      const parsed = ackArgs.parse(args);
      const alarm = await tools.call('nms.getAlarm', getAlarmInput.parse({ alarmId: parsed.alarmId }), alarmSchema);
      if (alarm.acknowledged) {
        throw new BusinessError('conflict', `Alarm ${alarm.id} is already acknowledged; nothing to propose.`, { zh: workMessages.alreadyAcknowledged('zh', alarm) });
      }
      const input = acknowledgeAlarmInput.parse({ ...parsed, alarmId: alarm.id, expected: { acknowledged: false, cleared: alarm.clearedAt !== null } });
      return { tool: 'nms.acknowledgeAlarm', input, title: workMessages.ackTitle(lang, alarm) };
    },
  },
  /** Nothing to re-read: the guard is the registered template and the number the requester named. */
  'sms.sendNotice': {
    input: smsArgs,
    // The number as the model passed it back (the requester's own form, restored from the vault).
    target: (args) => upper(args.mobile),
    targetKind: 'mobile',
    intent: writeIntents.sms,
    async build(args, _tools, lang) {
      const parsed = smsArgs.parse(args);
      const input = sendSmsNoticeInput.parse({ ...parsed, params: Object.fromEntries(parsed.params.map((p) => [p.name, p.value])) });
      return { tool: 'sms.sendNotice', input, title: workMessages.smsTitle(lang, input.mobile, input.templateId) };
    },
  },
};

export function proposalInput(tool: AnyTool): z.ZodType | undefined {
  return proposalAdapters[tool.name]?.input;
}
