/**
 * Every legacy-system tool, as the runtime registers them and the agent is offered them. Each
 * system's folder lists its own tools (tools/<system>/index.ts); they are put together here.
 */
import type { AnyTool, LegacySystem } from './define.js';
import { billingTools } from './billing/index.js';
import { channelTools } from './channel/index.js';
import { crmTools } from './crm/index.js';
import { nmsTools } from './nms/index.js';
import { resourceTools } from './resource/index.js';
import { riskTools } from './risk/index.js';
import { smsTools } from './sms/index.js';
import { ticketTools } from './ticket/index.js';

/** Each system's tools, under the system they reach (the tool's `system`). */
export const toolsBySystem: Readonly<Record<LegacySystem, readonly AnyTool[]>> = {
  resource: resourceTools,
  nms: nmsTools,
  ticket: ticketTools,
  crm: crmTools,
  risk: riskTools,
  sms: smsTools,
  billing: billingTools,
  channel: channelTools,
};

/**
 * The order the tools are offered in. The model reads the list top-down, so the fault-diagnosis
 * tools the agent started with come first and the others follow in the order they were added;
 * grouping the code by system must not reshuffle what the model sees.
 */
const OFFER_ORDER: readonly string[] = [
  'resource.getPort',
  'nms.listAlarms',
  'ticket.get',
  'crm.getCustomer',
  'ticket.updateFields',
  'crm.verifyIdentity',
  'crm.getNumberStatus',
  'risk.checkBlacklist',
  'sms.sendNotice',
  'workorder.get',
  'workorder.dispatch',
  'ticket.addNote',
  'nms.getAlarm',
  'nms.acknowledgeAlarm',
  'billing.getBills',
  'billing.checkPlanEligibility',
  'recon.compareChannelBilling',
];

/** The systems' tools in OFFER_ORDER; a tool a system lists but the order forgets (or the reverse) fails at load. */
function inOfferOrder(tools: readonly AnyTool[]): readonly AnyTool[] {
  const unordered = tools.filter((t) => !OFFER_ORDER.includes(t.name));
  if (unordered.length > 0) throw new Error(`tools missing from OFFER_ORDER: ${unordered.map((t) => t.name).join(', ')}`);
  return OFFER_ORDER.map((name) => {
    const tool = tools.find((t) => t.name === name);
    if (!tool) throw new Error(`${name} is in OFFER_ORDER but no system lists it`);
    return tool;
  });
}

export const legacyTools: readonly AnyTool[] = inOfferOrder(Object.values(toolsBySystem).flat());
