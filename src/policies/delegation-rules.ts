/**
 * Who may name a delegate, whom, for how long, and for which approvals the delegate stands in.
 * Pure rules: the console route and the chat command both ask them (through the agent's
 * delegation desk), so the two ways in cannot drift apart.
 */
import type { Text } from '../chat/locale.js';
import type { Principal } from './principals.js';
import { ownersOutOfScope, seesEveryRegion, type ScopeOwner } from './access.js';
import { activePolicy, approvalRuleFor, type Policy } from './policy.js';

/** Longest a delegation may run: a holiday, not a standing second approver. */
export const MAX_DELEGATION_DAYS = 31;

export type DelegationRefusal =
  /** The caller approves nothing under the policy, so has nothing to hand over. */
  | 'not_approver'
  /** The delegate named is not an active person of the directory (or the name is ambiguous). */
  | 'unknown_delegate'
  | 'self'
  /** The delegate holds no role any approval rule names: they could not approve what comes to them. */
  | 'delegate_not_approver'
  /** The end is in the past or more than MAX_DELEGATION_DAYS ahead. */
  | 'bad_period';

/** Why a delegation was refused, as the person is told (the console route joins both languages). */
export const delegationRefusalText: Readonly<Record<DelegationRefusal, Text>> = {
  not_approver: { zh: '只有审批人（如主管）可以委托审批。', en: 'Only approvers (such as managers) can delegate approvals.' },
  unknown_delegate: { zh: '通讯录中找不到这位被委托人（或同名不止一人），请用其账号 id。', en: 'That delegate is not an active person in the directory (or the name is not unique); use their id.' },
  self: { zh: '不能委托给自己。', en: 'A delegate is someone else, not yourself.' },
  delegate_not_approver: { zh: '被委托人须是可以审批的人（如主管）。', en: 'The delegate must be someone who can approve (such as a manager).' },
  bad_period: {
    zh: `请给出 ${MAX_DELEGATION_DAYS} 天以内的截止时间，例如“到 2026-12-05 18:00”或“到明天 18点”。`,
    en: `Give an end within the next ${MAX_DELEGATION_DAYS} days, e.g. "until 2026-12-05 18:00" or "until tomorrow 18:00".`,
  },
};

/** Every role some approval rule of the policy names. */
export function approvingRoles(policy: Policy = activePolicy()): Set<string> {
  const rules = [policy.approvals.default, ...Object.values(policy.approvals.tools)];
  return new Set(rules.flatMap((r) => r.roles));
}

export function checkDelegation(me: Principal, to: Principal | undefined, until: Date | undefined, now: Date, policy: Policy = activePolicy()): DelegationRefusal | null {
  const roles = approvingRoles(policy);
  if (!me.roles.some((r) => roles.has(r))) return 'not_approver';
  if (!to) return 'unknown_delegate';
  if (to.id === me.id) return 'self';
  if (!to.roles.some((r) => roles.has(r))) return 'delegate_not_approver';
  if (!until || until.getTime() <= now.getTime() || until.getTime() > now.getTime() + MAX_DELEGATION_DAYS * 86_400_000) return 'bad_period';
  return null;
}

/**
 * Whether a delegate stands in for an approver on one approval: never on their own request
 * (four-eyes), only holding a role the tool's rule names, and only with the write's target in scope.
 */
export function mayStandIn(delegate: Principal, approval: { requesterId: string; tool: string; targetScope: readonly ScopeOwner[] | null }, policy: Policy = activePolicy()): boolean {
  if (delegate.id === approval.requesterId) return false;
  const rule = approvalRuleFor(approval.tool, policy);
  if (!delegate.roles.some((r) => (rule.roles as readonly string[]).includes(r))) return false;
  if (approval.targetScope === null) return seesEveryRegion(delegate, policy);
  return ownersOutOfScope(delegate, approval.targetScope, policy).length === 0;
}

/** A delegation as the people involved see it. */
export interface DelegationView {
  delegate: { id: string; name: string };
  until: Date;
}

/** What naming a delegate did: the delegation, and the pending approvals the delegate now also decides. */
export type DelegationStart = { ok: true; delegation: DelegationView; pendingShared: number } | { ok: false; refusal: DelegationRefusal };

/**
 * The delegation desk, for one verified person (the console session or the chat envelope's
 * sender; never a body field): the agent implements it, the console route and the chat command use it.
 */
export interface DelegationDesk {
  start(me: Principal, delegate: string, until: Date | undefined): Promise<DelegationStart>;
  end(me: Principal): Promise<boolean>;
  current(me: Principal): Promise<DelegationView | null>;
}
