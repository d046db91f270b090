/**
 * A local stand-in for the Feishu Open API (the SDK Client's `domain`), and events built the way
 * Feishu builds them: schema 2.0 envelopes, AES-256-CBC with key sha256(Encrypt Key) and a random
 * IV in front, X-Lark-Request-Timestamp / -Nonce / X-Lark-Signature over the exact bytes sent.
 */
import http from 'node:http';
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export const TEST_APP_ID = 'cli_a1b2c3d4e5f60718';
export const TEST_APP_SECRET = 'test-app-secret';
export const TEST_ENCRYPT_KEY = 'test-encrypt-key-0123456789';
export const TEST_VERIFICATION_TOKEN = 'test-verification-token';
export const BOT_OPEN_ID = 'ou_switchboard_bot';
const TENANT_TOKEN = 't-test-tenant-token';

export interface SentMessage {
  kind: 'create' | 'reply' | 'patch' | 'edit';
  /** create: receive_id_type and receive_id; reply / patch: the message acted on. */
  receiveIdType?: string;
  receiveId?: string;
  targetMessageId?: string;
  replyInThread?: boolean;
  msgType?: string;
  content: string;
  /** The id of the message created (create / reply). */
  messageId?: string;
  at: number;
}

export interface FakeOpenApi {
  url: string;
  sent: SentMessage[];
  tokenRequests: number;
  /** Texts of the text messages sent (create and reply), in order. */
  texts(filter?: (m: SentMessage) => boolean): string[];
  /** Answer the next N message sends with HTTP 429 (rate limited). */
  rateLimitNext(n: number): void;
  close(): Promise<void>;
}

export async function startFakeOpenApi(): Promise<FakeOpenApi> {
  const sent: SentMessage[] = [];
  let seq = 0;
  let limited = 0;
  const state = { tokenRequests: 0 };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      const json = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'POST' && url.pathname === '/open-apis/auth/v3/tenant_access_token/internal') {
        state.tokenRequests += 1;
        if (body.app_id !== TEST_APP_ID || body.app_secret !== TEST_APP_SECRET) return json(200, { code: 10014, msg: 'app secret invalid' });
        return json(200, { code: 0, msg: 'ok', tenant_access_token: TENANT_TOKEN, expire: 7200 });
      }
      if (req.method === 'POST' && url.pathname === '/callback/ws/endpoint') {
        // No long-connection gateway here: tests drive the dispatcher the WSClient would call.
        return json(200, { code: 1000040343, msg: 'long connection not available in tests', data: {} });
      }
      if (req.headers.authorization !== `Bearer ${TENANT_TOKEN}`) {
        return json(401, { code: 99991663, msg: 'Invalid access token for authorization' });
      }
      if (req.method === 'GET' && url.pathname === '/open-apis/bot/v3/info') {
        return json(200, { code: 0, msg: 'ok', bot: { open_id: BOT_OPEN_ID, app_name: 'Switchboard', activate_status: 2 } });
      }
      const isSend = req.method === 'POST' && (url.pathname === '/open-apis/im/v1/messages' || /^\/open-apis\/im\/v1\/messages\/[^/]+\/reply$/.test(url.pathname));
      if (isSend && limited > 0) {
        limited -= 1;
        res.writeHead(429, { 'content-type': 'application/json', 'x-ogw-ratelimit-reset': '1' });
        return res.end(JSON.stringify({ code: 99991400, msg: 'request trigger frequency limit' }));
      }
      if (req.method === 'POST' && url.pathname === '/open-apis/im/v1/messages') {
        const messageId = `om_${++seq}`;
        sent.push({
          kind: 'create',
          receiveIdType: url.searchParams.get('receive_id_type') ?? '',
          receiveId: String(body.receive_id),
          msgType: String(body.msg_type),
          content: String(body.content),
          messageId,
          at: Date.now(),
        });
        return json(200, { code: 0, msg: 'success', data: { message_id: messageId, msg_type: body.msg_type } });
      }
      const reply = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(url.pathname);
      if (req.method === 'POST' && reply) {
        const messageId = `om_${++seq}`;
        sent.push({
          kind: 'reply',
          targetMessageId: reply[1]!,
          replyInThread: body.reply_in_thread === true,
          msgType: String(body.msg_type),
          content: String(body.content),
          messageId,
          at: Date.now(),
        });
        return json(200, { code: 0, msg: 'success', data: { message_id: messageId, parent_id: reply[1] } });
      }
      const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'PATCH' && patch) {
        sent.push({ kind: 'patch', targetMessageId: patch[1]!, content: String(body.content), at: Date.now() });
        return json(200, { code: 0, msg: 'success', data: {} });
      }
      if (req.method === 'PUT' && patch) {
        // im.v1.message.update: text and post messages only.
        if (body.msg_type !== 'text' && body.msg_type !== 'post') return json(400, { code: 230001, msg: 'msg_type must be text or post' });
        sent.push({ kind: 'edit', targetMessageId: patch[1]!, msgType: String(body.msg_type), content: String(body.content), at: Date.now() });
        return json(200, { code: 0, msg: 'success', data: {} });
      }
      return json(404, { code: 404, msg: `no fake for ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    get tokenRequests() {
      return state.tokenRequests;
    },
    texts(filter) {
      return sent
        .filter((m) => m.kind !== 'patch' && m.kind !== 'edit' && m.msgType === 'text' && (!filter || filter(m)))
        .map((m) => (JSON.parse(m.content) as { text: string }).text);
    },
    rateLimitNext(n) {
      limited = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What Feishu does with the Encrypt Key: sha256 key, random 16-byte IV prepended, base64. */
export function encryptLikeFeishu(plain: string, encryptKey = TEST_ENCRYPT_KEY): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

/** The HTTP request Feishu sends for an envelope: encrypted body, signed headers. */
export function feishuRequest(
  envelope: unknown,
  opts: { encryptKey?: string; timestamp?: number; nonce?: string; body?: string; signWith?: string } = {},
): SignedRequest {
  const encryptKey = opts.encryptKey ?? TEST_ENCRYPT_KEY;
  const body = opts.body ?? JSON.stringify({ encrypt: encryptLikeFeishu(JSON.stringify(envelope), encryptKey) });
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? randomBytes(8).toString('hex');
  const signature = createHash('sha256')
    .update(timestamp + nonce + (opts.signWith ?? encryptKey) + body)
    .digest('hex');
  return {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signature,
    },
    body,
  };
}

export async function postToWebhook(appUrl: string, req: SignedRequest): Promise<{ status: number; json: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${appUrl}/feishu/events`, { method: 'POST', headers: req.headers, body: req.body });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, ms: Date.now() - started };
}

