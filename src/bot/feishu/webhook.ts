/**
 * POST /feishu/events: events and card callbacks over HTTP. Checked here, on the raw bytes, before
 * anything is parsed: the signature (sha256 of timestamp + nonce + Encrypt Key + body, compared in
 * constant time) and the timestamp (at most 5 minutes old). Then the body must be encrypted with
 * the Encrypt Key, and the decrypted envelope must carry our verification token when one is set.
 * Failures are answered 401/400 and counted, never a silent 200.
 *
 * The one unsigned request Feishu sends is the URL verification when the callback address is
 * saved in the console: it is answered only if it decrypts with our Encrypt Key, and it does
 * nothing but echo the challenge.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { decryptFeishu, feishuSignature, signatureMatches } from './crypto.js';

export const WEBHOOK_PATH = '/feishu/events';
export const MAX_SKEW_SECONDS = 5 * 60;

export type RejectReason = 'unsigned' | 'bad_signature' | 'stale_timestamp' | 'malformed' | 'not_encrypted' | 'undecryptable' | 'bad_token';

export interface WebhookStats {
  accepted: number;
  challenges: number;
  /** Verified events the dispatcher could not store (the database failed): answered 503, Feishu retries. */
  unavailable: number;
  rejected: Record<RejectReason, number>;
}

export function newWebhookStats(): WebhookStats {
  return {
    accepted: 0,
    challenges: 0,
    unavailable: 0,
    rejected: { unsigned: 0, bad_signature: 0, stale_timestamp: 0, malformed: 0, not_encrypted: 0, undecryptable: 0, bad_token: 0 },
  };
}

export interface WebhookOptions {
  encryptKey: string;
  verificationToken?: string;
  /** The shared dispatcher (the SDK EventDispatcher with our handlers); its answer is the response body. */
  dispatch(envelope: Record<string, unknown>): Promise<unknown>;
  stats: WebhookStats;
  log?(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void;
  now?(): number;
}

const encrypted = z.object({ encrypt: z.string().min(1) });
const envelope = z.record(z.string(), z.unknown());

export function registerFeishuWebhook(http: FastifyInstance, opts: WebhookOptions): void {
  const log = opts.log ?? (() => undefined);
  const now = opts.now ?? Date.now;

  const refuse = (reply: FastifyReply, code: 400 | 401, reason: RejectReason, message: string) => {
    opts.stats.rejected[reason] += 1;
    log('warn', 'feishu webhook refused', { reason });
    return reply.code(code).send({ error: message, reason });
  };

  /** Decrypt `{ encrypt }` into the envelope, or say why not. */
  const open = (raw: Buffer): { envelope: Record<string, unknown> } | { code: 400; reason: RejectReason; message: string } => {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return { code: 400, reason: 'malformed', message: `malformed JSON: ${(err as Error).message}` };
    }
    const enc = encrypted.safeParse(body);
    if (!enc.success) return { code: 400, reason: 'not_encrypted', message: 'body must be encrypted with the Encrypt Key ({"encrypt": ...})' };
    try {
      const inner = envelope.safeParse(JSON.parse(decryptFeishu(enc.data.encrypt, opts.encryptKey)));
      if (!inner.success) return { code: 400, reason: 'malformed', message: 'decrypted body is not a JSON object' };
      return { envelope: inner.data };
    } catch {
      return { code: 400, reason: 'undecryptable', message: 'body does not decrypt with the Encrypt Key' };
    }
  };

  void http.register(async (scope) => {
    // Only in this scope: the body stays the exact bytes Feishu signed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    scope.post(WEBHOOK_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const timestamp = header(req, 'x-lark-request-timestamp');
      const nonce = header(req, 'x-lark-request-nonce');
      const signature = header(req, 'x-lark-signature');

      if (!timestamp || !nonce || !signature) {
        const opened = open(raw);
        if ('envelope' in opened && opened.envelope.type === 'url_verification' && tokenOk(opened.envelope, opts.verificationToken)) {
          opts.stats.challenges += 1;
          return reply.send({ challenge: opened.envelope.challenge });
        }
        return refuse(reply, 401, 'unsigned', 'missing X-Lark-Request-Timestamp, X-Lark-Request-Nonce or X-Lark-Signature');
      }
      const ts = Number(timestamp);
      if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now() / 1000 - ts) > MAX_SKEW_SECONDS) {
        return refuse(reply, 401, 'stale_timestamp', 'request timestamp is more than 5 minutes away from now');
      }
      if (!signatureMatches(feishuSignature(timestamp, nonce, opts.encryptKey, raw), signature)) {
        return refuse(reply, 401, 'bad_signature', 'signature does not match');
      }
      const opened = open(raw);
      if (!('envelope' in opened)) return refuse(reply, opened.code, opened.reason, opened.message);
      const env = opened.envelope;
      if (!tokenOk(env, opts.verificationToken)) return refuse(reply, 401, 'bad_token', 'verification token does not match');
      if (env.type === 'url_verification') {
        opts.stats.challenges += 1;
        return reply.send({ challenge: env.challenge });
      }
      opts.stats.accepted += 1;
      let answer: unknown;
      try {
        answer = await opts.dispatch(env);
      } catch (err) {
        // Unreadable events are answered by the handlers; what throws here is our storage failing,
        // before the event was persisted: Feishu's retry is what we want, and the reason is given.
        opts.stats.unavailable += 1;
        log('error', 'feishu event could not be stored', { error: err instanceof Error ? err.message.slice(0, 300) : String(err) });
        return reply.code(503).send({ error: 'temporarily unable to accept events; retry later', reason: 'unavailable' });
      }
      // The SDK answers unknown event types with a string; Feishu only needs a 200.
      return reply.send(answer && typeof answer === 'object' ? answer : {});
    });
  });
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** v2 envelopes carry the token in header.token, v1 events and the URL check at the top level. */
function tokenOk(env: Record<string, unknown>, expected: string | undefined): boolean {
  if (!expected) return true;
  const headerObj = env.header;
  const token =
    headerObj && typeof headerObj === 'object' && typeof (headerObj as Record<string, unknown>).token === 'string'
      ? (headerObj as Record<string, unknown>).token
      : env.token;
  return token === expected;
}
