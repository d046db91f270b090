/**
 * Who must approve a write: a manager of the requester's department, never the requester.
 * The approver's identity always comes from the platform-verified envelope (see bot/channel.ts);
 * these functions only compare principals.
 */
import type { Principal } from './principals.js';

export function approversFor(requester: Principal, directory: readonly Principal[]): Principal[] {
  return directory.filter(
    (p) => p.id !== requester.id && p.department === requester.department && p.roles.includes('manager'),
  );
}

export interface PendingApproval {
  requesterId: string;
  approverIds: readonly string[];
}

export type DecideRight =
  | { allowed: true }
  | { allowed: false; reason: 'self_approval' | 'not_approver' | 'not_manager' };

export function mayDecide(actor: Principal, approval: PendingApproval): DecideRight {
  if (actor.id === approval.requesterId) return { allowed: false, reason: 'self_approval' };
  if (!actor.roles.includes('manager')) return { allowed: false, reason: 'not_manager' };
  if (!approval.approverIds.includes(actor.id)) return { allowed: false, reason: 'not_approver' };
  return { allowed: true };
}
