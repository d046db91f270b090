/**
 * Who may call which tool, and which data they may see. Pure functions: the agent asks, the
 * answer names the reason so the user is told why, and the audit record says the same.
 */
import type { Principal } from './principals.js';
import { activePolicy, rolloutStage, type Policy, type RolloutStage } from './policy.js';

export type ToolEffect = 'read' | 'write';

export type AccessDecision =
  | { allowed: true }
  | { allowed: false; reason: 'role' | 'unknown_tool' | 'scope'; detail: string }
  /** The department's rollout has not reached this tool (off), or not its writes (read_only). */
  | { allowed: false; reason: 'rollout'; detail: string; stage: RolloutStage };

/** Whether the principal's roles may call (a read) or propose (a write) the tool, by the policy in force. */
export function canCallTool(principal: Principal, tool: string, policy: Policy = activePolicy()): AccessDecision {
  const roles: readonly string[] | undefined = policy.tools[tool]?.roles;
  if (!roles) return { allowed: false, reason: 'unknown_tool', detail: `no policy for ${tool}` };
  if (!principal.roles.some((r) => roles.includes(r))) {
    return { allowed: false, reason: 'role', detail: `${principal.roles.join('/')} may not use ${tool}` };
  }
  return { allowed: true };
}

/**
 * The role check and the department's rollout stage together: what every call and proposal asks.
 * `effect` is the tool's: a read needs a stage past off, a write the stage "writes".
 */
export function mayUse(principal: Principal, tool: string, effect: ToolEffect, policy: Policy = activePolicy()): AccessDecision {
  const role = canCallTool(principal, tool, policy);
  if (!role.allowed) return role;
  const stage = rolloutStage(policy, principal.department, tool);
  if (stage === 'off' || (stage === 'read_only' && effect === 'write')) {
    return { allowed: false, reason: 'rollout', stage, detail: `${tool} is at stage ${stage} for ${principal.department}` };
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
