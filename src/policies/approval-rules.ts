/**
 * Who must approve a write: a manager of the requester's department, never the requester.
 * The approver's identity always comes from the platform-verified envelope (see chat/channel.ts);
 * these functions only compare principals.
 */
import type { Principal } from './principals.js';
import { ownersOutOfScope, seesEveryRegion, type ScopeOwner } from './access.js';
import type { ApprovalRule } from './policy.js';

/** A manager of the requester's own department: the rule when the policy names none. */
export const managerOfSameDepartment: ApproverRule = { roles: ['manager'], departments: 'same' };

/** What picks approvers: the rule's roles and departments (after its risk tier). */
export type ApproverRule = Pick<ApprovalRule, 'roles' | 'departments'>;

/**
 * Who may approve, by the tool's rule (policy `approvals`): a role the rule names, from the
 * departments it names relative to the requester, never the requester (four-eyes). `target` is the
 * write's target scope (tools/scope.ts): an approver must have all of it in scope, or they would
 * approve a write on data they may not see.
 */
export function approversFor(requester: Principal, directory: readonly Principal[], target: readonly ScopeOwner[], rule: ApproverRule = managerOfSameDepartment): Principal[] {
  const inDepartment = (p: Principal) =>
    rule.departments === 'any' ? true : rule.departments === 'same' ? p.department === requester.department : rule.departments.includes(p.department);
  return directory.filter(
    (p) => p.id !== requester.id && inDepartment(p) && p.roles.some((r) => (rule.roles as readonly string[]).includes(r)) && ownersOutOfScope(p, target).length === 0,
  );
}

export interface PendingApproval {
  requesterId: string;
  approverIds: readonly string[];
  /** The write's target scope as recorded on the approval; null = not recorded (an older row): only an all-region approver may decide. */
  targetScope: readonly ScopeOwner[] | null;
}

export type DecideRight =
  | { allowed: true }
  | { allowed: false; reason: 'self_approval' | 'not_approver' | 'not_manager' | 'out_of_scope' };

export function mayDecide(actor: Principal, approval: PendingApproval): DecideRight {
  if (actor.id === approval.requesterId) return { allowed: false, reason: 'self_approval' };
  // The approvers were chosen by the tool's rule when the approval was made; anyone else is told which they are not.
  if (!approval.approverIds.includes(actor.id)) return { allowed: false, reason: actor.roles.includes('manager') ? 'not_approver' : 'not_manager' };
  // Checked against the actor's scope now, not when the approver list was made: scope can shrink.
  const unknown = approval.targetScope === null && !seesEveryRegion(actor);
  if (unknown || ownersOutOfScope(actor, approval.targetScope ?? []).length > 0) return { allowed: false, reason: 'out_of_scope' };
  return { allowed: true };
}
