/**
 * Everything that touches @larksuiteoapi/node-sdk's Client: the Open API calls of the channel and
 * the bot's own identity. Non-zero codes and HTTP failures become FeishuApiError.
 */
import { Client, LoggerLevel } from '@larksuiteoapi/node-sdk';
import { FeishuApiError, type FeishuMessageApi, type MsgType } from './channel.js';

export interface SdkLog {
  error(...msg: unknown[]): void;
  warn(...msg: unknown[]): void;
  info(...msg: unknown[]): void;
  debug(...msg: unknown[]): void;
  trace(...msg: unknown[]): void;
}

/** The SDK logs at info by default (every start, every token); keep warnings and errors only. */
export function sdkLogger(prefix = '[feishu]'): SdkLog {
  return {
    error: (...m) => console.error(prefix, ...m.map(describe)),
    warn: (...m) => console.warn(prefix, ...m.map(describe)),
    info: () => undefined,
    debug: () => undefined,
    trace: () => undefined,
  };
}

export const sdkLoggerLevel = LoggerLevel.warn;

function describe(m: unknown): unknown {
  return typeof m === 'object' && m !== null ? JSON.stringify(m).slice(0, 2000) : m;
}

export function createClient(opts: { appId: string; appSecret: string; domain: string }): Client {
  return new Client({ appId: opts.appId, appSecret: opts.appSecret, domain: opts.domain, logger: sdkLogger(), loggerLevel: sdkLoggerLevel });
}

/** Feishu's rate-limit answers: HTTP 429 / code 99991400 (gateway), 230020 (per-chat send limit). */
const RATE_LIMIT_CODES = new Set([99991400, 230020]);

interface HttpFailure {
  response?: { status?: number; data?: { code?: number; msg?: string }; headers?: Record<string, unknown> };
  message?: string;
}

function toApiError(what: string, err: unknown): FeishuApiError {
  if (err instanceof FeishuApiError) return err;
  const e = (err ?? {}) as HttpFailure;
  const status = e.response?.status;
  const code = e.response?.data?.code;
  const reset = Number(e.response?.headers?.['x-ogw-ratelimit-reset']);
  const limited = status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code));
  return new FeishuApiError(
    `${what} failed: ${status ? `HTTP ${status} ` : ''}${code !== undefined ? `code ${code} ` : ''}${e.response?.data?.msg ?? e.message ?? String(err)}`,
    code,
    limited ? (Number.isFinite(reset) && reset > 0 ? Math.min(reset, 10) * 1000 : 1000) : undefined,
  );
}

function check<T extends { code?: number; msg?: string }>(what: string, res: T): T {
  if (res.code !== undefined && res.code !== 0) {
    throw new FeishuApiError(`${what} failed: code ${res.code} ${res.msg ?? ''}`, res.code, RATE_LIMIT_CODES.has(res.code) ? 1000 : undefined);
  }
  return res;
}

export function messageApi(client: Client): FeishuMessageApi {
  return {
    async create(receiveIdType, receiveId, msgType: MsgType, content) {
      try {
        const res = check('im.v1.message.create', await client.im.v1.message.create({ params: { receive_id_type: receiveIdType }, data: { receive_id: receiveId, msg_type: msgType, content } }));
        const id = res.data?.message_id;
        if (!id) throw new FeishuApiError('im.v1.message.create returned no message_id', res.code);
        return { messageId: id };
      } catch (err) {
        throw toApiError('im.v1.message.create', err);
      }
    },
    async reply(messageId, msgType: MsgType, content, inThread) {
      try {
        const res = check('im.v1.message.reply', await client.im.v1.message.reply({ path: { message_id: messageId }, data: { msg_type: msgType, content, reply_in_thread: inThread } }));
        const id = res.data?.message_id;
        if (!id) throw new FeishuApiError('im.v1.message.reply returned no message_id', res.code);
        return { messageId: id };
      } catch (err) {
        throw toApiError('im.v1.message.reply', err);
      }
    },
    async patch(messageId, content) {
      try {
        check('im.v1.message.patch', await client.im.v1.message.patch({ path: { message_id: messageId }, data: { content } }));
      } catch (err) {
        throw toApiError('im.v1.message.patch', err);
      }
    },
    async edit(messageId, msgType, content) {
      try {
        check('im.v1.message.update', await client.im.v1.message.update({ path: { message_id: messageId }, data: { msg_type: msgType, content } }));
      } catch (err) {
        throw toApiError('im.v1.message.update', err);
      }
    },
  };
}

/** The bot's open_id, to recognise an @-mention of the bot in a group. */
export async function botOpenId(client: Client): Promise<string | undefined> {
  const res = (await client.request({ method: 'GET', url: '/open-apis/bot/v3/info' })) as { code?: number; bot?: { open_id?: string } };
  return res.code === 0 ? res.bot?.open_id : undefined;
}
