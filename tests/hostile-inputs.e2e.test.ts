/**
 * Hostile requests at every inbound endpoint of the real app — the console API, the Feishu
 * webhook (correctly signed and encrypted, so the bytes get past the signature check) and the
 * Teams endpoint (TEAMS_ALLOW_UNAUTHENTICATED=1): NUL characters and lone surrogates in every
 * text, id and comment, huge and deeply nested JSON, wrong types, missing fields, null ids,
 * duplicate event ids, wrong content types. Each gets a 4xx or a clean 2xx, none a 500; the ones
 * tied to a chat are answered there; the process keeps serving, and the audit chain still verifies.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTeamsAadObjectIds } from '../src/policies/principals.js';
import { createTestDatabase, dbKinds, startTestApp, type TestApp, type TestDatabase } from './helpers/test-app.js';
import { cardActionEvent, feishuEnv, feishuRequest, messageEvent, startFakeOpenApi, waitFor, type FakeOpenApi } from './helpers/feishu-open-api.js';
import { FakeConnector, messageActivity, type TeamsUserFixture } from './helpers/teams-connector.js';

const kinds = await dbKinds();

const NUL = '\u0000';
const LONE = '\ud800';
const LOW = '\udfff';
const BAD = [NUL, LONE, LOW, `a${NUL}b${LONE}c`];

type Target = 'console-messages' | 'console-actions' | 'feishu' | 'teams';
interface Hostile {
  name: string;
  target: Target;
  /** A value (sent as JSON; signed and encrypted for Feishu) or raw bytes. */
  body: unknown;
  raw?: boolean;
  contentType?: string;
}

const alice: TeamsUserFixture = { aadObjectId: seedTeamsAadObjectIds.alice!, mri: '29:alice-mri', name: 'Alice' };
const deep = (n: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < n; i++) v = { v };
  return v;
};

