/**
 * Feishu conversation ids as the agent sees them. Feishu addresses a message either to a chat
 * (chat_id, oc_...) or to a person (open_id, ou_..., which lands in their p2p chat with the bot),
 * and an answer to a user's message should be a reply to that message. One string carries all
 * three, so the agent can keep treating a conversation id as opaque:
 *
 *   chat:oc_xxx                     a chat (group or p2p)
 *   user:ou_xxx                     a person's p2p chat with the bot, by open_id
 *   chat:oc_xxx/reply:om_yyy        reply to message om_yyy in chat oc_xxx
 *   chat:oc_xxx/reply:om_yyy/thread  ... as a thread (topic) reply, used in group chats
 *
 * Bare "oc_..." and "ou_..." ids are accepted too.
 */
export type FeishuTarget =
  | { kind: 'chat'; chatId: string; replyTo?: string; thread?: boolean }
  | { kind: 'user'; openId: string };

const ID = /^[A-Za-z0-9_-]{1,128}$/;

export function chatConversation(chatId: string): string {
  return `chat:${chatId}`;
}

export function userConversation(openId: string): string {
  return `user:${openId}`;
}

export function replyConversation(chatId: string, messageId: string, thread: boolean): string {
  return `chat:${chatId}/reply:${messageId}${thread ? '/thread' : ''}`;
}

export function parseConversation(id: string): FeishuTarget {
  if (ID.test(id)) {
    if (id.startsWith('oc_')) return { kind: 'chat', chatId: id };
    if (id.startsWith('ou_')) return { kind: 'user', openId: id };
  }
  const user = /^user:([A-Za-z0-9_-]{1,128})$/.exec(id);
  if (user) return { kind: 'user', openId: user[1]! };
  const chat = /^chat:([A-Za-z0-9_-]{1,128})(?:\/reply:([A-Za-z0-9_-]{1,128})(\/thread)?)?$/.exec(id);
  if (chat) {
    return {
      kind: 'chat',
      chatId: chat[1]!,
      ...(chat[2] ? { replyTo: chat[2] } : {}),
      ...(chat[3] ? { thread: true } : {}),
    };
  }
  throw new Error(`not a Feishu conversation id: ${JSON.stringify(id)}`);
}

/** The key Feishu's per-chat send limit applies to. */
export function rateKey(target: FeishuTarget): string {
  return target.kind === 'chat' ? `chat:${target.chatId}` : `user:${target.openId}`;
}
