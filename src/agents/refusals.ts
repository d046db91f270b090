/**
 * The turn's tool calls and the proposal of a write refuse the same way, so both make their
 * refusals here: audited where they happen, answered in the request's language, and returned as
 * the typed PolicyDenied (denials.ts) that flows branch on.
 */
import type { Db } from '../store/db.js';
import type { Principal } from '../policies/principals.js';
import { mayUse, type ToolEffect } from '../policies/access.js';
import { appendAudit } from '../store/audit.js';
import type { ScopeDenied } from '../tools/scope.js';
import type { Lang } from '../chat/lang.js';
import { messages } from './replies.js';
import { scopeDeniedDetails, scopeDeniedText } from './scope-reply.js';
import { PolicyDenied } from '../skills/denials.js';

/** Where a refusal happened and for whom: it is audited under this run and answered in this language. */
export interface RefusalContext {
  db: Db;
  principal: Principal;
  runId: string;
  lang: Lang;
}

/**
 * The principal's role may not call the tool, or their department's rollout has not reached it
 * (policy `rollout`): audited as tool.denied with the reason. Null when they may.
 */
export async function roleDenial(c: RefusalContext, tool: string, effect: ToolEffect): Promise<PolicyDenied | null> {
  const access = mayUse(c.principal, tool, effect);
  if (access.allowed) return null;
  await appendAudit(c.db, { actor: c.principal.id, action: 'tool.denied', subject: tool, runId: c.runId, details: { reason: access.reason, detail: access.detail } });
  if (access.reason === 'rollout') return new PolicyDenied('rollout', tool, messages.notEnabled(c.lang, tool, effect));
  return new PolicyDenied('role', tool, messages.denied(c.lang, tool));
}

/** A data-scope refusal of the tool's call: audited as data.out_of_scope. */
export async function scopeDenial(c: RefusalContext, tool: string, err: ScopeDenied): Promise<PolicyDenied> {
  await appendAudit(c.db, { actor: c.principal.id, action: 'data.out_of_scope', subject: err.tool, runId: c.runId, details: scopeDeniedDetails(err) });
  return new PolicyDenied('scope', tool, scopeDeniedText(c.lang, err));
}