function table(connectorUrl: string): Hostile[] {
  const rows: Hostile[] = [];
  const teamsMsg = (over: Record<string, unknown> = {}, text = 'help') => ({
    ...messageActivity({ serviceUrl: connectorUrl, user: alice, text, conversation: { id: `a:hostile-${randomUUID()}`, conversationType: 'personal' } }),
    ...over,
  });
  const feishuMsg = (text: string, over: (e: { sender: { sender_id: Record<string, unknown> }; message: Record<string, unknown> }) => void = () => undefined) => {
    const env = messageEvent({ chatId: `oc_hostile_${randomUUID().slice(0, 8)}`, chatType: 'p2p', from: 'ou_bob', text });
    over(env.event as never);
    return env;
  };

  for (const bad of BAD) {
    const label = JSON.stringify(bad);
    // Console: free text and comments are stored cleaned; ids are refused.
    rows.push({ name: `console text ${label}`, target: 'console-messages', body: { user: 'alice', text: `help ${bad}` } });
    rows.push({ name: `console text only ${label}`, target: 'console-messages', body: { user: 'alice', text: bad } });
    rows.push({ name: `console conversation ${label}`, target: 'console-messages', body: { user: 'alice', text: 'help', conversation: `c${bad}` } });
    rows.push({ name: `console clientMessageId ${label}`, target: 'console-messages', body: { user: 'alice', text: 'help', clientMessageId: `id${bad}` } });
    rows.push({ name: `console user ${label}`, target: 'console-messages', body: { user: `alice${bad}`, text: 'help' } });
    rows.push({ name: `console comment ${label}`, target: 'console-actions', body: { user: 'carol', approvalId: randomUUID(), decision: 'approve', comment: `ok ${bad}` } });
    rows.push({ name: `console approvalId ${label}`, target: 'console-actions', body: { user: 'carol', approvalId: `x${bad}`, decision: 'reject' } });
    rows.push({ name: `console clientActionId ${label}`, target: 'console-actions', body: { user: 'carol', approvalId: randomUUID(), decision: 'reject', clientActionId: `k${bad}` } });
    // Feishu: in the text, the ids, the mention keys, the card comment and value.
    rows.push({ name: `feishu text ${label}`, target: 'feishu', body: feishuMsg(`help ${bad}`) });
    rows.push({ name: `feishu open_id ${label}`, target: 'feishu', body: feishuMsg('help', (e) => (e.sender.sender_id.open_id = `ou_x${bad}`)) });
    rows.push({ name: `feishu chat_id ${label}`, target: 'feishu', body: feishuMsg('help', (e) => (e.message.chat_id = `oc_${bad}`)) });
    rows.push({ name: `feishu message_id ${label}`, target: 'feishu', body: feishuMsg('help', (e) => (e.message.message_id = `om_${bad}`)) });
    rows.push({ name: `feishu event_id ${label}`, target: 'feishu', body: { ...feishuMsg('help'), header: { ...(feishuMsg('x') as { header: object }).header, event_id: `ev${bad}` } } });
    rows.push({
      name: `feishu comment ${label}`,
      target: 'feishu',
      body: cardActionEvent({ operator: 'ou_carol', approvalId: randomUUID(), button: 'approve', comment: `c ${bad}`, messageId: 'om_card', chatId: 'oc_card' }),
    });
    rows.push({
      name: `feishu card value ${label}`,
      target: 'feishu',
      body: cardActionEvent({ operator: `ou_carol${bad}`, approvalId: `a${bad}`, button: `approve${bad}`, messageId: 'om_card', chatId: `oc_${bad}` }),
    });
    // Teams: text, names, and every id.
    rows.push({ name: `teams text ${label}`, target: 'teams', body: teamsMsg({}, `help ${bad}`) });
    rows.push({ name: `teams from.name ${label}`, target: 'teams', body: teamsMsg({ from: { id: '29:alice-mri', name: `A${bad}`, aadObjectId: alice.aadObjectId } }) });
    rows.push({ name: `teams conversation.id ${label}`, target: 'teams', body: teamsMsg({ conversation: { id: `a:${bad}`, conversationType: 'personal' } }) });
    rows.push({ name: `teams activity id ${label}`, target: 'teams', body: teamsMsg({ id: `f:${bad}` }) });
    rows.push({ name: `teams aadObjectId ${label}`, target: 'teams', body: teamsMsg({ from: { id: '29:x', aadObjectId: `x${bad}` } }) });
    rows.push({
      name: `teams submit comment ${label}`,
      target: 'teams',
      body: teamsMsg({ value: { approvalId: randomUUID(), verb: 'approve', comment: `c${bad}` } }, ''),
    });
  }

  // Wrong types, missing fields, nulls.
  rows.push({ name: 'console numeric text', target: 'console-messages', body: { user: 'alice', text: 42 } });
  rows.push({ name: 'console object text', target: 'console-messages', body: { user: 'alice', text: { a: 1 } } });
  rows.push({ name: 'console no user', target: 'console-messages', body: { text: 'help' } });
  rows.push({ name: 'console null everything', target: 'console-messages', body: { user: null, text: null, conversation: null } });
  rows.push({ name: 'console array body', target: 'console-messages', body: [1, 2] });
  rows.push({ name: 'console huge text', target: 'console-messages', body: { user: 'alice', text: 'x'.repeat(60_000) } });
  rows.push({ name: 'console too large', target: 'console-messages', body: { user: 'alice', text: 'x'.repeat(200_000) } });
  rows.push({ name: 'console deep json', target: 'console-messages', body: { user: 'alice', text: 'help', extra: deep(3000) } });
  rows.push({ name: 'console malformed json', target: 'console-messages', body: '{"user":"alice","text":', raw: true });
  rows.push({ name: 'console wrong content type', target: 'console-messages', body: 'user=alice&text=help', raw: true, contentType: 'application/x-www-form-urlencoded' });
  rows.push({ name: 'console action numeric decision', target: 'console-actions', body: { user: 'carol', approvalId: randomUUID(), decision: 1 } });
  rows.push({ name: 'console action null comment', target: 'console-actions', body: { user: 'carol', approvalId: randomUUID(), decision: 'approve', comment: null } });

  rows.push({ name: 'feishu null user_id', target: 'feishu', body: feishuMsg('help', (e) => (e.sender.sender_id.user_id = null)) });
  rows.push({ name: 'feishu null union_id and user_id', target: 'feishu', body: feishuMsg('help', (e) => Object.assign(e.sender.sender_id, { union_id: null, user_id: null })) });
  rows.push({ name: 'feishu null sender_id', target: 'feishu', body: feishuMsg('help', (e) => ((e.sender as { sender_id: unknown }).sender_id = null)) });
  rows.push({ name: 'feishu null chat_id', target: 'feishu', body: feishuMsg('help', (e) => (e.message.chat_id = null)) });
  rows.push({ name: 'feishu null message', target: 'feishu', body: { ...feishuMsg('help'), event: { sender: { sender_id: { open_id: 'ou_bob' } }, message: null } } });
  rows.push({ name: 'feishu numeric content', target: 'feishu', body: feishuMsg('help', (e) => (e.message.content = 42)) });
  rows.push({ name: 'feishu malformed content', target: 'feishu', body: feishuMsg('help', (e) => (e.message.content = '{"text":')) });
  rows.push({ name: 'feishu image', target: 'feishu', body: feishuMsg('help', (e) => Object.assign(e.message, { message_type: 'image', content: '{"image_key":"img_1"}' })) });
  rows.push({ name: 'feishu odd post', target: 'feishu', body: feishuMsg('help', (e) => Object.assign(e.message, { message_type: 'post', content: JSON.stringify({ content: [[null, 1, { tag: 'img' }]] }) })) });
  rows.push({ name: 'feishu mentions not an array', target: 'feishu', body: feishuMsg('help', (e) => (e.message.mentions = 'all')) });
  rows.push({ name: 'feishu deep event', target: 'feishu', body: { ...feishuMsg('help'), event: deep(2000) } });
  rows.push({ name: 'feishu no header', target: 'feishu', body: { schema: '2.0', event: (feishuMsg('help') as { event: unknown }).event } });
  rows.push({ name: 'feishu unknown event type', target: 'feishu', body: { ...feishuMsg('help'), header: { event_id: randomUUID(), event_type: 'im.chat.disbanded_v1', token: 'test-verification-token' } } });
  rows.push({ name: 'feishu card without operator', target: 'feishu', body: { ...cardActionEvent({ operator: 'ou_carol', approvalId: randomUUID(), button: 'approve', messageId: 'om_c', chatId: 'oc_c' }), event: { action: { value: 1 } } } });
  rows.push({ name: 'feishu wrong content type', target: 'feishu', body: feishuMsg('help'), contentType: 'text/plain' });

  const noConversation = teamsMsg();
  delete (noConversation as { conversation?: unknown }).conversation;
  rows.push({ name: 'teams no conversation', target: 'teams', body: noConversation });
  rows.push({ name: 'teams null conversation', target: 'teams', body: teamsMsg({ conversation: null }) });
  rows.push({ name: 'teams numeric text', target: 'teams', body: teamsMsg({ text: 42, locale: 'en-US' }) });
  rows.push({ name: 'teams object text', target: 'teams', body: teamsMsg({ text: { a: 1 } }) });
  rows.push({ name: 'teams attachments only', target: 'teams', body: teamsMsg({ text: undefined, attachments: [{ contentType: 'image/png', contentUrl: 'https://x/y.png' }] }) });
  rows.push({ name: 'teams no from', target: 'teams', body: teamsMsg({ from: undefined }) });
  rows.push({ name: 'teams null from', target: 'teams', body: teamsMsg({ from: null }) });
  rows.push({ name: 'teams no serviceUrl', target: 'teams', body: teamsMsg({ serviceUrl: undefined }) });
  rows.push({ name: 'teams entities not an array', target: 'teams', body: teamsMsg({ entities: 'x' }) });
  rows.push({ name: 'teams unknown type', target: 'teams', body: teamsMsg({ type: 'somethingNew' }) });
  rows.push({ name: 'teams unknown invoke', target: 'teams', body: teamsMsg({ type: 'invoke', name: 'task/fetch', value: {} }) });
  rows.push({ name: 'teams card invoke junk', target: 'teams', body: teamsMsg({ type: 'invoke', name: 'adaptiveCard/action', value: { action: 5 } }) });
  rows.push({ name: 'teams numeric type', target: 'teams', body: teamsMsg({ type: 7 }) });
  rows.push({ name: 'teams deep channelData', target: 'teams', body: teamsMsg({ channelData: deep(3000) }) });
  rows.push({ name: 'teams deep conversation', target: 'teams', body: teamsMsg({ conversation: { id: `a:deep-${randomUUID()}`, extra: deep(3000) } }) });
  rows.push({ name: 'teams array body', target: 'teams', body: [] });
  rows.push({ name: 'teams malformed json', target: 'teams', body: '{"type":', raw: true });
  rows.push({ name: 'teams wrong content type', target: 'teams', body: 'type=message', raw: true, contentType: 'text/plain' });
  return rows;
}

