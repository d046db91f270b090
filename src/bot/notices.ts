/**
 * What the bot says, and records, when it cannot do what a message asked (invariant 13: never
 * silent, never a claim of something that did not happen). Channel-neutral: every adapter
 * reports the same reasons, the inbox answers, counts and audits them the same way.
 */
import { maskText } from '../policies/masking.js';
import { storableText } from '../lib/storable.js';
import type { Lang } from '../chat/lang.js';

/**
 * Why an event could not be read. `unsupported_type`: an image, file, sticker, audio, card...
 * `malformed_content`: the content does not parse. `empty`: nothing but a mention.
 * `no_sender`: no identity we can use. `malformed_event`: fields missing or of the wrong type.
 * `unroutable`: not even the chat is known (counted and audited, nobody to answer).
 */
export type UnreadableReason = 'unsupported_type' | 'malformed_content' | 'empty' | 'no_sender' | 'malformed_event' | 'unroutable';

const TEXT: Record<Exclude<UnreadableReason, 'unroutable'> | 'dead_letter', Record<Lang, string>> = {
  unsupported_type: {
    zh: '暂时只能处理文字消息，请用文字描述你的请求（例如“查端口 OLT-HZ-01 0/1/3”）。',
    en: 'I can only read text messages for now; please type your request (for example "port OLT-HZ-01 0/1/3").',
  },
  malformed_content: {
    zh: '无法读取你的消息，请重新用文字发送。',
    en: 'I could not read your message; please send it again as text.',
  },
  empty: {
    zh: '请在消息里写上你的请求，例如“帮助”。',
    en: 'Please write your request in the message, for example "help".',
  },
  no_sender: {
    zh: '无法确认你的身份，因此没有处理这条消息。请联系管理员检查机器人的权限配置。',
    en: 'I could not establish who sent this message, so it was not handled. Please ask your administrator to check the bot’s permissions.',
  },
  malformed_event: {
    zh: '无法读取你的消息，请重新用文字发送。',
    en: 'I could not read your message; please send it again as text.',
  },
  dead_letter: {
    zh: '处理失败，已记录。请稍后重试，或联系管理员。',
    en: 'Processing failed, and it has been logged. Please try again later or contact your administrator.',
  },
};

export function unreadableText(reason: Exclude<UnreadableReason, 'unroutable'>, lang: Lang): string {
  return TEXT[reason][lang];
}

/** A message that waits for a free turn slot longer than a moment: told it is queued, never left silent. */
export function queuedText(lang: Lang, ahead: number): string {
  return lang === 'zh'
    ? `已收到，当前请求较多，正在排队（前面还有 ${ahead} 个），处理后会回复你。`
    : `Received. It is busy right now, so your request is queued (${ahead} ahead of it); you will get the answer here.`;
}

export function deadLetterText(lang: Lang): string {
  return TEXT.dead_letter[lang];
}

/**
 * The language to answer in: Chinese when the text has any CJK ideograph, English when it has
 * Latin letters or the platform's locale says English, else Chinese (the operator's default).
 */
export function guessLang(text?: string, locale?: string): Lang {
  if (text && /[\u3400-\u9fff]/.test(text)) return 'zh';
  if (text && /[A-Za-z]/.test(text)) return 'en';
  if (locale && /^en\b/i.test(locale)) return 'en';
  return 'zh';
}

const MAX_DETAIL_STRING = 200;
const MAX_DETAIL_KEYS = 20;

/**
 * Audit details from an adapter: bounded (short strings, a few keys, no nesting beyond two
 * levels), storable and masked. Adapters put here what helps an operator (message type, the
 * fields that were missing), never the message body.
 */
export function boundedDetails(details: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details).slice(0, MAX_DETAIL_KEYS)) {
    const key = storableText(k).slice(0, 64);
    if (typeof v === 'string') out[key] = maskText(storableText(v)).slice(0, MAX_DETAIL_STRING);
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[key] = v;
    else if (Array.isArray(v)) out[key] = v.slice(0, MAX_DETAIL_KEYS).map((x) => (typeof x === 'string' ? maskText(storableText(x)).slice(0, MAX_DETAIL_STRING) : typeof x === 'number' ? x : typeof x));
    else if (v && typeof v === 'object' && depth < 1) out[key] = boundedDetails(v as Record<string, unknown>, depth + 1);
    else if (v !== undefined) out[key] = typeof v;
  }
  return out;
}

/** The zod issue paths of a failed parse (where, not what: values stay out of logs and audit). */
export function issuePaths(error: { issues: { path: PropertyKey[]; code: string }[] }): string[] {
  return error.issues.slice(0, 10).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`);
}
