/**
 * Who must approve a write: a manager of the requester's department, never the requester.
 * The approver's identity always comes from the platform-verified envelope (see chat/channel.ts);
 * these functions only compare principals.
 */
import type { Principal } from './principals.js';
import { ownersOutOfScope, type ScopeOwner } from './access.js';

/**
 * `target` is the write's target scope (the owners of what it changes, tools/scope.ts): an
 * approver must have all of it in scope, or they would approve a write on data they may not see.
 */
export function approversFor(requester: Principal, directory: readonly Principal[], target: readonly ScopeOwner[]): Principal[] {
  return directory.filter(
    (p) =>
      p.id !== requester.id &&
      p.department === requester.department &&
      p.roles.includes('manager') &&
      ownersOutOfScope(p, target).length === 0,
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
  if (!actor.roles.includes('manager')) return { allowed: false, reason: 'not_manager' };
  if (!approval.approverIds.includes(actor.id)) return { allowed: false, reason: 'not_approver' };
  // Checked against the actor's scope now, not when the approver list was made: scope can shrink.
  const unknown = approval.targetScope === null && !actor.regions.includes('*');
  if (unknown || ownersOutOfScope(actor, approval.targetScope ?? []).length > 0) return { allowed: false, reason: 'out_of_scope' };
  return { allowed: true };
}
