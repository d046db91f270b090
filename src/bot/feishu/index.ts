/**
 * The Feishu (飞书) adapter: the channel, the one event dispatcher, and the way in chosen by
 * FEISHU_MODE — the webhook on the app's HTTP server, or the SDK's long connection (WSClient),
 * which needs no public URL. Every @larksuiteoapi/node-sdk import stays in this folder.
 */
import type { FastifyInstance } from 'fastify';
import { EventDispatcher, WSClient } from '@larksuiteoapi/node-sdk';
import type { Inbox } from '../inbox.js';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import type { ApprovalRow } from '../../store/approvals-repo.js';
import { FeishuChannel } from './channel.js';
import { pgSendSlots } from './send-slots.js';
import { createFeishuHandlers } from './dispatcher.js';
import { botOpenId, createClient, messageApi, sdkLogger, sdkLoggerLevel } from './sdk.js';
import { newWebhookStats, registerFeishuWebhook, type WebhookStats } from './webhook.js';

export { FeishuChannel } from './channel.js';
export { renderFeishuCard } from './cards.js';

export interface FeishuSettings {
  appId: string;
  appSecret: string;
  encryptKey?: string;
  verificationToken?: string;
  /** Open API base URL: https://open.feishu.cn (Feishu), https://open.larksuite.com (Lark) or a test server. */
  domain: string;
  mode: 'webhook' | 'websocket';
  /** Department id -> chat id (oc_...) of its approval group; other departments' approvers get cards in p2p. */
  approvalChats?: Record<string, string>;
}

export interface FeishuDeps {
  http: FastifyInstance;
  inbox: Inbox;
  directory: Directory;
  db: Db;
  viewOf(row: ApprovalRow, readerId?: string): ApprovalCardView;
  /** A bulk approval card's view by its click id (agents/approvals/bulk.ts), injected like viewOf. */
  bulkViewOf?(cardId: string, readerId?: string): Promise<ApprovalCardView | undefined>;
  log?(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void;
}

export interface FeishuHealth {
  mode: 'webhook' | 'websocket';
  webhook?: WebhookStats & { rejectedTotal: number };
  connection?: string;
}

export interface FeishuAdapter {
  channel: FeishuChannel;
  /** The dispatcher both ways in use; the long connection calls `invoke(event, { needCheck: false })`. */
  eventDispatcher: EventDispatcher;
  health(): FeishuHealth;
  close(): Promise<void>;
}

export class FeishuConfigError extends Error {
  override readonly name = 'FeishuConfigError';
}

/** Set up the channel and its way in. Call before the HTTP server starts listening. */
export function startFeishu(settings: FeishuSettings, deps: FeishuDeps): FeishuAdapter {
  const log = deps.log ?? defaultLog;
  if (settings.mode === 'webhook' && !settings.encryptKey) {
    throw new FeishuConfigError('FEISHU_ENCRYPT_KEY is required for FEISHU_MODE=webhook: unsigned, unencrypted events would be accepted from anyone');
  }
  const client = createClient(settings);
  const channel = new FeishuChannel(messageApi(client), {
    approvalChats: settings.approvalChats ?? {},
    departmentOf: (id) => deps.directory.byPlatformUser('feishu', id)?.department,
    // Replicas on one PostgreSQL share each chat's 5/s; embedded PGlite is one process (no round trip).
    ...(deps.db.kind === 'postgres' && { sharedSlots: (prefix: string) => pgSendSlots(deps.db, prefix) }),
    log: (msg, data) => log('warn', msg, data),
  });

  let botId: Promise<string | undefined> | undefined;
  const bot = () => {
    // Cached once known; a failed look-up is tried again on the next group message.
    botId ??= botOpenId(client).then(
      (id) => {
        if (!id) botId = undefined;
        return id;
      },
      (err: Error) => {
        log('warn', 'could not read the bot identity (bot/v3/info)', { error: err.message });
        botId = undefined;
        return undefined;
      },
    );
    return botId;
  };
  void bot();

  const handlers = createFeishuHandlers({ inbox: deps.inbox, directory: deps.directory, db: deps.db, viewOf: deps.viewOf, ...(deps.bulkViewOf ? { bulkViewOf: deps.bulkViewOf } : {}), botOpenId: bot, log });
  const eventDispatcher = new EventDispatcher({
    ...(settings.encryptKey ? { encryptKey: settings.encryptKey } : {}),
    ...(settings.verificationToken ? { verificationToken: settings.verificationToken } : {}),
    logger: sdkLogger(),
    loggerLevel: sdkLoggerLevel,
  }).register(handlers);

  if (settings.mode === 'webhook') {
    const stats = newWebhookStats();
    registerFeishuWebhook(deps.http, {
      encryptKey: settings.encryptKey!,
      ...(settings.verificationToken ? { verificationToken: settings.verificationToken } : {}),
      // Already verified and decrypted: the dispatcher's own (weaker) check is skipped.
      dispatch: (envelope) => eventDispatcher.invoke(envelope, { needCheck: false }),
      stats,
      log,
    });
    return {
      channel,
      eventDispatcher,
      health: () => ({ mode: 'webhook', webhook: { ...stats, rejected: { ...stats.rejected }, rejectedTotal: Object.values(stats.rejected).reduce((a, b) => a + b, 0) } }),
      close: async () => undefined,
    };
  }

  let connection = 'connecting';
  const ws = new WSClient({
    appId: settings.appId,
    appSecret: settings.appSecret,
    domain: settings.domain,
    logger: sdkLogger('[feishu ws]'),
    loggerLevel: sdkLoggerLevel,
    onReady: () => (connection = 'connected'),
    onReconnecting: () => (connection = 'reconnecting'),
    onReconnected: () => (connection = 'connected'),
    onError: (err: Error) => {
      connection = `error: ${err.message}`;
      log('error', 'Feishu long connection failed', { error: err.message });
    },
  });
  void ws.start({ eventDispatcher }).catch((err: Error) => {
    connection = `error: ${err.message}`;
  });
  return {
    channel,
    eventDispatcher,
    health: () => ({ mode: 'websocket', connection }),
    close: async () => ws.close({ force: true }),
  };
}

function defaultLog(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void {
  const line = `[feishu] ${msg}${data ? ` ${JSON.stringify(data)}` : ''}`;
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
}
