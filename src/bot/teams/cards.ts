/**
 * The approval card as Teams gets it: the shared Adaptive Card 1.5 renderer with Teams' Universal
 * Actions on top. Each copy shows the eligible approvers their buttons (through a user-specific
 * refresh, or directly in their own 1:1 chat) and everyone else "waiting for <names>"; each
 * Action.Execute carries an Action.Submit fallback for clients without Universal Actions.
 */
import { MAX_REFRESH_USER_IDS, renderAdaptiveCard, type AdaptiveCardJson } from '../cards/adaptive.js';
import { validateAdaptiveCard } from '../cards/validate-adaptive.js';
import type { ApprovalCardView } from '../../chat/approval-card.js';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export interface TeamsCardOptions {
  /** 'approver' shows the reason input and the buttons on this copy itself. */
  audience: 'approver' | 'viewer';
  /** MRIs of the approvers, whose clients fetch their own view. */
  refreshUserIds: readonly string[];
  now?: Date;
}

export function renderTeamsCard(view: ApprovalCardView, opts: TeamsCardOptions): AdaptiveCardJson {
  return renderAdaptiveCard(view, {
    audience: opts.audience,
    refreshUserIds: opts.refreshUserIds,
    submitFallback: true,
    ...(opts.now ? { now: opts.now } : {}),
  });
}

/** A Teams user's MRI when the bot has seen them, else the org MRI from their AAD object id. */
export function mriOf(aadObjectId: string, seenMri?: string): string {
  return seenMri ?? `8:orgid:${aadObjectId}`;
}

/**
 * Problems Teams would have with a card: the 1.5 schema check of the shared validator, plus what
 * that validator cannot see: it drops action fallbacks (the JS parser keeps only what it
 * renders), so they are checked as cards of their own; refresh.userIds is capped at 60; cards
 * carry nothing but the approval id (and, for Action.Submit, the verb).
 */
export function validateTeamsCard(card: AdaptiveCardJson): string[] {
  const problems: string[] = [];
  const actions = Array.isArray(card.actions) ? (card.actions as Record<string, unknown>[]) : [];
  const fallbacks: Record<string, unknown>[] = [];
  const withoutFallbacks = {
    ...card,
    ...(actions.length > 0
      ? {
          actions: actions.map(({ fallback, ...rest }) => {
            if (fallback !== undefined) {
              if (typeof fallback === 'object' && fallback !== null) fallbacks.push(fallback as Record<string, unknown>);
              else if (fallback !== 'drop') problems.push(`action fallback must be an action or "drop", got ${JSON.stringify(fallback)}`);
            }
            return rest;
          }),
        }
      : {}),
  };
  problems.push(...validateAdaptiveCard(withoutFallbacks));
  if (fallbacks.length > 0) {
    const fallbackCard = { type: 'AdaptiveCard', version: '1.5', actions: fallbacks };
    problems.push(...validateAdaptiveCard(fallbackCard).map((p) => `fallback: ${p}`));
    for (const f of fallbacks) if (f.type !== 'Action.Submit') problems.push(`fallback must be Action.Submit, got ${String(f.type)}`);
  }
  const refresh = card.refresh as { userIds?: unknown[] } | undefined;
  if (refresh?.userIds && refresh.userIds.length > MAX_REFRESH_USER_IDS) {
    problems.push(`refresh.userIds has ${refresh.userIds.length} entries; Teams allows ${MAX_REFRESH_USER_IDS}`);
  }
  for (const a of [...actions, ...fallbacks]) {
    const keys = Object.keys((a.data as Record<string, unknown> | undefined) ?? {}).sort();
    const allowed = a.type === 'Action.Submit' ? ['approvalId', 'verb'] : ['approvalId'];
    if (keys.some((k) => !allowed.includes(k))) problems.push(`${String(a.type)} data carries more than ${allowed.join(' + ')}: ${keys.join(', ')}`);
  }
  return problems;
}
