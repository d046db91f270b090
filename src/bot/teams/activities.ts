/**
 * Bot Framework activities -> Switchboard shapes: the text a user typed (mentions stripped), and
 * the card clicks, either Universal Actions invokes (adaptiveCard/action) or the Action.Submit
 * fallback (a message whose value is the card data). Identity never comes from here: only the
 * activity's `from` envelope, which the Bot Framework token vouches for.
 */
import { z } from 'zod';
import type { Activity } from 'botbuilder';
import type { Decision } from '../channel.js';
import { COMMENT_INPUT_ID, REFRESH_VERB } from '../cards/adaptive.js';

/** The text with the bot's @mention (and the <at> tags of any other mention) removed. */
export function inboundText(activity: Pick<Activity, 'text' | 'entities' | 'recipient'>): string {
  let text = activity.text ?? '';
  for (const e of activity.entities ?? []) {
    if (e.type !== 'mention') continue;
    const mention = e as { mentioned?: { id?: string }; text?: string };
    if (mention.mentioned?.id === activity.recipient?.id && mention.text) text = text.split(mention.text).join(' ');
  }
  return text
    .replace(/<at>(.*?)<\/at>/gi, '$1')
    .replace(/&nbsp;/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

export type CardClick =
  | { kind: 'decide'; approvalId: string; decision: Decision; comment?: string }
  | { kind: 'refresh'; approvalId: string };

const approvalId = z.string().trim().min(1).max(64);
const comment = z.string().max(2000).optional();

const invokeValue = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string(),
    data: z.looseObject({ approvalId, [COMMENT_INPUT_ID]: comment }),
  }),
});

/** An adaptiveCard/action invoke's value; undefined when it is not one of ours. */
export function parseCardInvoke(value: unknown): CardClick | undefined {
  const v = invokeValue.safeParse(value);
  if (!v.success) return undefined;
  const { verb, data } = v.data.action;
  if (verb === REFRESH_VERB) return { kind: 'refresh', approvalId: data.approvalId };
  if (verb !== 'approve' && verb !== 'reject') return undefined;
  const c = data[COMMENT_INPUT_ID];
  return { kind: 'decide', approvalId: data.approvalId, decision: verb, ...(c ? { comment: c } : {}) };
}

const submitValue = z.looseObject({ approvalId, verb: z.enum(['approve', 'reject']), [COMMENT_INPUT_ID]: comment });

/** The Action.Submit fallback: a message activity whose value is { approvalId, verb, comment }. */
export function parseSubmit(value: unknown): Extract<CardClick, { kind: 'decide' }> | undefined {
  const v = submitValue.safeParse(value);
  if (!v.success) return undefined;
  const c = v.data[COMMENT_INPUT_ID];
  return { kind: 'decide', approvalId: v.data.approvalId, decision: v.data.verb, ...(c ? { comment: c } : {}) };
}

/** The id the directory knows a Teams user by: the AAD object id Teams puts in `from`. */
export function signedUserId(from: Activity['from'] | undefined): string | undefined {
  return from?.aadObjectId ?? undefined;
}
