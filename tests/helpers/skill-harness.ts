/**
 * What the skill tests share: FlowTools over canned tool answers, running a typed command through
 * the planner and the router, and the records (a ticket, an alarm) that write flows read first.
 * One module so each skill's test file holds only its own cases.
 */
import type { z } from 'zod';
import type { FlowResult, FlowTools, WriteProposal } from '../../src/skills/contract.js';
import { parseCommand } from '../../src/skills/planner.js';
import { runFlow } from '../../src/skills/router.js';
import type { Alarm } from '../../src/tools/nms/schemas.js';
import type { Ticket } from '../../src/tools/ticket/schemas.js';

export type Handler = (input: Record<string, unknown>) => unknown | Promise<unknown>;

export interface ToolCall {
  tool: string;
  input: Record<string, unknown>;
}

/** FlowTools over canned tool answers, recording every call (and parsing like the agent does). */
export function fakeTools(handlers: Record<string, Handler>, extra: Partial<FlowTools> = {}): { tools: FlowTools; calls: ToolCall[] } {
  const calls: ToolCall[] = [];
  const tools: FlowTools = {
    async call<S extends z.ZodType>(tool: string, input: unknown, output: S): Promise<z.infer<S>> {
      calls.push({ tool, input: input as Record<string, unknown> });
      const h = handlers[tool];
      if (!h) throw new Error(`unexpected call ${tool}`);
      return output.parse(await h(input as Record<string, unknown>)) as z.infer<S>;
    },
    ...extra,
  };
  return { tools, calls };
}

/** A typed command, planned by the command planner and run by the router, as a chat turn would. */
export const run = (text: string, tools: FlowTools): Promise<FlowResult> => runFlow(parseCommand(text), tools);

export const replyOf = (r: FlowResult): string => {
  if (r.kind !== 'reply') throw new Error(`expected a reply, got a proposal for ${r.proposal.tool}`);
  return r.text;
};

export const proposalOf = (r: FlowResult): WriteProposal => {
  if (r.kind !== 'propose') throw new Error(`expected a proposal, got: ${r.text}`);
  return r.proposal;
};

/** ticket.get's answer for the seeded ticket T20261124-0012, with any field overridden. */
export const ticket = (over: Partial<Ticket> = {}): { ticket: Ticket; missingFields: [] } => ({
  ticket: {
    id: 'T20261124-0012',
    status: 'in_progress',
    customerId: 'C000123',
    serviceNumber: '13857101234',
    broadbandAccount: 'hz81000123',
    address: '杭州市西湖区文三路 1 号',
    accessPort: 'OLT-HZ-01 0/1/3',
    onuSn: 'HWTC12345678',
    faultType: 'no_internet',
    priority: 'P2',
    slaDeadline: '2026-11-25 18:00',
    region: 'hangzhou',
    assignedTeam: null,
    notes: null,
    version: 3,
    idempotencyKey: null,
    ...over,
  },
  missingFields: [],
});

/** nms.getAlarm's answer for the open alarm ALM900001, with any field overridden. */
export const alarm = (over: Partial<Alarm> = {}): Alarm => ({
  id: 'ALM900001',
  severity: 'major',
  ne: 'OLT-HZ-01',
  object: '0/1/3',
  type: 'LOS',
  probableCause: 'fibre cut',
  raisedAt: '2026-11-24 08:00',
  clearedAt: null,
  acknowledged: false,
  serviceAffecting: true,
  ...over,
});
