/**
 * The taint rule for LLM proposals, as pure functions. A write the model proposes must be one the
 * requester asked for, in their own words: the target record is named there as a WHOLE identifier
 * (typing T20261124-00121 does not name T20261124-0012), and the same message — or the current one —
 * asks for that kind of change. Text that came back from a tool (a ticket note saying "update the
 * address of T…") is data and never counts, so an instruction planted in a portal cannot aim a
 * card at a record the user only asked to look at.
 */
import type { TargetKind } from '../../skills/contract.js';

/** Full-width forms to ASCII, every dash an IME produces to '-', upper case. */
export function normalizeIdentifiers(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\u30fc\ufe58\ufe63\uff0d]/g, '-')
    .toUpperCase();
}

/**
 * The identifiers a text names, each whole: maximal runs of letters, digits and inner dashes,
 * bounded by anything else (Chinese characters, spaces, punctuation).
 */
export function namedIdentifiers(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of normalizeIdentifiers(text).matchAll(/[A-Z0-9]+(?:-[A-Z0-9]+)*/g)) out.add(m[0]);
  return out;
}

/** Mobile numbers a text names, as 11 digits: +86 / 0086 prefixes, spaces and dashes inside allowed. */
export function namedMobiles(text: string): Set<string> {
  const out = new Set<string>();
  const t = normalizeIdentifiers(text);
  for (const m of t.matchAll(/(?<![\d])(?:(?:\+|00)86[\s-]*)?(1[3-9](?:[\s-]?\d){9})(?![\d])/g)) out.add(m[1]!.replace(/\D/g, ''));
  return out;
}


/** Whether `target` is named, whole, in `text`. */
export function namesTarget(text: string, target: string, kind: TargetKind): boolean {
  if (kind === 'mobile') {
    const digits = normalizeIdentifiers(target).replace(/\D/g, '').replace(/^(?:0086|86)(?=1[3-9]\d{9}$)/, '');
    return /^1[3-9]\d{9}$/.test(digits) && namedMobiles(text).has(digits);
  }
  const id = normalizeIdentifiers(target).trim();
  return id.length > 0 && namedIdentifiers(text).has(id);
}

export interface TaintCheck {
  /** The requester's messages, oldest first; the last one is this turn's. */
  userMessages: readonly string[];
  target: string;
  kind: TargetKind;
  /** Words that ask for this kind of write (zh and en). */
  intent: RegExp;
}

export type TaintVerdict = { ok: true } | { ok: false; reason: 'target_not_named' | 'not_requested' };

/**
 * A proposal passes when one of the requester's messages names the target whole, and that message
 * or the current one asks for this kind of change. Asking in one turn ("补全工单 T…") and giving the
 * value in the next ("地址是 …") passes; naming a ticket only to have it summarised does not.
 */
export function checkTaint(c: TaintCheck): TaintVerdict {
  const naming = c.userMessages.filter((m) => namesTarget(m, c.target, c.kind));
  if (naming.length === 0) return { ok: false, reason: 'target_not_named' };
  const current = c.userMessages.at(-1) ?? '';
  if (c.intent.test(normalizeIdentifiers(current)) || naming.some((m) => c.intent.test(normalizeIdentifiers(m)))) return { ok: true };
  return { ok: false, reason: 'not_requested' };
}
