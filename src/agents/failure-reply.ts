/**
 * How a step that threw ends the run: its status and what the requester is told. Policy
 * refusals, a busy database, business answers and portal faults each have their reply; anything
 * else is our own fault, logged with its stack and answered with a generic apology.
 */
import { maskText } from '../policies/masking.js';
import { BusinessError, SystemError, isBusinessError, isSystemError } from '../tools/errors.js';
import type { AgentStateUpdate } from './graph.js';
import type { Lang } from '../chat/lang.js';
import { messages } from './replies.js';
import { PolicyDenied } from '../skills/denials.js';
import { isBusyError } from './thread-lock.js';

export function failureUpdate(
  s: { runId: string; lang: Lang },
  err: unknown,
  log: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void,
): AgentStateUpdate {
  if (err instanceof PolicyDenied) return { status: 'denied', reply: err.reply };
  if (isBusyError(err)) return { status: 'failed', reply: messages.busy(s.lang) };
  if (isBusinessError(err)) return { status: 'business_error', reply: userMessage(s.lang, err) };
  if (isSystemError(err)) return { status: 'failed', reply: messages.systemDown(s.lang, err.system) };
  log('error', 'flow failed', { runId: s.runId, error: err instanceof Error ? err.stack : String(err) });
  return { status: 'failed', reply: messages.internalError(s.lang) };
}

function userMessage(lang: Lang, err: Error): string {
  if (err instanceof BusinessError) {
    const zh = typeof err.details.zh === 'string' ? err.details.zh : undefined;
    return maskText(lang === 'zh' && zh ? zh : err.message);
  }
  if (err instanceof SystemError) return messages.systemDown(lang, err.system);
  return maskText(err.message);
}
