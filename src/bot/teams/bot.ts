/**
 * One Teams turn. Every activity refreshes its conversation reference; a message becomes an inbox
 * event (the inbox deduplicates on the activity id) and the turn ends at once while a typing
 * indicator runs until the agent has answered; a card click becomes a CardAction whose identity is
 * the activity's `from.aadObjectId`, answered within the invoke budget with the clicker's card.
 */
import { randomUUID } from 'node:crypto';
import { ActivityTypes, TurnContext, type Activity } from 'botbuilder';
import type { CardAction, InboundMessage } from '../../chat/channel.js';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import type { Lang } from '../../chat/lang.js';
import type { Inbox } from '../inbox.js';
import type { Db } from '../../store/db.js';
import { INVOKE_ANSWERED, type TurnLogic } from './adapter.js';
import { parseCardInvoke, parseSubmit, readActivity, signedUserId, type CardClick } from './activities.js';
import { isDeadLetter, type DeadLetter } from '../inbox.js';
import { guessLang } from '../notices.js';
import type { TeamsChannel } from './channel.js';
import { saveConversation, saveUser } from './references.js';

export interface TeamsBotDeps {
  db: Db;
  inbox: Inbox;
  channel: TeamsChannel;
  /** The card view of an approval as this Teams user reads it (their language), injected so bot/ stays out of agents/. */
  viewOf(approvalId: string, aadObjectId?: string): Promise<ApprovalCardView | undefined>;
  /** How long an invoke waits for the decision before answering "working on it" (Teams allows ~10 s). */
  invokeBudgetMs?: number;
  /** Typing indicator period while the agent works (Teams shows one for about 3 s). */
  typingEveryMs?: number;
  log?: (msg: string, data?: Record<string, unknown>) => void;
}

/** The answer agent.decide gives (agents/agent.ts DecisionResult), as far as Teams needs it. */
type DecisionOutcome = { status: 'approved' | 'rejected' | 'voted' | 'withdrawn'; message: string } | { status: 'refused'; reason: string; message: string } | DeadLetter;

const INVOKE_BUDGET_MS = 800;
const TYPING_EVERY_MS = 3000;

const TEXT = {
  working: { zh: '正在处理，稍后卡片会更新。', en: 'Working on it; the card will update shortly.' },
  notFound: { zh: '找不到这条审批。', en: 'This approval no longer exists.' },
  duplicate: { zh: '这次点击已处理过。', en: 'This click was already handled.' },
  notEnrolled: { zh: '你尚未开通 Switchboard，请联系管理员。', en: 'You are not enrolled in Switchboard; please contact your administrator.' },
} as const;

export function teamsTurn(deps: TeamsBotDeps): TurnLogic {
  const log = deps.log ?? ((msg, data) => console.error(`[teams] ${msg}`, data ?? ''));
  return async (context) => {
    const a = context.activity;
    await remember(deps.db, a);
    if (a.type === ActivityTypes.Message) {
      const submit = parseSubmit(a.value);
      if (submit) return onSubmit(deps, context, submit);
      return onMessage(deps, context, log);
    }
    if (a.type === ActivityTypes.Invoke) {
      if (a.name === 'adaptiveCard/action') return onCardAction(deps, context);
      // task/fetch, composeExtension/… and the like: not something this bot offers.
      return answerInvoke(context, 400, { code: 'BadRequest', message: `unsupported invoke ${JSON.stringify(String(a.name ?? '').slice(0, 64))}` });
    }
    // conversationUpdate / installationUpdate: the reference stored above is all we need.
  };
}

async function remember(db: Db, a: Activity): Promise<void> {
  if (!a.conversation?.id || !a.serviceUrl) return;
  const type = a.conversation.conversationType ?? null;
  const tenant = a.conversation.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? null;
  // Without the activity id: later sends are new messages (POST …/activities), not replies to this one.
  const { activityId: _replyTo, ...reference } = TurnContext.getConversationReference(a);
  await saveConversation(db, { conversationId: a.conversation.id, conversationType: type, tenantId: tenant, serviceUrl: a.serviceUrl, reference });
  const aad = signedUserId(a.from);
  if (aad && a.from.id) {
    await saveUser(db, { aadObjectId: aad, userMri: a.from.id, name: a.from.name ?? null, personalConversationId: type === 'personal' ? a.conversation.id : null });
  }
}

async function onMessage(deps: TeamsBotDeps, context: TurnContext, log: NonNullable<TeamsBotDeps['log']>): Promise<void> {
  const a = context.activity;
  const read = readActivity(a);
  const conversationId = a.conversation.id;
  const eventId = a.id ?? randomUUID();
  if (!('text' in read)) {
    // An attachment only, a text that is not a string, nothing at all: answered, counted, audited.
    const actor = signedUserId(a.from) ?? (a.from?.id ? `unsigned:${a.from.id}` : undefined);
    await deps.inbox.receiveUnreadable({
      channel: 'teams',
      eventId,
      conversationId,
      reason: read.reason,
      lang: guessLang(undefined, a.locale),
      ...(actor ? { actor } : {}),
      details: { textType: a.text === null ? 'null' : typeof a.text, attachments: Array.isArray(a.attachments) ? a.attachments.length : 0, conversationType: a.conversation.conversationType ?? null },
    });
    return;
  }
  const text = read.text;
  const message: InboundMessage = {
    channel: 'teams',
    conversationId,
    messageId: eventId,
    // Without an AAD object id nobody signed an identity: the directory will not know the sender.
    sender: { channel: 'teams', id: signedUserId(a.from) ?? `unsigned:${a.from?.id ?? '?'}`, ...(a.from?.name ? { displayName: a.from.name } : {}) },
    text,
    receivedAt: new Date(),
  };
  const received = await deps.inbox.receive({
    channel: 'teams',
    eventId,
    kind: 'message',
    conversationId,
    payload: { ...message, receivedAt: message.receivedAt.toISOString() },
  });
  if (received.duplicate) return;
  // Not awaited: the channel gets its 200 without waiting for our first typing indicator.
  void deps.channel.typing(conversationId).catch((e: Error) => log('typing failed', { error: e.message }));
  keepTyping(deps, conversationId, received.result, log);
}

