/**
 * The two Feishu events Switchboard acts on, as the SDK's EventDispatcher hands them to a handler
 * (header and event fields merged into one object), parsed with zod: nothing unchecked from the
 * wire reaches the inbox.
 */
import { z } from 'zod';

/**
 * Every field Feishu may leave out is optional here, and absent, null and "" all read as
 * "not given": `sender_id.user_id` is empty unless the app has the user-id permission, and the
 * other ids but open_id come and go with the app's scopes. Only what routing needs is required:
 * the chat and the message ids (as the ids our conversation strings can carry).
 */
const given = z
  .string()
  .nullish()
  .transform((v) => (v ? v : undefined));
const givenOr = (fallback: string) => given.transform((v) => v ?? fallback);
/** The ids Feishu puts in a chat or message id (oc_…, om_…): anything else cannot be answered. */
const feishuId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'not a Feishu id');

const userIds = z
  .object({ open_id: given, union_id: given, user_id: given })
  .nullish()
  .transform((v): FeishuUserIds => v ?? {});
export type FeishuUserIds = { open_id?: string | undefined; union_id?: string | undefined; user_id?: string | undefined };

const mention = z.object({
  key: givenOr(''),
  id: userIds,
  name: given,
});

export const messageReceiveSchema = z.object({
  event_id: given,
  sender: z
    .object({
      sender_id: userIds,
      sender_type: givenOr('user'),
    })
    .nullish()
    .transform((v) => v ?? { sender_id: {}, sender_type: 'user' }),
  message: z.object({
    message_id: feishuId,
    chat_id: feishuId,
    /** Missing: treated as a group (answered only when the bot is mentioned). */
    chat_type: givenOr('group'),
    message_type: given,
    /** A JSON string; anything else is read as malformed content. */
    content: z.unknown(),
    root_id: given,
    thread_id: given,
    mentions: z
      .array(z.unknown())
      .nullish()
      .transform((list) => (list ?? []).flatMap((m) => {
        const parsed = mention.safeParse(m);
        return parsed.success ? [parsed.data] : [];
      })),
    create_time: given,
  }),
});
export type MessageReceiveEvent = z.infer<typeof messageReceiveSchema>;

export const cardActionSchema = z.object({
  event_id: given,
  /** The card's callback token (the header's verification token is overwritten by the merge). */
  token: given,
  operator: userIds,
  action: z.object({
    value: z.unknown().optional(),
    tag: given,
    name: given,
    form_value: z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? undefined),
  }),
  context: z
    .object({
      open_message_id: given,
      open_chat_id: given,
    })
    .nullish()
    .transform((v): { open_message_id?: string | undefined; open_chat_id?: string | undefined } => v ?? {}),
});
export type CardActionEvent = z.infer<typeof cardActionSchema>;

/** The only thing an approval button carries. */
export const cardValueSchema = z.object({ approvalId: z.string().min(1).max(64) });
/** What a suggestion button carries: the command it sends as the clicker's own message. */
export const suggestionValueSchema = z.strictObject({ command: z.string().trim().min(1).max(200) });
export const SUGGESTION_BUTTON = 'suggestion';

/** What a message says, or why it cannot be read. */
export type ReadMessage = { text: string } | { reason: 'unsupported_type' | 'malformed_content' | 'empty' | 'malformed_event' };

/**
 * The user's words: text and post (rich text) messages, mention placeholders such as @_user_1
 * removed. Any other type, or content that does not parse, gives the reason it cannot be read.
 */
export function readMessage(message: MessageReceiveEvent['message']): ReadMessage {
  if (!message.message_type) return { reason: 'malformed_event' };
  if (message.message_type !== 'text' && message.message_type !== 'post') return { reason: 'unsupported_type' };
  if (typeof message.content !== 'string') return { reason: 'malformed_content' };
  let content: unknown;
  try {
    content = JSON.parse(message.content);
  } catch {
    return { reason: 'malformed_content' };
  }
  let raw: string;
  if (message.message_type === 'text') {
    const parsed = z.object({ text: z.string() }).safeParse(content);
    if (!parsed.success) return { reason: 'malformed_content' };
    raw = parsed.data.text;
  } else {
    const post = postText(content);
    if (post === undefined) return { reason: 'malformed_content' };
    if (!post.text.trim()) return { reason: post.hasOther ? 'unsupported_type' : 'empty' };
    raw = post.text;
  }
  let text = raw;
  // Longest first: @_user_1 must not eat the start of @_user_10.
  const keys = message.mentions.map((m) => m.key).filter(Boolean).sort((a, b) => b.length - a.length);
  for (const key of keys) text = text.split(key).join(' ');
  text = text.replace(/@_user_\d+|@_all/g, ' ');
  text = text.replace(/[ \t\u00a0]+/g, ' ').replace(/ *\n */g, '\n').trim();
  return text ? { text } : { reason: 'empty' };
}

/** The words of a text or post message; undefined when it has none we can read. */
export function messageText(message: MessageReceiveEvent['message']): string | undefined {
  const read = readMessage(message);
  return 'text' in read ? read.text : undefined;
}

const TEXT_TAGS = new Set(['text', 'a', 'code_block', 'md']);

function asPost(v: unknown): { title?: unknown; content: unknown[] } | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const content = (v as { content?: unknown }).content;
  return Array.isArray(content) ? { title: (v as { title?: unknown }).title, content } : undefined;
}

/**
 * Post content is `{title, content: [[node]]}`, sometimes wrapped in a locale key (zh_cn, en_us).
 * Nodes of any other shape (images, emoji, odd or null entries) are skipped, and noted.
 */
function postText(content: unknown): { text: string; hasOther: boolean } | undefined {
  let body = asPost(content);
  if (!body && content && typeof content === 'object') {
    for (const value of Object.values(content)) {
      body = asPost(value);
      if (body) break;
    }
  }
  if (!body) return undefined;
  let hasOther = false;
  const lines = body.content.map((paragraph) => {
    if (!Array.isArray(paragraph)) {
      hasOther = true;
      return '';
    }
    return paragraph
      .map((node: unknown) => {
        const n = node && typeof node === 'object' ? (node as { tag?: unknown; text?: unknown }) : undefined;
        if (n && typeof n.tag === 'string' && TEXT_TAGS.has(n.tag) && typeof n.text === 'string') return n.text;
        if (!n || n.tag !== 'at') hasOther = true;
        return '';
      })
      .join('');
  });
  const title = typeof body.title === 'string' ? body.title.trim() : '';
  return { text: [...(title ? [title] : []), ...lines].join('\n'), hasOther };
}

/** In a group the bot answers only when it is @-mentioned. */
export function mentionsBot(message: MessageReceiveEvent['message'], botOpenId: string | undefined): boolean {
  const mentions = message.mentions;
  if (!botOpenId) return mentions.length > 0;
  return mentions.some((m) => m.id.open_id === botOpenId);
}
