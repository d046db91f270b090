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
 * The tools offered first. The model reads the list top-down, so the fault-diagnosis tools the
 * agent started with lead; every other tool follows in its system's order. A new tool needs no
 * line here: listing it in its system's index.ts is enough.
 */
const OFFERED_FIRST: readonly string[] = ['resource.getPort', 'nms.listAlarms', 'ticket.get', 'crm.getCustomer', 'ticket.updateFields'];

function inOfferOrder(tools: readonly AnyTool[]): readonly AnyTool[] {
  const first = OFFERED_FIRST.map((name) => {
    const tool = tools.find((t) => t.name === name);
    if (!tool) throw new Error(`${name} is offered first but no system lists it`);
    return tool;
  });
  return [...first, ...tools.filter((t) => !OFFERED_FIRST.includes(t.name))];
}

export const legacyTools: readonly AnyTool[] = inOfferOrder(Object.values(toolsBySystem).flat());