/** Typing indicators every few seconds until the agent's turn settles. */
function keepTyping(deps: TeamsBotDeps, conversationId: string, done: Promise<unknown>, log: NonNullable<TeamsBotDeps['log']>): void {
  const timer = setInterval(
    () => void deps.channel.typing(conversationId).catch((e: Error) => log('typing failed', { error: e.message })),
    deps.typingEveryMs ?? TYPING_EVERY_MS,
  );
  timer.unref();
  void done.catch(() => undefined).finally(() => clearInterval(timer));
}

async function onCardAction(deps: TeamsBotDeps, context: TurnContext): Promise<void> {
  const a = context.activity;
  const click = parseCardInvoke(a.value);
  if (!click) {
    await deps.inbox.refuse({ channel: 'teams', reason: 'not_an_approval_button', answered: true, ...(signedUserId(a.from) ? { actor: signedUserId(a.from)! } : {}), details: { invoke: 'adaptiveCard/action' } });
    return answerInvoke(context, 400, { code: 'BadRequest', message: 'not a Switchboard card action' });
  }
  const lang = (await deps.viewOf(click.approvalId, signedUserId(a.from)))?.lang ?? 'zh';
  if (click.kind === 'refresh') {
    // A view of the card only for people in the directory (the id alone must not reveal it).
    if (!deps.channel.isEnrolled(signedUserId(a.from))) return answerWithMessage(context, TEXT.notEnrolled[lang]);
    return answerWithCard(deps, context, click.approvalId, lang);
  }

  const outcome = await decide(deps, context, click, deps.invokeBudgetMs ?? INVOKE_BUDGET_MS);
  if (outcome === 'timeout') return answerWithMessage(context, TEXT.working[lang]);
  if (outcome && (outcome.status === 'refused' || isDeadLetter(outcome))) return answerWithMessage(context, outcome.message);
  // Decided (or an already handled retry): the clicker sees the current card at once.
  return answerWithCard(deps, context, click.approvalId, lang);
}

async function onSubmit(deps: TeamsBotDeps, context: TurnContext, click: Extract<CardClick, { kind: 'decide' }>): Promise<void> {
  const outcome = await decide(deps, context, click, 10_000);
  const lang = (await deps.viewOf(click.approvalId, signedUserId(context.activity.from)))?.lang ?? 'zh';
  const text = outcome === 'timeout' ? TEXT.working[lang] : outcome ? outcome.message : TEXT.duplicate[lang];
  await context.sendActivity({ type: 'message', text, textFormat: 'plain' });
}

/** The click as a CardAction through the inbox (dedup on the activity id), waited for at most `budgetMs`. */
async function decide(
  deps: TeamsBotDeps,
  context: TurnContext,
  click: Extract<CardClick, { kind: 'decide' }>,
  budgetMs: number,
): Promise<DecisionOutcome | undefined | 'timeout'> {
  const a = context.activity;
  const eventId = a.id ?? randomUUID();
  const action: CardAction = {
    channel: 'teams',
    conversationId: a.conversation.id,
    messageId: eventId,
    actor: { channel: 'teams', id: signedUserId(a.from) ?? `unsigned:${a.from?.id ?? '?'}`, ...(a.from?.name ? { displayName: a.from.name } : {}) },
    approvalId: click.approvalId,
    decision: click.decision,
    ...(click.comment !== undefined ? { comment: click.comment } : {}),
  };
  const received = await deps.inbox.receive({ channel: 'teams', eventId, kind: 'action', conversationId: a.conversation.id, payload: { ...action } });
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      received.result as Promise<DecisionOutcome | undefined>,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), budgetMs))),
    ]);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

async function answerWithCard(deps: TeamsBotDeps, context: TurnContext, approvalId: string, lang: Lang): Promise<void> {
  const view = await deps.viewOf(approvalId, signedUserId(context.activity.from));
  if (!view) return answerWithMessage(context, TEXT.notFound[lang]);
  const card = await deps.channel.cardFor(view, signedUserId(context.activity.from));
  return answerInvoke(context, 200, { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
}

function answerWithMessage(context: TurnContext, text: string): Promise<void> {
  return answerInvoke(context, 200, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text });
}

async function answerInvoke(context: TurnContext, status: number, body: unknown): Promise<void> {
  context.turnState.set(INVOKE_ANSWERED, true);
  await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status, body } });
}
