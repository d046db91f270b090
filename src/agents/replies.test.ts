import { describe, expect, it } from 'vitest';
import { messages } from './replies.js';
import type { Lang } from '../chat/lang.js';
import { ackTexts } from '../skills/alarm-ack/texts.js';
import { completeTexts } from '../skills/ticket-complete/texts.js';
import { dispatchTexts } from '../skills/workorder-dispatch/texts.js';
import { noteTexts } from '../skills/ticket-note/texts.js';
import { smsTexts } from '../skills/sms-send/texts.js';
import { routerTexts } from '../skills/texts.js';

/**
 * The bot must never claim what did not happen. No hand-over to a person exists yet, so no reply
 * may say one happened; and a decision's answer goes out before the requester is told.
 */
const CLAIMS = [/转人工/, /已转交/, /handed (over )?to a person/i, /passed to (a|an) (person|agent|human)/i, /已通知/, /has been (told|notified)/i];

function everyText(table: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [name, fn] of Object.entries(table)) {
    if (typeof fn !== 'function') continue;
    for (const lang of ['zh', 'en'] as Lang[]) {
      // Dummy arguments of each plausible shape; a text that needs richer input is skipped.
      for (const args of [[lang, 'T', 'Carol', 'detail', 'x'], [lang, 'T', ['Carol'], []]]) {
        try {
          const v = (fn as (...a: unknown[]) => unknown)(...args);
          if (typeof v === 'string') out.push(`${name}: ${v}`);
        } catch {
          /* needs another shape */
        }
      }
    }
  }
  return out;
}

describe('reply texts', () => {
  it('claim no hand-over and no notification that has not happened', () => {
    // The turn's and the approvals' texts, and the write skills' own (src/skills/*/texts.ts).
    const texts = [messages, ackTexts, completeTexts, dispatchTexts, noteTexts, smsTexts, routerTexts].flatMap((table) => everyText(table));
    expect(texts.length).toBeGreaterThan(30);
    for (const text of texts) for (const claim of CLAIMS) expect(text, text).not.toMatch(claim);
  });

  it('an unverified write tells the requester what really happens next', () => {
    expect(messages.executedUnverified('zh', '补全工单 T20261124-0012', '读回的地址不一致')).toContain('系统不会自动重试');
    expect(messages.executedUnverified('en', 'Complete ticket T20261124-0012', 'address differs')).toContain('will not be retried automatically');
    expect(messages.decisionRejected('zh', '补全工单', 'Alice')).toBe('已驳回「补全工单」，驳回原因将发给 Alice。');
  });
});
