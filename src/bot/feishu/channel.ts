/**
 * Feishu as a Channel: text and approval cards out through the Open API (create, reply in thread,
 * patch), every send through a per-chat queue that keeps under Feishu's 5 messages per second.
 */
import type { Channel, MessageRef, OutboundMessage, PlatformUser } from '../../chat/channel.js';
import { renderFeishuCard, renderSuggestionCard } from './cards.js';
import { chatConversation, parseConversation, rateKey, userConversation, type FeishuTarget } from './conversation.js';
import { RateQueue } from './send-queue.js';
import type { SharedSlots } from './send-slots.js';
import { splitText } from './text.js';

export type MsgType = 'text' | 'interactive';

/** The three Open API calls the channel makes (sdk.ts implements them with the SDK's Client). */
export interface FeishuMessageApi {
  create(receiveIdType: 'chat_id' | 'open_id', receiveId: string, msgType: MsgType, content: string): Promise<{ messageId: string }>;
  reply(messageId: string, msgType: MsgType, content: string, inThread: boolean): Promise<{ messageId: string }>;
  patch(messageId: string, content: string): Promise<void>;
  /** Edit a sent text message in place (im.v1.message.update; cards go through patch). */
  edit(messageId: string, msgType: 'text', content: string): Promise<void>;
}

/** An Open API answer with a non-zero code, or an HTTP failure; `retryAfterMs` when rate limited. */
export class FeishuApiError extends Error {
  override readonly name = 'FeishuApiError';
  constructor(
    message: string,
    readonly code: number | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const MAX_RATE_RETRIES = 3;

export interface FeishuChannelOptions {
  /** Department id -> chat id of its approval group (FEISHU_APPROVAL_CHATS). */
  approvalChats?: Record<string, string>;
  /** The department of the person behind a Feishu user id (from the directory). */
  departmentOf?(feishuUserId: string): string | undefined;
  /** The rate window shared with other replicas, per key prefix (PostgreSQL only; see send-slots.ts). */
  sharedSlots?(prefix: string): SharedSlots;
  log?(msg: string, data?: Record<string, unknown>): void;
}

export class FeishuChannel implements Channel {
  readonly name = 'feishu' as const;
  /** Approval cards already posted to a group chat: several approvers of one department share one copy. */
  private readonly groupCards = new Map<string, MessageRef>();
  /**
   * 5 QPS per chat for sends, 5 QPS per message for patches. Feishu counts arrivals, we can only
   * space departures: the window has a margin for network jitter (measured: ~25 ms on loopback).
   */
  private readonly sends: RateQueue;
  private readonly patches: RateQueue;

  constructor(
    private readonly api: FeishuMessageApi,
    private readonly opts: FeishuChannelOptions = {},
  ) {
    // Several replicas on one PostgreSQL share the window (send-slots.ts); one process keeps it in memory.
    const log = opts.log ?? (() => undefined);
    this.sends = new RateQueue({ limit: 5, windowMs: 1100, log, ...(opts.sharedSlots && { shared: opts.sharedSlots('feishu:send:') }) });
    this.patches = new RateQueue({ limit: 5, windowMs: 1100, log, ...(opts.sharedSlots && { shared: opts.sharedSlots('feishu:patch:') }) });
  }

  async send(conversationId: string, message: OutboundMessage): Promise<MessageRef> {
    const target = parseConversation(conversationId);
    const groupKey = message.kind === 'card' && target.kind === 'chat' && !target.replyTo ? `${message.card.approvalId}|${target.chatId}` : undefined;
    const posted = groupKey ? this.groupCards.get(groupKey) : undefined;
    if (posted) return posted;
    const key = rateKey(target);
    const texts = message.kind === 'text' ? splitText(message.text) : [];
    const parts: { msgType: MsgType; content: string }[] =
      message.kind === 'card'
        ? [{ msgType: 'interactive', content: JSON.stringify(renderFeishuCard(message.card)) }]
        : message.suggestions?.length && texts.length === 1
          ? // Suggested commands as buttons on a small card (a text message has none).
            [{ msgType: 'interactive', content: JSON.stringify(renderSuggestionCard(message.text, message.suggestions)) }]
          : texts.map((text) => ({ msgType: 'text', content: JSON.stringify({ text }) }));
    let last = '';
    for (const part of parts) {
      last = (await this.sends.run(key, () => retryRateLimited(() => this.deliver(target, part.msgType, part.content)))).messageId;
    }
    const ref: MessageRef = { channel: 'feishu', conversationId, messageId: last };
    if (groupKey) {
      this.groupCards.set(groupKey, ref);
      // Only the approvers of one proposal, moments apart, need this: keep the newest few hundred.
      if (this.groupCards.size > 500) this.groupCards.delete(this.groupCards.keys().next().value!);
    }
    return ref;
  }

  async update(ref: MessageRef, message: OutboundMessage): Promise<void> {
    if (message.kind === 'text') {
      // A progress line edited in place; a text too long for one message is not an edit any more.
      const [first, ...rest] = splitText(message.text);
      if (rest.length > 0) throw new Error('Feishu: an edited text must fit in one message');
      const content = JSON.stringify({ text: first ?? '' });
      await this.patches.run(ref.messageId, () => retryRateLimited(() => this.api.edit(ref.messageId, 'text', content)));
      return;
    }
    const content = JSON.stringify(renderFeishuCard(message.card));
    await this.patches.run(ref.messageId, () => retryRateLimited(() => this.api.patch(ref.messageId, content)));
  }

  /**
   * Where an approver's card goes: their department's approval group when FEISHU_APPROVAL_CHATS
   * names one, else their p2p chat, reachable by open_id. Union ids (on_...) name the same person
   * and get no copy of their own.
   */
  async personalConversation(user: PlatformUser): Promise<string | undefined> {
    if (user.channel !== 'feishu' || !user.id.startsWith('ou_')) return undefined;
    const department = this.opts.departmentOf?.(user.id);
    const group = department ? this.opts.approvalChats?.[department] : undefined;
    return group ? chatConversation(group) : userConversation(user.id);
  }

  private deliver(target: FeishuTarget, msgType: MsgType, content: string): Promise<{ messageId: string }> {
    if (target.kind === 'user') return this.api.create('open_id', target.openId, msgType, content);
    if (target.replyTo) return this.api.reply(target.replyTo, msgType, content, target.thread === true);
    return this.api.create('chat_id', target.chatId, msgType, content);
  }
}

async function retryRateLimited<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof FeishuApiError) || err.retryAfterMs === undefined || attempt >= MAX_RATE_RETRIES) throw err;
      await new Promise((r) => setTimeout(r, err.retryAfterMs));
    }
  }
}
