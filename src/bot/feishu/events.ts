/**
 * The two Feishu events Switchboard acts on, as the SDK's EventDispatcher hands them to a handler
 * (header and event fields merged into one object), parsed with zod: nothing unchecked from the
 * wire reaches the inbox.
 */
import { z } from 'zod';

const userIds = z.object({
  open_id: z.string().min(1).optional(),
  union_id: z.string().min(1).optional(),
  user_id: z.string().optional(),
});
export type FeishuUserIds = z.infer<typeof userIds>;

const mention = z.object({
  key: z.string(),
  id: userIds.partial().default({}),
  name: z.string().optional(),
});

export const messageReceiveSchema = z.object({
  event_id: z.string().min(1).optional(),
  sender: z.object({
    sender_id: userIds.default({}),
    sender_type: z.string().default('user'),
  }),
  message: z.object({
    message_id: z.string().min(1),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    root_id: z.string().optional(),
    thread_id: z.string().optional(),
    mentions: z.array(mention).optional(),
    create_time: z.string().optional(),
  }),
});
export type MessageReceiveEvent = z.infer<typeof messageReceiveSchema>;

export const cardActionSchema = z.object({
  event_id: z.string().min(1).optional(),
  /** The card's callback token (the header's verification token is overwritten by the merge). */
  token: z.string().optional(),
  operator: userIds,
  action: z.object({
    value: z.unknown().optional(),
    tag: z.string().optional(),
    name: z.string().optional(),
    form_value: z.record(z.string(), z.unknown()).optional(),
  }),
  context: z
    .object({
      open_message_id: z.string().optional(),
      open_chat_id: z.string().optional(),
    })
    .partial()
    .default({}),
});
export type CardActionEvent = z.infer<typeof cardActionSchema>;

/** The only thing a card button carries. */
export const cardValueSchema = z.object({ approvalId: z.string().min(1).max(64) });

/**
 * The user's words: text and post (rich text) messages, mention placeholders such as @_user_1
 * removed. Other message types (images, files, stickers) give undefined.
 */
export function messageText(message: MessageReceiveEvent['message']): string | undefined {
  let raw: string;
  try {
    const content: unknown = JSON.parse(message.content);
    if (message.message_type === 'text') {
      const parsed = z.object({ text: z.string() }).safeParse(content);
      if (!parsed.success) return undefined;
      raw = parsed.data.text;
    } else if (message.message_type === 'post') {
      raw = postText(content);
    } else {
      return undefined;
    }
  } catch {
    return undefined;
  }
  let text = raw;
  // Longest first: @_user_1 must not eat the start of @_user_10.
  const keys = (message.mentions ?? []).map((m) => m.key).filter(Boolean).sort((a, b) => b.length - a.length);
  for (const key of keys) text = text.split(key).join(' ');
  text = text.replace(/@_user_\d+|@_all/g, ' ');
  return text.replace(/[ \t\u00a0]+/g, ' ').replace(/ *\n */g, '\n').trim();
}

const postNode = z.object({ tag: z.string(), text: z.string().optional() }).loose();
const postBody = z.object({ title: z.string().optional(), content: z.array(z.array(postNode)) });

/** Post content is `{title, content: [[node]]}`, sometimes wrapped in a locale key (zh_cn, en_us). */
function postText(content: unknown): string {
  let body = postBody.safeParse(content);
  if (!body.success && content && typeof content === 'object') {
    for (const value of Object.values(content)) {
      body = postBody.safeParse(value);
      if (body.success) break;
    }
  }
  if (!body.success) return '';
  const lines = body.data.content.map((paragraph) =>
    paragraph
      .filter((node) => node.tag === 'text' || node.tag === 'a' || node.tag === 'code_block' || node.tag === 'md')
      .map((node) => node.text ?? '')
      .join(''),
  );
  const title = body.data.title?.trim();
  return [...(title ? [title] : []), ...lines].join('\n');
}

/** In a group the bot answers only when it is @-mentioned. */
export function mentionsBot(message: MessageReceiveEvent['message'], botOpenId: string | undefined): boolean {
  const mentions = message.mentions ?? [];
  if (!botOpenId) return mentions.length > 0;
  return mentions.some((m) => m.id.open_id === botOpenId);
}
