/**
 * A local stand-in for the Bot Connector service (what `activity.serviceUrl` points at): it
 * records what the bot posts (replies, proactive sends) and PUTs (card updates), the way the
 * real service's REST API receives them, and hands out activity ids.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  kind: 'send' | 'reply' | 'update';
  conversationId: string;
  /** The activity the bot replied to (reply) or updated (update). */
  activityId?: string;
  /** The id this service gave the activity (send, reply) or the updated id. */
  id: string;
  activity: Record<string, unknown> & { type?: string; text?: string; attachments?: { contentType: string; content: Record<string, unknown> }[] };
  authorization?: string;
  at: number;
}

export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  url = '';
  private server?: http.Server;
  private next = 1;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  messages(conversationId: string): ConnectorCall[] {
    return this.calls.filter((c) => c.conversationId === conversationId && c.kind !== 'update' && c.activity.type === 'message');
  }

  texts(conversationId: string): string[] {
    return this.messages(conversationId).map((c) => c.activity.text ?? '').filter(Boolean);
  }

  cards(conversationId: string): ConnectorCall[] {
    return this.messages(conversationId).filter((c) => c.activity.attachments?.length);
  }

  updatesOf(activityId: string): ConnectorCall[] {
    return this.calls.filter((c) => c.kind === 'update' && c.activityId === activityId);
  }

  async waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; calls: ${JSON.stringify(this.calls.map((c) => [c.kind, c.conversationId, c.activity.type, c.activity.text?.slice(0, 60)]))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NotFound', message: url.pathname } }));
      return;
    }
    const conversationId = decodeURIComponent(m[1]!);
    const activityId = m[2] ? decodeURIComponent(m[2]) : undefined;
    const kind: ConnectorCall['kind'] = req.method === 'PUT' ? 'update' : activityId ? 'reply' : 'send';
    const id = kind === 'update' ? activityId! : `act-${this.next++}`;
    this.calls.push({
      kind,
      conversationId,
      ...(activityId ? { activityId } : {}),
      id,
      activity: JSON.parse(body || '{}') as ConnectorCall['activity'],
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      at: Date.now(),
    });
    res.writeHead(kind === 'send' ? 201 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
  }
}

export interface TeamsUserFixture {
  aadObjectId: string;
  mri: string;
  name: string;
}

let seq = 0;
export const nextActivityId = () => `f:${Date.now()}-${++seq}`;

/** A Teams message activity as the channel posts it. */
export function messageActivity(o: {
  serviceUrl: string;
  user: TeamsUserFixture;
  text: string;
  conversation: { id: string; conversationType: 'personal' | 'groupChat' | 'channel' };
  id?: string;
  mentionBot?: boolean;
  value?: Record<string, unknown>;
}): Record<string, unknown> {
  const bot = { id: '28:switchboard-bot', name: 'Switchboard' };
  const mention = `<at>${bot.name}</at>`;
  return {
    type: 'message',
    id: o.id ?? nextActivityId(),
    timestamp: new Date().toISOString(),
    serviceUrl: o.serviceUrl,
    channelId: 'msteams',
    from: { id: o.user.mri, name: o.user.name, aadObjectId: o.user.aadObjectId },
    conversation: { ...o.conversation, tenantId: 'tenant-1' },
    recipient: bot,
    text: o.mentionBot ? `${mention} ${o.text}` : o.text,
    textFormat: 'plain',
    ...(o.mentionBot ? { entities: [{ type: 'mention', text: mention, mentioned: bot }] } : {}),
    ...(o.value ? { value: o.value } : {}),
    channelData: { tenant: { id: 'tenant-1' } },
  };
}

/** An Action.Execute click (or a refresh) on a card message, as the adaptiveCard/action invoke. */
export function invokeActivity(o: {
  serviceUrl: string;
  user: TeamsUserFixture;
  conversation: { id: string; conversationType: 'personal' | 'groupChat' | 'channel' };
  replyToId: string;
  verb: string;
  data: Record<string, unknown>;
  id?: string;
}): Record<string, unknown> {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: o.id ?? nextActivityId(),
    timestamp: new Date().toISOString(),
    serviceUrl: o.serviceUrl,
    channelId: 'msteams',
    from: { id: o.user.mri, name: o.user.name, aadObjectId: o.user.aadObjectId },
    conversation: { ...o.conversation, tenantId: 'tenant-1' },
    recipient: { id: '28:switchboard-bot', name: 'Switchboard' },
    replyToId: o.replyToId,
    value: { action: { type: 'Action.Execute', verb: o.verb, data: o.data }, trigger: o.verb === 'refresh' ? 'automatic' : 'manual' },
    channelData: { tenant: { id: 'tenant-1' } },
  };
}
