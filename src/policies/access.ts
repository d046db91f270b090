/**
 * Who may call which tool, and which data they may see. Pure functions: the agent asks, the
 * answer names the reason so the user is told why, and the audit record says the same.
 */
import type { Principal } from './principals.js';
import { activePolicy, rolloutStage, scopeGrantFor, type Policy, type RolloutStage } from './policy.js';

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

/**
 * Whether the principal may see data this owner holds, by the policy's data-scope rule for them
 * (policy.ts `dataScope`): `own` regions are the directory's (where '*' is every region, head
 * office), `own` department is theirs, `all` is every one, a list is exactly those.
 */
export function canSeeOwner(principal: Principal, owner: ScopeOwner, policy: Policy = activePolicy()): boolean {
  const grant = scopeGrantFor(policy, principal);
  if (owner.kind === 'region') {
    if (grant.regions === 'all') return true;
    const regions = grant.regions === 'own' ? principal.regions : grant.regions;
    return regions.includes('*') || regions.includes(owner.id);
  }
  if (grant.departments === 'all') return true;
  // A head-office person (regions '*') sees every department's data under `own`, as before the rule existed.
  if (grant.departments === 'own') return principal.department === owner.id || (grant.regions === 'own' && principal.regions.includes('*'));
  return grant.departments.includes(owner.id);
}

/** Whether every region is in the principal's scope: only such a person may see data whose owner could not be determined. */
export function seesEveryRegion(principal: Principal, policy: Policy = activePolicy()): boolean {
  const grant = scopeGrantFor(policy, principal);
  return grant.regions === 'all' || (grant.regions === 'own' ? principal.regions : grant.regions).includes('*');
}

/** The distinct owners among `owners` that the principal may not see (empty: all in scope). */
export function ownersOutOfScope(principal: Principal, owners: readonly ScopeOwner[], policy: Policy = activePolicy()): ScopeOwner[] {
  const out = new Map<string, ScopeOwner>();
  for (const o of owners) if (!canSeeOwner(principal, o, policy)) out.set(`${o.kind}:${o.id}`, o);
  return [...out.values()];
}

/**
 * The owners a principal may see, as data a query can compare (store/approvals-repo.ts ScopeFilter):
 * null is "every one". The same answers as canSeeOwner / seesEveryRegion, so a list filtered in SQL
 * shows exactly what the per-item check would let through.
 */
export function scopeFilterOf(principal: Principal, policy: Policy = activePolicy()): { regions: string[] | null; departments: string[] | null } {
  const grant = scopeGrantFor(policy, principal);
  const regionList = grant.regions === 'all' ? null : grant.regions === 'own' ? principal.regions : grant.regions;
  const regions = regionList === null || regionList.includes('*') ? null : [...regionList];
  const departments =
    grant.departments === 'all'
      ? null
      : grant.departments === 'own'
        ? grant.regions === 'own' && principal.regions.includes('*')
          ? null
          : [principal.department]
        : [...grant.departments];
  return { regions, departments };
}
