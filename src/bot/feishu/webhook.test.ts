import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { newWebhookStats, registerFeishuWebhook, type WebhookStats } from './webhook.js';
import {
  TEST_ENCRYPT_KEY,
  TEST_VERIFICATION_TOKEN,
  encryptLikeFeishu,
  feishuRequest,
  messageEvent,
  urlVerification,
} from '../../../tests/helpers/feishu-open-api.js';

describe('Feishu webhook security', () => {
  let http: FastifyInstance;
  let url: string;
  let stats: WebhookStats;
  const dispatched: Record<string, unknown>[] = [];

  beforeAll(async () => {
    http = Fastify();
    stats = newWebhookStats();
    registerFeishuWebhook(http, {
      encryptKey: TEST_ENCRYPT_KEY,
      verificationToken: TEST_VERIFICATION_TOKEN,
      stats,
      dispatch: async (env) => {
        dispatched.push(env);
        return { ok: true };
      },
    });
    // A JSON route elsewhere on the server keeps its own parser.
    http.post('/other', async (req) => ({ got: req.body }));
    url = await http.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => http.close());

  const post = async (req: { headers: Record<string, string>; body: string }) => {
    const res = await fetch(`${url}/feishu/events`, { method: 'POST', headers: req.headers, body: req.body });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const event = () => messageEvent({ chatId: 'oc_1', chatType: 'p2p', from: 'ou_bob', text: 'help' });

  it('passes a correctly signed, encrypted event to the dispatcher, decrypted', async () => {
    const env = event();
    const res = await post(feishuRequest(env));
    expect(res).toEqual({ status: 200, json: { ok: true } });
    expect(dispatched.at(-1)).toEqual(env);
    expect(stats.accepted).toBe(1);
  });

  it('refuses bad signatures, stale or future timestamps and unsigned requests with 401, without dispatching', async () => {
    const before = dispatched.length;
    const good = feishuRequest(event());
    expect((await post({ ...good, headers: { ...good.headers, 'x-lark-signature': 'f'.repeat(64) } })).status).toBe(401);
    expect((await post(feishuRequest(event(), { signWith: 'wrong-key' }))).status).toBe(401);
    // Same signature, one byte of the body changed (whitespace a JSON re-serialisation would drop).
    expect((await post({ ...good, body: good.body.replace('{"encrypt":', '{"encrypt": ') })).status).toBe(401);
    expect((await post(feishuRequest(event(), { timestamp: Math.floor(Date.now() / 1000) - 301 }))).status).toBe(401);
    expect((await post(feishuRequest(event(), { timestamp: Math.floor(Date.now() / 1000) + 600 }))).status).toBe(401);
    const { 'x-lark-signature': _s, ...unsigned } = good.headers;
    expect((await post({ ...good, headers: unsigned })).status).toBe(401);
    expect(dispatched.length).toBe(before);
    expect(stats.rejected.bad_signature).toBe(3);
    expect(stats.rejected.stale_timestamp).toBe(2);
    expect(stats.rejected.unsigned).toBe(1);
  });

  it('refuses signed but unencrypted, malformed, undecryptable or wrong-token bodies with 400/401', async () => {
    const before = dispatched.length;
    const plain = await post(feishuRequest(null, { body: JSON.stringify(event()) }));
    expect(plain.status).toBe(400);
    expect(plain.json.reason).toBe('not_encrypted');
    const malformed = await post(feishuRequest(null, { body: '{"encrypt": "abc' }));
    expect(malformed.status).toBe(400);
    expect(malformed.json.reason).toBe('malformed');
    const otherKey = await post(feishuRequest(null, { body: JSON.stringify({ encrypt: encryptLikeFeishu('{"a":1}', 'other-key') }) }));
    expect(otherKey.status).toBe(400);
    const env = event() as { header: Record<string, unknown> };
    env.header.token = 'forged';
    expect((await post(feishuRequest(env))).status).toBe(401);
    expect(dispatched.length).toBe(before);
    expect(stats.rejected).toMatchObject({ not_encrypted: 1, malformed: 1, undecryptable: 1, bad_token: 1 });
  });

  it('answers the URL verification with its challenge, signed or not, but only when it decrypts with our key', async () => {
    const t0 = Date.now();
    const unsigned = feishuRequest(urlVerification('ch-1'));
    const res = await post({ headers: { 'content-type': 'application/json' }, body: unsigned.body });
    expect(res).toEqual({ status: 200, json: { challenge: 'ch-1' } });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await post(feishuRequest(urlVerification('ch-2')))).toEqual({ status: 200, json: { challenge: 'ch-2' } });
    const forged = await post({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(urlVerification('ch-3')) });
    expect(forged.status).toBe(401);
    expect(stats.challenges).toBe(2);
  });

  it('leaves JSON parsing of other routes alone', async () => {
    const res = await fetch(`${url}/other`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await res.json()).toEqual({ got: { a: 1 } });
  });
});
