/**
 * The registry: every skill, once. The planner, the router, the help text and the LLM's proposal
 * list are loops over this list; adding a capability is a folder of its own and one line here.
 */
import type { z } from 'zod';
import type { Lang } from '../chat/lang.js';
import type { ClarifyPlan, Skill } from './contract.js';
import { alarmAck } from './alarm-ack/index.js';
import { alarmsList } from './alarms-list/index.js';
import { delegateSkill } from './approval-delegate/index.js';
import { billsShow } from './bills-show/index.js';
import { customerShow } from './customer-show/index.js';
import { blacklistCheck } from './blacklist-check/index.js';
import { identityVerify } from './identity-verify/index.js';
import { numbersBatch } from './numbers-batch/index.js';
import { planEligibility } from './plan-eligibility/index.js';
import { portStatus } from './port-status/index.js';
import { reconChannel } from './recon-channel/index.js';
import { smsSend } from './sms-send/index.js';
import { ticketComplete } from './ticket-complete/index.js';
import { ticketNote } from './ticket-note/index.js';
import { ticketShow } from './ticket-show/index.js';
import { ticketUpdate } from './ticket-update/index.js';
import { workorderDispatch } from './workorder-dispatch/index.js';
import { workorderShow } from './workorder-show/index.js';
import { requestsStatus } from './requests-status/index.js';
import { requestWithdraw } from './request-withdraw/index.js';
import { approvalsBulk } from './approvals-bulk/index.js';

export const skills = [
  portStatus,
  alarmsList,
  ticketShow,
  ticketComplete,
  customerShow,
  identityVerify,
  blacklistCheck,
  billsShow,
  planEligibility,
  workorderShow,
  numbersBatch,
  reconChannel,
  workorderDispatch,
  ticketNote,
  ticketUpdate,
  alarmAck,
  smsSend,
  delegateSkill,
  requestsStatus,
  requestWithdraw,
  approvalsBulk,
] as const;

type PlanOf<S> = S extends { plan: z.ZodType<infer P> } ? P : never;

/** What a planner produces: a skill's plan, or one of the planner's own answers. */
export type Plan = PlanOf<(typeof skills)[number]> | { flow: 'help'; lang: Lang } | ClarifyPlan | { flow: 'unknown'; lang: Lang };
export type FlowName = Plan['flow'];

const byFlow = new Map<string, Skill>(skills.map((s) => [s.flow, s as unknown as Skill]));
if (byFlow.size !== skills.length) throw new Error('two skills share a flow name');

export function skillFor(flow: string): Skill | undefined {
  return byFlow.get(flow);
}

/** Both planners (commands, the LLM) produce this same shape. */
export interface Planner {
  readonly name: string;
  plan(text: string): Promise<Plan>;
}
