/**
 * How a propose_* call from the model becomes a WriteProposal. The model fills only what a person
 * would decide (which ticket, which values); what guards the write is filled here from a fresh
 * read through the same authorized FlowTools: the ticket's current values become `expected`, so
 * the write refuses if the ticket changes before it runs.
 *
 * Taint rule: the target record must be named in the requester's own words (this turn or earlier
 * in the conversation). A portal note saying "update ticket X" cannot aim a proposal at X.
 */
import { z } from 'zod';
import type { AnyTool } from '../../tools/define.js';
import type { FlowTools, WriteProposal } from '../flows.js';
import type { Lang } from '../plan.js';
import { getTicketInput, getTicketOutput, updateTicketFieldsInput, type CompletableField, type UpdateTicketFieldsInput } from '../../tools/schemas.js';

export interface ProposalAdapter {
  /** What the model fills. */
  input: z.ZodType;
  /** The record the write targets, for the taint rule. */
  target(args: Record<string, unknown>): string;
  build(args: Record<string, unknown>, tools: FlowTools, lang: Lang): Promise<WriteProposal>;
}

const ticketFieldsArgs = updateTicketFieldsInput.omit({ expected: true });

export const proposalAdapters: Record<string, ProposalAdapter> = {
  'ticket.updateFields': {
    input: ticketFieldsArgs,
    target: (args) => String(args.ticketId ?? '').toUpperCase(),
    async build(args, tools, lang) {
      const parsed = ticketFieldsArgs.parse(args);
      const { ticket } = await tools.call('ticket.get', getTicketInput.parse({ ticketId: parsed.ticketId }), getTicketOutput);
      const expected: UpdateTicketFieldsInput['expected'] = {};
      for (const f of Object.keys(parsed.fields) as CompletableField[]) expected[f] = ticket[f];
      const input = updateTicketFieldsInput.parse({ ...parsed, expected });
      return { tool: 'ticket.updateFields', input, title: lang === 'zh' ? `更新工单 ${ticket.id}` : `Update ticket ${ticket.id}` };
    },
  },
};

export function proposalInput(tool: AnyTool): z.ZodType | undefined {
  return proposalAdapters[tool.name]?.input;
}
