/**
 * One dispatcher for both ways in: the webhook (after our signature, timestamp and decryption
 * checks) and the SDK's long connection call the same handlers through the SDK's EventDispatcher.
 *
 * Every event goes into the inbox first (unique on channel + event id: Feishu's retries and
 * re-delivered long-connection events do nothing twice), then the platform gets its answer. Chat
 * turns run after the ack; a card click waits for the decision itself (a few database statements
 * and card patches) but never for the write it triggers, and never longer than the ack budget.
 */
import { z } from 'zod';
import type { CardAction, InboundMessage } from '../../chat/channel.js';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import type { Inbox } from '../inbox.js';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import { approvalMessages, getApproval, type ApprovalRow } from '../../store/approvals-repo.js';
import { isBulkCardId } from '../../store/bulk-approvals-repo.js';
import { renderFeishuCard, COMMENT_FIELD, type FeishuCardJson } from './cards.js';
import { chatConversation, replyConversation, userConversation } from './conversation.js';
import { SUGGESTION_BUTTON, cardActionSchema, type CardActionEvent, cardValueSchema, mentionsBot, messageReceiveSchema, readMessage, suggestionValueSchema, type FeishuUserIds } from './events.js';
import { guessLang, issuePaths } from '../notices.js';

export const MESSAGE_EVENT = 'im.message.receive_v1';
export const CARD_ACTION_EVENT = 'card.action.trigger';

/** Feishu retries an event that is not answered within 3 s: answer well before. */
export const ACK_BUDGET_MS = 2500;

export interface CardCallbackResponse {
  toast: { type: 'success' | 'error' | 'info' | 'warning'; content: string; i18n?: { zh_cn: string; en_us: string } };
  card?: { type: 'raw'; data: FeishuCardJson };
}

