/**
 * Bot Framework activities -> Switchboard shapes: the text a user typed (mentions stripped), and
 * the card clicks, either Universal Actions invokes (adaptiveCard/action) or the Action.Submit
 * fallback (a message whose value is the card data). Identity never comes from here: only the
 * activity's `from` envelope, which the Bot Framework token vouches for.
 */
import { z } from 'zod';
import type { Activity } from 'botbuilder';
import type { Decision } from '../../chat/channel.js';
import { COMMENT_INPUT_ID, REFRESH_VERB } from '../cards/adaptive.js';
import { isStorableText } from '../../lib/storable.js';

/**
 * An id as the Bot Framework sends it: bounded, and text a database can hold (no NUL, no lone
 * surrogate). An id is not free text: one that is not clean is refused (400), never "repaired"
 * into the id of some other conversation.
 */
const wireId = (max: number) => z.string().min(1).max(max).refine(isStorableText, 'contains characters not allowed in an id');
const nullable = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? undefined);

const account = z.object({
  id: nullable(wireId(256)),
  name: nullable(z.string().max(512)),
  aadObjectId: nullable(wireId(128)),
  role: nullable(z.string().max(64)),
});

/**
 * What Switchboard needs of any activity before it runs a turn: its type, and the conversation
 * it belongs to (every activity Teams sends has one; without it nothing can be answered or
 * stored). Messages and invokes also need the service URL to answer through. Unknown keys are
 * kept for the SDK; the accounts are reduced to the fields the Bot Framework defines, so nothing
 * unbounded reaches the stored conversation reference.
 */
export const activityEnvelope = z
  .looseObject({
    type: wireId(64),
    id: nullable(wireId(512)),
    serviceUrl: nullable(wireId(2048)),
    channelId: nullable(wireId(64)),
    replyToId: nullable(wireId(512)),
    locale: nullable(z.string().max(32)),
    conversation: z.object({
      id: wireId(512),
      name: nullable(z.string().max(512)),
      conversationType: nullable(z.string().max(64)),
      tenantId: nullable(wireId(128)),
      isGroup: nullable(z.boolean()),
    }),
    from: nullable(account),
    recipient: nullable(account),
  })
  .superRefine((a, ctx) => {
    if ((a.type === 'message' || a.type === 'invoke') && !a.serviceUrl) ctx.addIssue({ code: 'custom', path: ['serviceUrl'], message: 'required for a message or an invoke' });
  });

/** What a message activity says, or why it cannot be read. */
export type ReadActivity = { text: string } | { reason: 'unsupported_type' | 'empty' | 'malformed_event' };

export function readActivity(activity: Pick<Activity, 'text' | 'entities' | 'recipient' | 'attachments'>): ReadActivity {
  const raw: unknown = activity.text;
  if (raw !== undefined && raw !== null && typeof raw !== 'string') return { reason: 'malformed_event' };
  const text = inboundText(activity);
  if (text) return { text };
  const attachments: unknown = activity.attachments;
  return Array.isArray(attachments) && attachments.length > 0 ? { reason: 'unsupported_type' } : { reason: 'empty' };
}

/** The text with the bot's @mention (and the <at> tags of any other mention) removed. */
export function inboundText(activity: Pick<Activity, 'text' | 'entities' | 'recipient'>): string {
  const raw: unknown = activity.text;
  let text = typeof raw === 'string' ? raw : '';
  const entities: unknown = activity.entities;
  for (const e of Array.isArray(entities) ? (entities as unknown[]) : []) {
    if (!e || typeof e !== 'object' || (e as { type?: unknown }).type !== 'mention') continue;
    const mention = e as { mentioned?: { id?: unknown } | null; text?: unknown };
    if (mention.mentioned?.id === activity.recipient?.id && typeof mention.text === 'string' && mention.text) text = text.split(mention.text).join(' ');
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
  if (verb !== 'approve' && verb !== 'reject' && verb !== 'withdraw') return undefined;
  const c = data[COMMENT_INPUT_ID];
  return { kind: 'decide', approvalId: data.approvalId, decision: verb, ...(c ? { comment: c } : {}) };
}

const submitValue = z.looseObject({ approvalId, verb: z.enum(['approve', 'reject', 'withdraw']), [COMMENT_INPUT_ID]: comment });

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