describe.each(kinds)('hostile inputs (%s)', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  let fake: FakeOpenApi;
  let connector: FakeConnector;

  const send = async (h: Hostile): Promise<{ status: number; body: string }> => {
    const base = t.app.url;
    if (h.target === 'feishu') {
      const signed = feishuRequest(h.body);
      const res = await fetch(`${base}/feishu/events`, { method: 'POST', headers: { ...signed.headers, ...(h.contentType ? { 'content-type': h.contentType } : {}) }, body: signed.body });
      return { status: res.status, body: await res.text() };
    }
    const path = h.target === 'teams' ? '/api/messages' : h.target === 'console-messages' ? '/console/api/messages?wait=1' : '/console/api/actions';
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': h.contentType ?? 'application/json' },
      body: h.raw ? String(h.body) : JSON.stringify(h.body),
    });
    return { status: res.status, body: await res.text() };
  };

  beforeAll(async () => {
    fake = await startFakeOpenApi();
    connector = await new FakeConnector().start();
    db = await createTestDatabase(kind);
    t = await startTestApp({ ...db.env, ...feishuEnv(fake), TEAMS_ALLOW_UNAUTHENTICATED: '1', INBOX_RETRY_BASE_MS: '20', INBOX_RETRY_MAX_MS: '100' });
  });
  afterAll(async () => {
    await t?.close();
    await connector?.close();
    await fake?.close();
    await db?.drop();
  });

  it('answers every hostile request with a 4xx or a clean 2xx, never a 5xx', async () => {
    const rows = table(connector.url);
    const results: { name: string; status: number; body: string }[] = [];
    // A few at a time, and the turns they started settled before the next few: on PostgreSQL the
    // agent's thread lock still holds a pool connection for a whole turn (issue 10 §1, being fixed
    // apart from this), so more concurrent turns than connections would jam it.
    for (let i = 0; i < rows.length; i += 5) {
      const batch = rows.slice(i, i + 5);
      results.push(...(await Promise.all(batch.map(async (h) => ({ name: h.name, ...(await send(h)) })))));
      await t.app.inbox.idle();
      await t.app.agent.idle();
    }
    const bad = results.filter((r) => r.status >= 500 || r.status < 200).map((r) => `${r.name}: ${r.status} ${r.body.slice(0, 200)}`);
    expect(bad).toEqual([]);
    const byName = new Map(results.map((r) => [r.name, r]));
    // Ids that are not ids are refused by name; free text is cleaned and answered.
    expect(byName.get('console clientMessageId "\\u0000"')!.status).toBe(400);
    expect(byName.get('console text "\\u0000"')!.status).toBe(200);
    expect(byName.get('teams no conversation')!.status).toBe(400);
    expect(JSON.parse(byName.get('teams no conversation')!.body)).toMatchObject({ reason: 'malformed_activity', error: expect.stringContaining('conversation') });
    expect(byName.get('teams conversation.id "\\u0000"')!.status).toBe(400);
    expect(byName.get('teams numeric text')!.status).toBe(200);
    expect(byName.get('feishu chat_id "\\u0000"')!.status).toBe(200);
    expect(byName.get('feishu null chat_id')!.status).toBe(200);
    expect(byName.get('feishu wrong content type')!.status).toBe(200);
    await t.app.inbox.idle();
    await t.app.agent.idle();
  });

  it('answers in the chat what it could tie to a chat but not read, and counts and audits it', async () => {
    // Feishu: a null user_id is not a reason to ignore anyone; an image gets "text only".
    const nullUserId = messageEvent({ chatId: 'oc_null_uid', chatType: 'p2p', from: 'ou_bob', text: 'help' });
    ((nullUserId.event as { sender: { sender_id: Record<string, unknown> } }).sender.sender_id).user_id = null;
    const image = messageEvent({ chatId: 'oc_image', chatType: 'p2p', from: 'ou_bob', messageType: 'image', text: 'x' });
    ((image.event as { message: Record<string, unknown> }).message).content = '{"image_key":"img_1"}';
    const idOf = (e: Record<string, unknown>) => (e.event as { message: { message_id: string } }).message.message_id;
    for (const e of [nullUserId, image]) {
      const res = await fetch(`${t.app.url}/feishu/events`, { method: 'POST', ...feishuRequest(e) });
      expect(res.status).toBe(200);
    }
    const repliesTo = (id: string) => fake.sent.filter((m) => m.kind === 'reply' && m.targetMessageId === id).map((m) => (JSON.parse(m.content) as { text?: string }).text ?? '');
    await waitFor(() => repliesTo(idOf(nullUserId)).length > 0, 30_000, 'the answer to a message with a null user_id');
    await waitFor(() => repliesTo(idOf(image)).length > 0, 30_000, 'the answer to an image');
    expect(repliesTo(idOf(image))).toEqual([expect.stringContaining('暂时只能处理文字消息')]);
    expect(repliesTo(idOf(nullUserId)).join('\n')).not.toContain('暂时只能处理文字消息');

    // Teams: a numeric text, in English because the activity's locale says so.
    const conversation = { id: `a:numeric-${randomUUID()}`, conversationType: 'personal' as const };
    const res = await fetch(`${t.app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...messageActivity({ serviceUrl: connector.url, user: alice, text: 'x', conversation }), text: 42, locale: 'en-US' }),
    });
    expect(res.status).toBe(200);
    const [said] = await connector.waitFor(() => connector.texts(conversation.id).length > 0 && connector.texts(conversation.id), 'the answer to a numeric text');
    expect(said).toContain('could not read your message');

    await t.app.inbox.idle();
    const health = (await (await fetch(`${t.app.url}/healthz`)).json()) as {
      inbound: { unreadable: Record<string, Record<string, number>>; refused: Record<string, Record<string, number>>; backlog: { dead: number } };
    };
    expect(health.inbound.unreadable.feishu?.unsupported_type).toBeGreaterThanOrEqual(1);
    expect(health.inbound.unreadable.teams?.malformed_event).toBeGreaterThanOrEqual(1);
    expect(health.inbound.refused.teams?.malformed_activity).toBeGreaterThanOrEqual(1);
    expect(health.inbound.refused.feishu?.unroutable).toBeGreaterThanOrEqual(1);
    const audit = await t.app.db.query<{ details: { channel: string; reason: string; answered: boolean } }>(`SELECT details FROM audit_log WHERE action = 'message.unreadable'`);
    const reasons = new Set(audit.rows.map((r) => `${r.details.channel}:${r.details.reason}:${r.details.answered}`));
    for (const r of ['feishu:unsupported_type:true', 'teams:malformed_event:true', 'teams:malformed_activity:false', 'feishu:unroutable:false']) expect(reasons).toContain(r);
    // Nothing NUL or lone-surrogate reached a table, and the chain over what was stored verifies.
    expect((await (await fetch(`${t.app.url}/api/audit/verify?user=erin`)).json()) as { ok: boolean }).toMatchObject({ ok: true });
  });

  it('keeps serving: a plain request afterwards is answered on every way in', async () => {
    const res = await t.client.post('/console/api/messages?wait=1', { user: 'alice', text: 'help' });
    expect(res.status).toBe(200);
    expect((res.json.replies as unknown[]).length).toBeGreaterThan(0);
    const dup = await t.client.post('/console/api/messages?wait=1', { user: 'alice', text: `help ${NUL}${LONE}`, clientMessageId: 'same-id-twice' });
    const again = await t.client.post('/console/api/messages?wait=1', { user: 'alice', text: `help ${NUL}${LONE}`, clientMessageId: 'same-id-twice' });
    expect([dup.status, again.status]).toEqual([200, 200]);
    expect(again.json.duplicate).toBe(true);
    const texts = (await t.client.transcript('console-alice')).map((m) => m.text ?? '');
    expect(texts).toContain('help \ufffd');
    expect(texts.some((x) => x.includes(NUL))).toBe(false);
    const health = await fetch(`${t.app.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