function header(eventType: string, eventId: string) {
  return {
    event_id: eventId,
    token: TEST_VERIFICATION_TOKEN,
    create_time: String(Date.now()),
    event_type: eventType,
    tenant_key: 'tenant_test',
    app_id: TEST_APP_ID,
  };
}

export interface MessageEventInput {
  eventId?: string;
  messageId?: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  /** The sender's open_id (ou_alice ...); union_id on_<name> alongside. */
  from: string;
  text?: string;
  post?: { title?: string; content: { tag: string; text?: string; user_id?: string }[][] };
  messageType?: string;
  mentions?: { key: string; openId: string; name: string }[];
  senderType?: 'user' | 'app';
}

/** An im.message.receive_v1 envelope (schema 2.0) as Feishu delivers it. */
export function messageEvent(input: MessageEventInput): Record<string, unknown> {
  const messageId = input.messageId ?? `om_in_${randomUUID().slice(0, 8)}`;
  const messageType = input.messageType ?? (input.post ? 'post' : 'text');
  const content = input.post ? JSON.stringify(input.post) : JSON.stringify({ text: input.text ?? '' });
  return {
    schema: '2.0',
    header: header('im.message.receive_v1', input.eventId ?? randomUUID().replace(/-/g, '')),
    event: {
      sender: {
        sender_id: { open_id: input.from, union_id: input.from.replace(/^ou_/, 'on_'), user_id: input.from.replace(/^ou_/, '') },
        sender_type: input.senderType ?? 'user',
        tenant_key: 'tenant_test',
      },
      message: {
        message_id: messageId,
        create_time: String(Date.now()),
        update_time: String(Date.now()),
        chat_id: input.chatId,
        chat_type: input.chatType,
        message_type: messageType,
        content,
        ...(input.mentions
          ? {
              mentions: input.mentions.map((m) => ({
                key: m.key,
                id: { open_id: m.openId, union_id: m.openId.replace(/^ou_/, 'on_'), user_id: '' },
                name: m.name,
                tenant_key: 'tenant_test',
              })),
            }
          : {}),
      },
    },
  };
}

export interface CardActionInput {
  eventId?: string;
  /** The clicking user's open_id. */
  operator: string;
  approvalId: string;
  button: 'approve' | 'reject' | string;
  comment?: string;
  messageId: string;
  chatId: string;
  /** Anything else the button value might (wrongly) carry. */
  extraValue?: Record<string, unknown>;
}

/** A card.action.trigger callback (schema 2.0) for a form submit button. */
export function cardActionEvent(input: CardActionInput): Record<string, unknown> {
  return {
    schema: '2.0',
    header: header('card.action.trigger', input.eventId ?? randomUUID().replace(/-/g, '')),
    event: {
      operator: { tenant_key: 'tenant_test', user_id: input.operator.replace(/^ou_/, ''), open_id: input.operator, union_id: input.operator.replace(/^ou_/, 'on_') },
      token: `c-${randomUUID()}`,
      action: {
        value: { approvalId: input.approvalId, ...(input.extraValue ?? {}) },
        tag: 'button',
        name: input.button,
        form_value: { comment: input.comment ?? '' },
        timezone: 'Asia/Shanghai',
      },
      host: 'im_message',
      context: { open_message_id: input.messageId, open_chat_id: input.chatId },
    },
  };
}

/** The URL verification request the console sends when the callback address is saved. */
export function urlVerification(challenge: string): Record<string, unknown> {
  return { challenge, token: TEST_VERIFICATION_TOKEN, type: 'url_verification' };
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function feishuEnv(fake: FakeOpenApi, extra: Record<string, string> = {}): Record<string, string> {
  return {
    FEISHU_APP_ID: TEST_APP_ID,
    FEISHU_APP_SECRET: TEST_APP_SECRET,
    FEISHU_ENCRYPT_KEY: TEST_ENCRYPT_KEY,
    FEISHU_VERIFICATION_TOKEN: TEST_VERIFICATION_TOKEN,
    FEISHU_DOMAIN: fake.url,
    FEISHU_MODE: 'webhook',
    ...extra,
  };
}
