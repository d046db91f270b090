/**
 * Who may call which tool, and which data they may see. Pure functions: the agent asks, the
 * answer names the reason so the user is told why, and the audit record says the same.
 */
import type { Principal, Role } from './principals.js';

export type ToolEffect = 'read' | 'write';

/** Roles allowed to call (read) or to propose (write) each tool. Unlisted tools: nobody. */
export const toolRoles: Readonly<Record<string, readonly Role[]>> = {
  'resource.getPort': ['cs_agent', 'field_tech', 'manager'],
  'nms.listAlarms': ['cs_agent', 'field_tech', 'manager'],
  'ticket.get': ['cs_agent', 'field_tech', 'manager', 'auditor'],
  // Customer records hold personal data: not for auditors, who see the audit trail instead.
  'crm.getCustomer': ['cs_agent', 'field_tech', 'manager'],
  'ticket.updateFields': ['cs_agent', 'field_tech', 'manager'],
  // Identity, risk and billing are customer-service work (SIM and plan handling).
  'crm.verifyIdentity': ['cs_agent', 'manager'],
  'crm.getNumberStatus': ['cs_agent', 'field_tech', 'manager'],
  'risk.checkBlacklist': ['cs_agent', 'manager'],
  'billing.getBills': ['cs_agent', 'manager'],
  'billing.checkPlanEligibility': ['cs_agent', 'manager'],
  'workorder.get': ['cs_agent', 'field_tech', 'manager', 'auditor'],
  'nms.getAlarm': ['cs_agent', 'field_tech', 'manager'],
  'workorder.dispatch': ['cs_agent', 'field_tech', 'manager'],
  'ticket.addNote': ['cs_agent', 'field_tech', 'manager'],
  'sms.sendNotice': ['cs_agent', 'field_tech', 'manager'],
  // Alarms are the network side's to acknowledge.
  'nms.acknowledgeAlarm': ['field_tech', 'manager'],
  // Reconciliation is an operations and audit job, not front-line work.
  'recon.compareChannelBilling': ['manager', 'auditor'],
};

export type AccessDecision = { allowed: true } | { allowed: false; reason: 'role' | 'unknown_tool' | 'scope'; detail: string };

export function canCallTool(principal: Principal, tool: string): AccessDecision {
  const roles = toolRoles[tool];
  if (!roles) return { allowed: false, reason: 'unknown_tool', detail: `no policy for ${tool}` };
  if (!principal.roles.some((r) => roles.includes(r))) {
    return { allowed: false, reason: 'role', detail: `${principal.roles.join('/')} may not use ${tool}` };
  }
  return { allowed: true };
}

/**
 * Data scope (invariant 10): who owns a piece of data. Tools declare which of their fields carry
 * an owner (tools/scope.ts); these functions only compare owners with a principal.
 */
export type ScopeOwnerKind = 'region' | 'department';
export interface ScopeOwner {
  kind: ScopeOwnerKind;
  id: string;
}

/** Regions '*' sees everything (auditors, head office); otherwise the region or department must be the principal's own. */
export function canSeeOwner(principal: Principal, owner: ScopeOwner): boolean {
  if (principal.regions.includes('*')) return true;
  return owner.kind === 'region' ? principal.regions.includes(owner.id) : principal.department === owner.id;
}

/** The distinct owners among `owners` that the principal may not see (empty: all in scope). */
export function ownersOutOfScope(principal: Principal, owners: readonly ScopeOwner[]): ScopeOwner[] {
  const out = new Map<string, ScopeOwner>();
  for (const o of owners) if (!canSeeOwner(principal, o)) out.set(`${o.kind}:${o.id}`, o);
  return [...out.values()];
}
