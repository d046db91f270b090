/**
 * The floor the Feishu benchmarks compare acks with: a bare Fastify handler that checks the same
 * signature and decrypts the same body, and nothing else.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { decryptFeishu, feishuSignature, signatureMatches } from '../../src/bot/feishu/crypto.js';
import { TEST_ENCRYPT_KEY } from '../../tests/helpers/feishu-open-api.js';

export async function startBareFeishuHandler(): Promise<{ url: string; app: FastifyInstance }> {
  const app = Fastify({ bodyLimit: 64 * 1024 });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/feishu/events', async (req, reply) => {
    const raw = req.body as Buffer;
    const h = req.headers;
    const expected = feishuSignature(String(h['x-lark-request-timestamp']), String(h['x-lark-request-nonce']), TEST_ENCRYPT_KEY, raw);
    if (!signatureMatches(expected, String(h['x-lark-signature']))) return reply.code(401).send({});
    JSON.parse(decryptFeishu((JSON.parse(raw.toString('utf8')) as { encrypt: string }).encrypt, TEST_ENCRYPT_KEY));
    return {};
  });
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), app };
}
