/**
 * The action hash binds an approval to exactly one write: tool, input, requester and thread.
 * What is executed is hashed again and must match what the approver saw.
 */
import { canonicalJson, sha256Hex } from '../lib/canonical-json.js';

export interface ActionIdentity {
  tool: string;
  input: unknown;
  requesterId: string;
  threadId: string;
}

export function actionHash(action: ActionIdentity): string {
  return sha256Hex(
    canonicalJson({ tool: action.tool, input: action.input, requester: action.requesterId, thread: action.threadId }),
  );
}

/**
 * The same request, whatever run or thread it came in: tool, the parameters the requester chose
 * (the guard's `expected`, a fresh read of the target, left out) and requester. Two identical
 * requests while one is pending are one card (agents/approvals/lifecycle.ts).
 */
export function requestHash(r: { tool: string; input: Record<string, unknown>; requesterId: string }): string {
  const { expected: _guard, ...asked } = r.input;
  return sha256Hex(canonicalJson({ tool: r.tool, input: asked, requester: r.requesterId }));
}

/**
 * What two writes of a tool conflict on: the ticket, the alarm, or the recipient and template of a
 * notice. Null: the write has no target another one could collide with.
 */
export function targetKey(tool: string, input: Record<string, unknown>): string | null {
  const s = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().toUpperCase() : null);
  const target = s(input.ticketId) ?? s(input.alarmId) ?? (s(input.mobile) && s(input.templateId) ? `${s(input.mobile)}|${s(input.templateId)}` : null);
  return target === null ? null : `${tool}|${target}`;
}
