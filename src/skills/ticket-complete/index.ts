/**
 * Complete a ticket's missing fields from CRM (account, address) and the resource system (port,
 * ONU): "补全工单 T20261124-0012". Only fields that are empty now are proposed, and the proposal
 * carries their current (empty) values so the write refuses if someone filled them meanwhile.
 * The LLM may propose other values for a ticket's fields through the same guard.
 */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import type { ValueSource } from '../../chat/approval-card.js';
import { customerSchema, getCustomerInput } from '../../tools/crm/schemas.js';
import { getPortInput, portSchema } from '../../tools/resource/schemas.js';
import { getTicketInput, getTicketOutput, updateTicketFieldsInput, type CompletableField, type UpdateTicketFieldsInput } from '../../tools/ticket/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { ticketIn, words } from '../grammar.js';
import { fieldLabels } from '../ticket-show/texts.js';
import { ticketFieldsProposal } from './guard.js';
import { completeTexts } from './texts.js';

const COMPLETE_WORDS = /(补|缺|填|完善|complete|fill|missing|backfill)/i;
const VOCABULARY = words(
  '补全工单', '补全', '补齐', '补一下', '补上', '补充', '补', '完善', '缺啥', '缺什么', '缺哪些', '缺了什么', '缺的', '缺', '字段', '信息', '资料', '找一下', '找', '填上', '填一下', '填',
  '把', '工单', '单子', '张', '啥', '什么', '哪些', '全', '齐', 'ticket', 'complete', 'fill in', 'fill out', 'fill', 'backfill', 'missing', 'fields?', 'info', "what's", 'what is', 'in', 'out', 'from', 'crm',
);
/** What the model fills: which ticket, which values; `expected` is the guard's. */
const modelArgs = updateTicketFieldsInput.omit({ expected: true });

export const ticketComplete = defineSkill({
  flow: 'ticket.complete',
  plan: z.object({ flow: z.literal('ticket.complete'), lang: langSchema, ticketId: z.string() }),
  commands: [
    {
      priority: 300,
      words: VOCABULARY,
      parse: ({ text, lang, slash }) => {
        if (!COMPLETE_WORDS.test(text) && slash !== 'complete') return undefined;
        const ticket = ticketIn(text);
        if (ticket) return { flow: 'ticket.complete' as const, lang, ticketId: ticket };
        // "补全" alone may be about something else: only a ticket word makes it this request.
        return /(工单|ticket)/i.test(text) || slash === 'complete' ? clarify(lang, completeTexts.whichTicket) : undefined;
      },
    },
  ],
  uses: { tool: 'ticket.updateFields', effect: 'write' },
  help: [
    {
      section: 'read',
      order: 4,
      text: {
        zh: '补全工单 T20261124-0012 — 从 CRM 和资源系统补全缺失字段（需主管审批后写入）',
        en: 'complete ticket T20261124-0012 — fill missing fields from CRM and resource systems (written after a manager approves)',
      },
    },
  ],
  async run({ lang, ticketId }, tools) {
    const { ticket, missingFields } = await tools.call('ticket.get', getTicketInput.parse({ ticketId }), getTicketOutput);
    const ticketReadAt = new Date().toISOString();
    // Where each value was found and when, for the approver's card (source and read time).
    const sources: Partial<Record<CompletableField, ValueSource>> = {};
    if (missingFields.length === 0) return answered(completeTexts.nothingToComplete(lang, ticket.id));
    const found: Partial<Record<CompletableField, string>> = {};
    let broadbandAccount = ticket.broadbandAccount;

    const needsCustomer = missingFields.some((f) => f === 'broadbandAccount' || f === 'address') || !broadbandAccount;
    if (needsCustomer && (ticket.customerId || ticket.serviceNumber)) {
      const query = ticket.customerId ? { customerId: ticket.customerId } : { mobile: ticket.serviceNumber ?? '' };
      const customer = await tools.call('crm.getCustomer', getCustomerInput.parse(query), customerSchema);
      const crm: ValueSource = { system: 'crm', readAt: new Date().toISOString() };
      if (customer.broadbandAccount) {
        found.broadbandAccount = customer.broadbandAccount;
        sources.broadbandAccount = crm;
      }
      if (customer.address) {
        found.address = customer.address;
        sources.address = crm;
      }
      broadbandAccount ??= customer.broadbandAccount;
    }
    if ((missingFields.includes('accessPort') || missingFields.includes('onuSn')) && broadbandAccount) {
      const port = await tools.call('resource.getPort', getPortInput.parse({ broadbandAccount }), portSchema);
      const resource: ValueSource = { system: 'resource', readAt: new Date().toISOString() };
      found.accessPort = `${port.olt} ${port.fsp}`;
      sources.accessPort = resource;
      if (port.onuSn) {
        found.onuSn = port.onuSn;
        sources.onuSn = resource;
      }
    }

    const fields: UpdateTicketFieldsInput['fields'] = {};
    for (const f of missingFields) {
      const value = found[f];
      if (value) fields[f] = value;
    }
    if (Object.keys(fields).length === 0) return answered(completeTexts.cannotFill(lang, ticket.id, missingFields));
    const unresolved = missingFields.filter((f) => !found[f]).map((f) => fieldLabels[f][lang]);
    return { kind: 'propose', proposal: ticketFieldsProposal(lang, ticket, fields, { lookedUp: true, readAt: ticketReadAt, sources }), unresolved };
  },
  proposal: {
    tool: 'ticket.updateFields',
    input: modelArgs,
    target: (args) => String(args.ticketId ?? '').toUpperCase(),
    targetKind: 'id',
    intent: /补全|补一下|补上|补充|补齐|缺的|缺啥|缺什么|填|更新|修改|改成|改为|改一下|更正|纠正|COMPLETE|FILL|UPDATE|CHANGE|CORRECT|FIX|\bSET\b|EDIT|AMEND/,
    async build(args, tools, lang) {
      const asked = valid(modelArgs, args);
      const { ticket } = await tools.call('ticket.get', getTicketInput.parse({ ticketId: asked.ticketId }), getTicketOutput);
      return { kind: 'propose', proposal: ticketFieldsProposal(lang, ticket, asked.fields, { lookedUp: false, readAt: new Date().toISOString() }), unresolved: [] };
    },
  },
});