export interface FeishuDispatchDeps {
  inbox: Inbox;
  directory: Directory;
  db: Db;
  /** The card view of an approval as a principal reads it (agents/approval-view.ts), injected so bot/ stays out of agents/. */
  viewOf(row: ApprovalRow, readerId?: string): ApprovalCardView;
  /** A bulk approval card's view by its click id, injected like viewOf. */
  bulkViewOf?(cardId: string, readerId?: string): Promise<ApprovalCardView | undefined>;
  /** The bot's open_id (to tell an @-mention of the bot in a group). */
  botOpenId(): Promise<string | undefined>;
  log?(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void;
  ackBudgetMs?: number;
}

/** What agent.decide answers (agents/agent.ts DecisionResult), checked rather than cast. */
const decisionResult = z.union([
  z.object({ status: z.enum(['approved', 'rejected', 'voted', 'withdrawn']), approvalId: z.string(), message: z.string() }),
  z.object({ status: z.literal('refused'), approvalId: z.string(), reason: z.string(), message: z.string() }),
]);

/**
 * The platform user id the directory knows: the open_id (per app) first, then the union_id (the
 * same person across the tenant's apps). Unknown people keep their open_id; the agent answers them
 * politely and audits the attempt.
 */
export function feishuUserId(directory: Directory, ids: FeishuUserIds): string | undefined {
  if (ids.open_id && directory.byPlatformUser('feishu', ids.open_id)) return ids.open_id;
  if (ids.union_id && directory.byPlatformUser('feishu', ids.union_id)) return ids.union_id;
  return ids.open_id ?? ids.union_id;
}

export function createFeishuHandlers(deps: FeishuDispatchDeps) {
  const log = deps.log ?? (() => undefined);
  const budget = deps.ackBudgetMs ?? ACK_BUDGET_MS;

  /**
   * A message is answered, one way or another, whenever it is addressed to the bot: the agent's
   * turn when it can be read, "text only / could not read your message" when it cannot, and a
   * count and an audit record when not even its chat is known. The answer to Feishu is always
   * 200: it would redeliver anything else, and a message that cannot be read now never will be.
   */
  async function onMessage(data: unknown): Promise<Record<string, never>> {
    const parsed = messageReceiveSchema.safeParse(data);
    if (!parsed.success) {
      log('warn', 'im.message.receive_v1 without a chat or message id: refused', { issues: issuePaths(parsed.error) });
      await deps.inbox.refuse({ channel: 'feishu', reason: 'unroutable', details: { event: MESSAGE_EVENT, issues: issuePaths(parsed.error), eventId: eventIdOf(data) } });
      return {};
    }
    const { event_id: eventId, sender, message } = parsed.data;
    // Messages from bots and apps (our own included) are never commands.
    if (sender.sender_type !== 'user') return {};
    const group = message.chat_type !== 'p2p';
    if (group && !mentionsBot(message, await deps.botOpenId())) return {};
    const read = readMessage(message);
    const senderId = feishuUserId(deps.directory, sender.sender_id);
    // Answers go back as replies to this message (in a thread in groups, so a busy group stays readable).
    const conversationId = replyConversation(message.chat_id, message.message_id, group);
    const id = eventId ?? message.message_id;

    if (!('text' in read) || !senderId) {
      const reason = !senderId ? 'no_sender' : 'reason' in read ? read.reason : 'malformed_event';
      log('info', 'unreadable Feishu message answered', { reason, messageType: message.message_type });
      const received = await deps.inbox.receiveUnreadable({
        channel: 'feishu',
        eventId: id,
        conversationId,
        queueConversationId: chatConversation(message.chat_id),
        reason,
        lang: guessLang('text' in read ? read.text : undefined),
        ...(senderId ? { actor: senderId } : sender.sender_id.user_id ? { actor: `user_id:${sender.sender_id.user_id}` } : {}),
        details: { messageType: message.message_type ?? null, chatType: message.chat_type, messageId: message.message_id },
      });
      void received.result.catch(() => undefined);
      return {};
    }

    const inbound: InboundMessage = {
      channel: 'feishu',
      conversationId,
      messageId: message.message_id,
      sender: { channel: 'feishu', id: senderId },
      text: read.text,
      receivedAt: new Date(),
    };
    const received = await deps.inbox.receive({
      channel: 'feishu',
      eventId: id,
      kind: 'message',
      // Ordered per chat, whatever message each answer replies to.
      conversationId: chatConversation(message.chat_id),
      payload: { ...inbound, receivedAt: inbound.receivedAt.toISOString() },
    });
    // The turn runs after the ack; its failures are the inbox's to retry and log.
    void received.result.catch(() => undefined);
    return {};
  }

  /**
   * A suggestion button: the command it carries is sent as the clicker's own message, the clicker
   * being the callback's operator (signed by Feishu), exactly as if they had typed it in the chat.
   */
  async function onSuggestion(event: CardActionEvent, command: string): Promise<CardCallbackResponse> {
    const actorId = feishuUserId(deps.directory, event.operator);
    const idOfClick = event.event_id ?? (event.token ? `card:${event.token}` : undefined);
    if (!actorId || !idOfClick) {
      log('warn', 'unreadable suggestion click answered', { reason: !actorId ? 'no_sender' : 'malformed_event' });
      await deps.inbox.refuse({ channel: 'feishu', reason: !actorId ? 'no_sender' : 'malformed_event', answered: true, details: { event: CARD_ACTION_EVENT } });
      return toast('error', '无法识别此操作', 'This action was not understood');
    }
    const chat = event.context.open_chat_id;
    const conversationId = chat ? chatConversation(chat) : userConversation(event.operator.open_id ?? actorId);
    const inbound: InboundMessage = { channel: 'feishu', conversationId, messageId: idOfClick, sender: { channel: 'feishu', id: actorId }, text: command, receivedAt: new Date() };
    const received = await deps.inbox.receive({ channel: 'feishu', eventId: idOfClick, kind: 'message', conversationId, payload: { ...inbound, receivedAt: inbound.receivedAt.toISOString() } });
    void received.result.catch(() => undefined);
    return toast('info', `已发送：${command}`, `Sent: ${command}`);
  }

  async function onCardAction(data: unknown): Promise<CardCallbackResponse> {
    const parsed = cardActionSchema.safeParse(data);
    if (parsed.success && parsed.data.action.name === SUGGESTION_BUTTON) {
      const suggestion = suggestionValueSchema.safeParse(parsed.data.action.value);
      if (suggestion.success) return onSuggestion(parsed.data, suggestion.data.command);
    }
    const value = parsed.success ? cardValueSchema.safeParse(parsed.data.action.value) : undefined;
    const decision = parsed.success ? z.enum(['approve', 'reject', 'withdraw']).safeParse(parsed.data.action.name) : undefined;
    // The clicker is answered with a toast; the click is counted and audited as well.
    const unreadable = async (reason: string, details: Record<string, unknown>) => {
      log('warn', 'unreadable card.action.trigger answered', { reason });
      await deps.inbox.refuse({ channel: 'feishu', reason, answered: true, details: { event: CARD_ACTION_EVENT, eventId: eventIdOf(data), ...details } });
    };
    if (!parsed.success || !value?.success || !decision?.success) {
      await unreadable(parsed.success ? 'not_an_approval_button' : 'malformed_event', parsed.success ? {} : { issues: issuePaths(parsed.error) });
      return toast('error', '无法识别此操作', 'This action was not understood');
    }
    const { event_id: eventId, token, operator, action, context } = parsed.data;
    const actorId = feishuUserId(deps.directory, operator);
    if (!actorId) {
      await unreadable('no_sender', {});
      return toast('error', '无法识别操作人', 'Who clicked could not be established');
    }
    const idOfClick = eventId ?? (token ? `card:${token}` : undefined);
    if (!idOfClick) {
      await unreadable('malformed_event', { issues: ['event_id and token: missing'] });
      return toast('error', '无法识别此操作', 'This action was not understood');
    }
    const rawComment = action.form_value?.[COMMENT_FIELD];
    const comment = typeof rawComment === 'string' && rawComment.trim() ? rawComment.trim() : undefined;
    const conversationId = context.open_chat_id ? chatConversation(context.open_chat_id) : userConversation(operator.open_id ?? actorId);

    const cardAction: CardAction = {
      channel: 'feishu',
      conversationId,
      messageId: idOfClick,
      // From the callback's operator, which Feishu fills in: never from the button's value.
      actor: { channel: 'feishu', id: actorId },
      approvalId: value.data.approvalId,
      decision: decision.data,
      ...(comment ? { comment } : {}),
    };
    const received = await deps.inbox.receive({ channel: 'feishu', eventId: idOfClick, kind: 'action', conversationId, payload: { ...cardAction } });
    received.result.catch(() => undefined);

    const outcome = await withTimeout(received.result, budget);
    // The card in the callback answer replaces that message for everyone who sees it (update_multi):
    // drawn for the reader the copy was sent to, or for the clicker where no reader was recorded.
    const current = await currentCard(value.data.approvalId, context.open_message_id, deps.directory.byPlatformUser('feishu', actorId)?.id);
    if (outcome === failed) return toast('error', '处理失败，请稍后重试', 'Something went wrong; please try again', current);
    if (outcome === timedOut) {
      // The decision is still being recorded; the card is patched for everyone when it is.
      return toast('info', '正在处理，请稍候', 'Working on it; the card will update', undefined);
    }
    if (outcome === undefined) {
      // A retried delivery of a click already handled: show where things stand.
      return toast('info', '此操作已处理', 'This click was already handled', current);
    }
    const result = decisionResult.safeParse(outcome);
    if (!result.success) return toast('error', '处理失败，请稍后重试', 'Something went wrong; please try again', current);
    const r = result.data;
    return { toast: { type: r.status === 'refused' ? 'error' : 'success', content: r.message }, ...(current ? { card: { type: 'raw', data: current } } : {}) };
  }

  async function currentCard(approvalId: string, messageId: string | undefined, clickerId: string | undefined): Promise<FeishuCardJson | undefined> {
    if (isBulkCardId(approvalId)) {
      const view = await deps.bulkViewOf?.(approvalId, clickerId).catch(() => undefined);
      return view ? renderFeishuCard(view) : undefined;
    }
    const row = await getApproval(deps.db, approvalId).catch(() => undefined);
    if (!row) return undefined;
    const copy = messageId ? (await approvalMessages(deps.db, row.id).catch(() => [])).find((m) => m.channel === 'feishu' && m.message_id === messageId) : undefined;
    return renderFeishuCard(deps.viewOf(row, copy?.reader_id ?? clickerId));
  }

  return { [MESSAGE_EVENT]: onMessage, [CARD_ACTION_EVENT]: onCardAction };
}

/** The envelope's event id, for the audit record of an event we could not parse (bounded). */
function eventIdOf(data: unknown): string | null {
  const id = data && typeof data === 'object' ? (data as { event_id?: unknown }).event_id : undefined;
  return typeof id === 'string' ? id.slice(0, 128) : null;
}

function toast(type: CardCallbackResponse['toast']['type'], zh: string, en: string, card?: FeishuCardJson): CardCallbackResponse {
  return { toast: { type, content: zh, i18n: { zh_cn: zh, en_us: en } }, ...(card ? { card: { type: 'raw', data: card } } : {}) };
}

const timedOut = Symbol('timedOut');
const failed = Symbol('failed');
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | typeof timedOut | typeof failed> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.catch((): typeof failed => failed), new Promise<typeof timedOut>((resolve) => (timer = setTimeout(() => resolve(timedOut), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
