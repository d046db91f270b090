/**
 * The demo console as an attacker on the same machine would try it: another person's client id,
 * another person's conversation (posting and reading), a race for a new conversation with more
 * callers than pool connections, an unknown persona, the operations endpoints by role; and the
 * listener switches (CONSOLE=off, the webhooks on their own port). Both databases.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dbKinds, startTestApp, textOf, type Reply, type TestApp, type TestDatabase } from './helpers/test-app.js';

const kinds = await dbKinds();

describe.each(kinds)('demo console access on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;

  const audit = async (action: string) =>
    (
      await t.app.db.query<{ actor: string; subject: string; details: Record<string, unknown> }>(
        'SELECT actor, subject, details FROM audit_log WHERE action = $1 ORDER BY id',
        [action],
      )
    ).rows;
  const send = (body: Record<string, unknown>) => t.client.post('/console/api/messages?wait=1', body);

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    // A pool smaller than the crowd that races for one conversation below.
    t = await startTestApp({ ...db.env, ...(kind === 'postgres' ? { DATABASE_POOL_SIZE: '3' } : {}) });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("scopes client ids to their sender: Carol with Bob's id gets her own turn, never Bob's replies", async () => {
    const bob = await send({ user: 'bob', text: 'port OLT-HZ-01 0/1/3', clientMessageId: 'cid-shared' });
    expect(bob.status).toBe(200);
    expect(textOf(bob.json.replies as Reply[])).toContain('OLT-HZ-01 0/1/3');

    const carol = await send({ user: 'carol', text: 'help', clientMessageId: 'cid-shared' });
    expect(carol.status).toBe(200);
    expect(carol.json.duplicate).toBe(false);
    expect(carol.json.conversation).toBe('console-carol');
    const seen = textOf(carol.json.replies as Reply[]);
    expect(seen).toContain('I can help with');
    expect(textOf(bob.json.replies as Reply[])).toContain('-26.40 dBm');
    expect(seen).not.toContain('-26.40 dBm');
    expect(JSON.stringify(await t.client.transcript('console-carol'))).not.toContain('-26.40 dBm');

    // The same id aimed at Bob's own conversation: refused, not a window onto his turn.
    const intoBob = await send({ user: 'carol', text: 'port OLT-HZ-01 0/1/3', clientMessageId: 'cid-shared', conversation: 'console-bob' });
    expect(intoBob.status).toBe(403);
    // Bob's transcript holds exactly his one message and its answer.
    expect((await t.client.transcript('console-bob')).filter((m) => m.from === 'user')).toHaveLength(1);
  });

  it('audits a replayed client id, and refuses one reused for another conversation', async () => {
    const before = (await audit('console.client_id_replayed')).length;
    const first = await send({ user: 'dave', text: 'help', clientMessageId: 'dave-1' });
    expect(first.json.duplicate).toBe(false);
    const again = await send({ user: 'dave', text: 'help', clientMessageId: 'dave-1' });
    expect(again.status).toBe(200);
    expect(again.json.duplicate).toBe(true);
    const elsewhere = await send({ user: 'dave', text: 'help', clientMessageId: 'dave-1', conversation: 'dave-other' });
    expect(elsewhere.status).toBe(409);
    expect(String(elsewhere.json.error)).toMatch(/already used/);
    const rows = (await audit('console.client_id_replayed')).slice(before);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.actor === 'dave' && r.subject === 'dave/dave-1')).toBe(true);
    expect(rows.map((r) => r.details.sameConversation)).toEqual([true, false]);

    // A replayed click is audited the same way.
    const click = { user: 'carol', approvalId: '00000000-0000-0000-0000-000000000001', decision: 'approve', clientActionId: 'click-1' };
    await t.client.post('/console/api/actions', click);
    await t.client.post('/console/api/actions', click);
    expect((await audit('console.client_id_replayed')).some((r) => r.actor === 'carol' && r.subject === 'carol/click-1')).toBe(true);
    // Alice's click with Carol's click id is her own event, answered for her.
    const alice = await t.client.post('/console/api/actions', { ...click, user: 'alice' });
    expect(alice.json).toMatchObject({ status: 'refused', reason: 'not_found' });
  });

  it("refuses posting into or reading another person's conversation, and audits it", async () => {
    expect((await send({ user: 'bob', text: 'help', conversation: 'bob-room' })).status).toBe(200);
    const post = await send({ user: 'carol', text: 'port OLT-HZ-01 0/1/3', conversation: 'bob-room' });
    expect(post.status).toBe(403);
    expect(String(post.json.error)).toMatch(/belongs to someone else/);
    const read = await t.client.get('/console/api/conversations/bob-room?user=carol');
    expect(read.status).toBe(403);
    expect(JSON.stringify(read.json)).not.toContain('I can help');
    const personal = await t.client.get('/console/api/conversations/console-bob?user=carol');
    expect(personal.status).toBe(403);
    // A personal id nobody has used yet cannot be claimed by someone else either.
    expect((await send({ user: 'carol', text: 'help', conversation: 'console-erin' })).status).toBe(403);
    // Naming no one is no way in.
    expect((await t.client.get('/console/api/conversations/bob-room')).status).toBe(400);

    const refused = await audit('console.conversation_refused');
    expect(refused.filter((r) => r.actor === 'carol').map((r) => [r.subject, r.details.op])).toEqual(
      expect.arrayContaining([
        ['bob-room', 'post'],
        ['bob-room', 'read'],
        ['console-bob', 'read'],
        ['console-erin', 'post'],
      ]),
    );
    // Bob still reads his own room; nothing of Carol's attempt is in it.
    const own = await t.client.transcript('bob-room', 'bob');
    expect(own.filter((m) => m.from === 'user')).toHaveLength(1);
  });

  it('gives a new conversation to exactly one of many simultaneous first posters', async () => {
    const users = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const posts = Array.from({ length: 12 }, (_, i) => ({ user: users[i % users.length]!, text: 'help', conversation: 'race-room' }));
    const answers = await Promise.all(posts.map((p) => t.client.post('/console/api/messages', p)));
    const winners = new Set(posts.filter((_, i) => answers[i]!.status === 202).map((p) => p.user));
    expect(winners.size).toBe(1);
    const owner = [...winners][0]!;
    expect(answers.every((a, i) => (posts[i]!.user === owner ? a.status === 202 : a.status === 403))).toBe(true);
    const room = await t.app.db.query('SELECT owner_id FROM console_conversations WHERE conversation_id = $1', ['race-room']);
    expect(room.rows).toEqual([{ owner_id: owner }]);
  });

  it('answers an unknown persona with 403 and an audit row', async () => {
    const res = await send({ user: 'mallory', text: 'port OLT-HZ-01 0/1/3' });
    expect(res.status).toBe(403);
    expect((await t.client.get('/console/api/approvals?user=mallory')).status).toBe(403);
    const rows = await audit('identity.unknown');
    expect(rows.filter((r) => r.actor === 'console:mallory').length).toBeGreaterThanOrEqual(2);
    expect(rows[0]!.details).toMatchObject({ channel: 'console', claimed: 'mallory' });
  });

  it('opens the operations endpoints by role only', async () => {
    expect((await t.client.get('/api/kpis')).status).toBe(400);
    const bob = await t.client.get('/api/kpis?user=bob');
    expect(bob.status).toBe(403);
    expect(String(bob.json.error)).toMatch(/manager or auditor/);
    expect((await t.client.get('/api/kpis?user=carol')).status).toBe(200);
    expect((await t.client.get('/api/audit/verify?user=carol')).status).toBe(403);
    const erin = await t.client.get('/api/audit/verify?user=erin');
    expect(erin.status).toBe(200);
    expect(erin.json.ok).toBe(true);
    const refused = await audit('access.refused');
    expect(refused.map((r) => [r.actor, r.subject])).toEqual(expect.arrayContaining([['bob', '/api/kpis'], ['carol', '/api/audit/verify']]));
  });

  it('answers the personas only to requests made on this machine (no proxy, no foreign Host)', async () => {
    const raw = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(`${t.app.url}/console/api/messages`);
        const req = http.request(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ user: 'carol', text: 'help' }));
      });
    // A web page re-pointed at 127.0.0.1 (DNS rebinding) keeps its own Host.
    const rebound = await raw({ host: 'attacker.example:3000' });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/only requests made on this machine/);
    // A reverse proxy in front of the loopback listener would publish the demo.
    expect((await raw({ 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    expect((await raw({ forwarded: 'for=203.0.113.9' })).status).toBe(403);
    expect((await raw({ host: `localhost:${new URL(t.app.url).port}` })).status).toBe(202);
  });

  it('says it is the demo on /healthz', async () => {
    const health = await t.client.get('/healthz');
    expect(String(health.json.console)).toMatch(/DEMO MODE.*loopback only/);
  });
});

describe('listener switches', () => {
  it('CONSOLE=off removes the console and the operations endpoints; WEBHOOK_PORT moves the webhooks', async () => {
    const db = await createTestDatabase('pglite');
    const t = await startTestApp({ ...db.env, CONSOLE: 'off', WEBHOOK_PORT: '0', TEAMS_ALLOW_UNAUTHENTICATED: '1' });
    try {
      for (const p of ['/console', '/console/api/personas', '/api/kpis?user=carol', '/api/audit/verify?user=erin']) {
        expect((await fetch(`${t.app.url}${p}`)).status, p).toBe(404);
      }
      expect((await t.client.post('/console/api/messages', { user: 'bob', text: 'help' })).status).toBe(404);
      expect(t.app.webhookUrl).toBeTruthy();
      expect(t.app.webhookUrl).not.toBe(t.app.url);
      // Teams answers on the webhook listener only (400: not an activity; 404 on the main one).
      const post = (base: string) => fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect((await post(t.app.url)).status).toBe(404);
      expect((await post(t.app.webhookUrl!)).status).toBe(400);
      expect((await fetch(`${t.app.webhookUrl}/console`)).status).toBe(404);
      const health = (await (await fetch(`${t.app.webhookUrl}/healthz`)).json()) as { checks: { teams: string }; console: string };
      expect(health.checks.teams).toMatch(/UNAUTHENTICATED/);
      expect(health.console).toMatch(/off/);
    } finally {
      await t.close();
      await db.drop();
    }
  });
});
