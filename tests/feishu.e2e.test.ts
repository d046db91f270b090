/**
 * The Feishu channel end to end: the real app (HTTP, inbox, agent, Chromium on the sandbox
 * portals, PGlite) with the Feishu Open API replaced by a local server, and events built, encrypted
 * and signed the way Feishu does. Webhook first; then a restart into long-connection mode, driving
 * the dispatcher the WSClient calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxState, Ticket } from '../src/sandbox/state.js';
import { cardPlainTexts, feishuCardSchema } from '../src/bot/feishu/card-schema.js';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from './helpers/test-app.js';
import {
  BOT_OPEN_ID,
  cardActionEvent,
  feishuEnv,
  feishuRequest,
  messageEvent,
  postToWebhook,
  startFakeOpenApi,
  urlVerification,
  waitFor,
  type FakeOpenApi,
  type SentMessage,
} from './helpers/feishu-open-api.js';

type Toast = { toast: { type: string; content: string }; card?: { type: 'raw'; data: Record<string, unknown> } };

const textOf = (m: SentMessage) => (JSON.parse(m.content) as { text: string }).text;
const cardJson = (m: SentMessage) => JSON.parse(m.content) as Record<string, unknown>;

/** Every plain_text string of a card, to assert on what people see. */
const cardTexts = (card: unknown): string => cardPlainTexts(card).join('\n');

function approvalIdOf(card: unknown): string {
  const m = /"approvalId":"([^"]+)"/.exec(JSON.stringify(card));
  if (!m) throw new Error('no approval id on the card');
  return m[1]!;
}

describe('Feishu channel', () => {
  let fake: FakeOpenApi;
  let db: TestDatabase;
  let t: TestApp;
  const repeated = messageEvent({ chatId: 'oc_p2p_bob', chatType: 'p2p', from: 'ou_bob', text: 'port OLT-HZ-01 0/1/4' });

  const deliver = (envelope: unknown) => postToWebhook(t.app.url, feishuRequest(envelope));
  const settle = async (app = t) => {
    await app.app.inbox.idle();
    await app.app.agent.idle();
  };
  const repliesTo = (messageId: string) => fake.sent.filter((m) => m.kind === 'reply' && m.targetMessageId === messageId);
  const writesOf = async (): Promise<{ ticketId: string; idempotencyKey: string | null }[]> =>
    (await fetch(`${t.app.sandbox!.url}/admin/writes`)).json() as Promise<{ ticketId: string; idempotencyKey: string | null }[]>;
  const inboxCount = async () => Number((await t.app.db.query<{ n: string }>(`SELECT count(*) AS n FROM inbox WHERE channel = 'feishu'`)).rows[0]!.n);
  const click = async (input: Parameters<typeof cardActionEvent>[0]) => {
    const res = await deliver(cardActionEvent(input));
    expect(res.status).toBe(200);
    return { ...(res.json as unknown as Toast), ms: res.ms };
  };

  beforeAll(async () => {
    fake = await startFakeOpenApi();
    db = await createTestDatabase('pglite');
    t = await startTestApp({ ...db.env, ...feishuEnv(fake) });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
    await db?.drop();
  });

  it('answers a p2p message with a reply to it, after acknowledging at once', async () => {
    const env = messageEvent({ chatId: 'oc_p2p_bob', chatType: 'p2p', from: 'ou_bob', text: '查端口 OLT-HZ-01 0/1/3' });
    const messageId = (env.event as { message: { message_id: string } }).message.message_id;
    const res = await deliver(env);
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000); // Feishu redelivers an event not answered within 3 s
    const [reply] = await waitFor(() => repliesTo(messageId).length > 0 && repliesTo(messageId), 30_000, 'the reply');
    expect(reply!.replyInThread).toBe(false);
    expect(textOf(reply!)).toContain('OLT-HZ-01 0/1/3');
    expect(textOf(reply!)).toContain('-26.40 dBm（临界）');
  });

  it('a not-understood reply carries suggested commands as buttons; a click runs the command as the clicker (issue 13)', async () => {
    const env = messageEvent({ chatId: 'oc_p2p_bob', chatType: 'p2p', from: 'ou_bob', text: 'ALM900001 is ringing again, what should I tell the customer' });
    const messageId = (env.event as { message: { message_id: string } }).message.message_id;
    expect((await deliver(env)).status).toBe(200);
    const card = await waitFor(() => repliesTo(messageId).find((m) => m.msgType === 'interactive'), 30_000, 'the suggestion card');
    expect(card.content).toContain('ack alarm ALM900001');
    // The click: Feishu names the operator; the button's value carries only the command.
    const click = cardActionEvent({ operator: 'ou_bob', button: 'suggestion' as never, approvalId: 'x', messageId: card.messageId!, chatId: 'oc_p2p_bob' });
    (click.event as { action: { value: unknown } }).action.value = { command: 'port OLT-HZ-01 0/1/4' };
    const before = fake.sent.length;
    const res = await deliver(click);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json)).toContain('Sent: port OLT-HZ-01 0/1/4');
    const answer = await waitFor(() => fake.sent.slice(before).find((m) => m.msgType === 'text' && textOf(m).includes('Rx power -19.85 dBm')), 30_000, 'the command answer');
    expect(answer).toBeDefined();
  });

  it('in a group answers only when @-mentioned, in a thread, for text and post messages', async () => {
    const ignored = messageEvent({ chatId: 'oc_group', chatType: 'group', from: 'ou_bob', text: 'port OLT-HZ-01 0/1/4' });
    expect((await deliver(ignored)).status).toBe(200);
    const mentioned = messageEvent({
      chatId: 'oc_group',
      chatType: 'group',
      from: 'ou_bob',
      text: '@_user_1 port OLT-HZ-01 0/1/4',
      mentions: [{ key: '@_user_1', openId: BOT_OPEN_ID, name: 'Switchboard' }],
    });
    const otherMention = messageEvent({
      chatId: 'oc_group',
      chatType: 'group',
      from: 'ou_bob',
      text: '@_user_1 port OLT-HZ-01 0/1/4',
      mentions: [{ key: '@_user_1', openId: 'ou_carol', name: 'Carol' }],
    });
    const post = messageEvent({
      chatId: 'oc_group',
      chatType: 'group',
      from: 'ou_bob',
      post: { title: '', content: [[{ tag: 'at', user_id: '@_user_1' }, { tag: 'text', text: ' 查端口 OLT-HZ-02 0/2/7' }]] },
      mentions: [{ key: '@_user_1', openId: BOT_OPEN_ID, name: 'Switchboard' }],
    });
    for (const e of [mentioned, otherMention, post]) expect((await deliver(e)).status).toBe(200);
    await settle();
    const id = (e: Record<string, unknown>) => (e.event as { message: { message_id: string } }).message.message_id;
    expect(repliesTo(id(ignored))).toEqual([]);
    expect(repliesTo(id(otherMention))).toEqual([]);
    const [a] = repliesTo(id(mentioned));
    expect(a!.replyInThread).toBe(true);
    expect(textOf(a!)).toMatch(/Rx power -19\.85 dBm \(normal\)/);
    expect(textOf(repliesTo(id(post))[0]!)).toContain('LOS');
  });

  it('tells an unknown Feishu user politely and audits the attempt', async () => {
    const env = messageEvent({ chatId: 'oc_p2p_x', chatType: 'p2p', from: 'ou_stranger', text: '查端口 OLT-HZ-01 0/1/3' });
    await deliver(env);
    await settle();
    const [reply] = repliesTo((env.event as { message: { message_id: string } }).message.message_id);
    expect(textOf(reply!)).toBe('你尚未开通 Switchboard，请联系管理员。');
    const audit = await t.app.db.query(`SELECT actor FROM audit_log WHERE action = 'identity.unknown'`);
    expect(audit.rows).toContainEqual({ actor: 'feishu:ou_stranger' });
  });

  it('handles one event delivered 5 times (Feishu retries) once', async () => {
    const messageId = (repeated.event as { message: { message_id: string } }).message.message_id;
    // Each retry is freshly encrypted and signed, as Feishu does.
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(repeated)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    await settle();
    for (let i = 0; i < 2; i++) expect((await deliver(repeated)).status).toBe(200);
    await settle();
    expect(repliesTo(messageId)).toHaveLength(1);
    const rows = await t.app.db.query(`SELECT count(*)::int AS n FROM inbox WHERE channel = 'feishu' AND event_id = $1`, [(repeated.header as { event_id: string }).event_id]);
    expect(rows.rows[0]).toEqual({ n: 1 });
  });

  it('refuses forged, stale, unencrypted and malformed requests, processes none, and counts them on /healthz', async () => {
    const before = { inbox: await inboxCount(), sent: fake.sent.length };
    const env = messageEvent({ chatId: 'oc_p2p_bob', chatType: 'p2p', from: 'ou_bob', text: 'port OLT-HZ-01 0/1/3' });
    const good = feishuRequest(env);
    expect((await postToWebhook(t.app.url, { ...good, headers: { ...good.headers, 'x-lark-signature': '0'.repeat(64) } })).status).toBe(401);
    expect((await postToWebhook(t.app.url, feishuRequest(env, { signWith: 'guessed-key' }))).status).toBe(401);
    expect((await postToWebhook(t.app.url, feishuRequest(env, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }))).status).toBe(401);
    expect((await postToWebhook(t.app.url, feishuRequest(null, { body: JSON.stringify(env) }))).status).toBe(400);
    expect((await postToWebhook(t.app.url, feishuRequest(null, { body: '{"encrypt":' }))).status).toBe(400);
    const health = (await (await fetch(`${t.app.url}/healthz`)).json()) as { feishu: { mode: string; webhook: { rejectedTotal: number; rejected: Record<string, number> } } };
    expect(health.feishu.mode).toBe('webhook');
    expect(health.feishu.webhook.rejected).toMatchObject({ bad_signature: 2, stale_timestamp: 1, not_encrypted: 1, malformed: 1 });
    expect(health.feishu.webhook.rejectedTotal).toBe(5);
    await settle();
    expect(await inboxCount()).toBe(before.inbox);
    expect(fake.sent.length).toBe(before.sent);
  });

  it('answers the URL verification within Feishu\'s 3 s', async () => {
    const res = await deliver(urlVerification('challenge-abc'));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge: 'challenge-abc' });
    expect(res.ms).toBeLessThan(3000); // Feishu redelivers an event not answered within 3 s
  });

  it('runs the approval through card callbacks: refusals, a fast answer while the write is slow, one write, every copy patched', async () => {
    const ask = messageEvent({ chatId: 'oc_p2p_alice', chatType: 'p2p', from: 'ou_alice', text: '补全工单 T20261124-0012' });
    const askId = (ask.event as { message: { message_id: string } }).message.message_id;
    await deliver(ask);
    const aliceCard = await waitFor(() => repliesTo(askId).find((m) => m.msgType === 'interactive'), 60_000, "alice's card");
    const carolCard = await waitFor(() => fake.sent.find((m) => m.kind === 'create' && m.receiveIdType === 'open_id' && m.receiveId === 'ou_carol' && m.msgType === 'interactive'), 10_000, "carol's copy");
    for (const c of [aliceCard, carolCard]) expect(feishuCardSchema.safeParse(cardJson(c)).error?.issues ?? []).toEqual([]);
    // The requester's own copy has no approve buttons (she decides nothing), only her Withdraw.
    expect((JSON.stringify(cardJson(aliceCard)).match(/"tag":"button"/g) ?? []).length).toBe(1);
    expect(JSON.stringify(cardJson(aliceCard))).toContain('"name":"withdraw"');
    expect(cardTexts(cardJson(aliceCard))).toContain('等待 Carol 审批');
    const approvalId = approvalIdOf(cardJson(carolCard));
    expect(cardTexts(cardJson(aliceCard))).toContain('审批人：Carol');
    expect(cardTexts(cardJson(carolCard))).toContain('待审批');
    const on = { messageId: carolCard.messageId!, chatId: 'oc_p2p_carol', approvalId };

    const self = await click({ ...on, operator: 'ou_alice', button: 'approve', messageId: aliceCard.messageId!, chatId: 'oc_p2p_alice' });
    expect(self.toast.type).toBe('error');
    expect(self.toast.content).toMatch(/自己/);
    const dave = await click({ ...on, operator: 'ou_dave', button: 'approve' });
    expect(dave.toast.type).toBe('error');
    expect(dave.toast.content).toContain('Carol');
    // A value that tries to name someone else changes nothing: identity is the operator's.
    const forged = await click({ ...on, operator: 'ou_bob', button: 'approve', extraValue: { user: 'carol', actor: 'ou_carol' } });
    expect(forged.toast.type).toBe('error');
    expect(await writesOf()).toEqual([]);

    const slow = await fetch(`${t.app.sandbox!.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ system: 'tickets', slowAfterSaveMs: 4000 }),
    });
    expect(slow.status).toBe(200);
    try {
      const approveEvent = cardActionEvent({ ...on, operator: 'ou_carol', button: 'approve' });
      const first = await deliver(approveEvent);
      expect(first.status).toBe(200);
      expect(first.ms).toBeLessThan(3000);
      const answer = first.json as unknown as Toast;
      expect(answer.toast.type).toBe('success');
      expect(answer.toast.content).toContain('已批准');
      expect(answer.card?.type).toBe('raw');
      expect(feishuCardSchema.safeParse(answer.card!.data).success).toBe(true);
      expect(cardTexts(answer.card!.data)).toMatch(/已由 Carol 于 .* 批准/);
      expect(cardTexts(answer.card!.data)).toContain('正在执行…');

      // Feishu retries the same callback; carol clicks again with a new event.
      const retried = await deliver(approveEvent);
      expect(retried.status).toBe(200);
      expect((retried.json as unknown as Toast).toast.type).toBe('info');
      const again = await click({ ...on, operator: 'ou_carol', button: 'approve' });
      expect(again.toast.type).toBe('error');
      expect(again.ms).toBeLessThan(3000);

      await settle();
    } finally {
      await fetch(`${t.app.sandbox!.url}/admin/faults?system=tickets`, { method: 'DELETE' });
    }
    const writes = (await writesOf()).filter((w) => w.ticketId === 'T20261124-0012');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.idempotencyKey).toBe(approvalId);
    for (const copy of [aliceCard, carolCard]) {
      const patches = fake.sent.filter((m) => m.kind === 'patch' && m.targetMessageId === copy.messageId);
      expect(patches.length).toBeGreaterThan(0);
      const last = cardJson(patches.at(-1)!);
      expect(feishuCardSchema.safeParse(last).success).toBe(true);
      expect(cardTexts(last)).toContain('已写入并核验');
    }
    const told = repliesTo(askId).filter((m) => m.msgType === 'text').map(textOf).join('\n');
    expect(told).toContain('Carol');
  });

  it('names a delegate from a Feishu chat for the signed sender, and ends it', async () => {
    const say = async (from: string, text: string) => {
      const env = messageEvent({ chatId: `oc_p2p_${from}`, chatType: 'p2p', from: `ou_${from}`, text });
      await deliver(env);
      const id = (env.event as { message: { message_id: string } }).message.message_id;
      return textOf((await waitFor(() => repliesTo(id).length > 0 && repliesTo(id), 30_000, 'the reply'))[0]!);
    };
    expect(await say('carol', 'delegate approvals to dave until tomorrow 18:00')).toMatch(/^Dave now approves for you until \d{4}-\d{2}-\d{2} 18:00/);
    const rows = await t.app.db.query<{ delegator_id: string; delegate_id: string; created_by: string }>(`SELECT delegator_id, delegate_id, created_by FROM delegations WHERE revoked_at IS NULL`);
    expect(rows.rows).toEqual([{ delegator_id: 'carol', delegate_id: 'dave', created_by: 'carol' }]);
    // Whoever the words name, the delegator is the envelope's sender: Alice cannot hand over Carol's approvals.
    expect(await say('alice', '委托审批给 dave 到明天')).toBe('只有审批人（如主管）可以委托审批。');
    expect(await say('carol', '取消委托')).toBe('已取消委托：之后的申请只发给你本人。');
    expect((await t.app.db.query(`SELECT 1 FROM delegations WHERE revoked_at IS NULL`)).rows).toEqual([]);
  });

  it('rejects only with a reason from the card form, tells the requester, writes nothing', async () => {
    const state = t.app.sandbox!.state as SandboxState;
    const ticket = state.tickets.find(
      (tk: Ticket) =>
        tk.id !== 'T20261124-0012' && tk.region === 'hangzhou' && (tk.status === 'open' || tk.status === 'in_progress') && tk.customerId && (tk.broadbandAccount === '' || tk.address === ''),
    )!;
    const ask = messageEvent({ chatId: 'oc_p2p_alice', chatType: 'p2p', from: 'ou_alice', text: `complete ticket ${ticket.id}` });
    const askId = (ask.event as { message: { message_id: string } }).message.message_id;
    await deliver(ask);
    const card = await waitFor(() => repliesTo(askId).find((m) => m.msgType === 'interactive'), 60_000, 'the card');
    const approvalId = (await t.app.db.query<{ id: string }>(`SELECT id FROM approvals WHERE title = $1`, [`Complete ticket ${ticket.id}`])).rows[0]!.id;
    const on = { messageId: card.messageId!, chatId: 'oc_p2p_alice', approvalId, operator: 'ou_carol' };
    const noReason = await click({ ...on, button: 'reject', comment: '  ' });
    expect(noReason.toast).toMatchObject({ type: 'error', content: 'Please give a reason to reject.' });
    const rejected = await click({ ...on, button: 'reject', comment: 'Customer asked to wait until Monday' });
    expect(rejected.toast.type).toBe('success');
    expect(cardTexts(rejected.card!.data)).toContain('Reason: Customer asked to wait until Monday');
    await settle();
    const told = repliesTo(askId).filter((m) => m.msgType === 'text').map(textOf).join('\n');
    expect(told).toContain('was rejected by Carol. Reason: Customer asked to wait until Monday');
    expect((await writesOf()).some((w) => w.ticketId === ticket.id)).toBe(false);
  });

  it("an English request: Dave's copy in Chinese, Bob's in English; a write that fails after approval turns every copy red with the reason", async () => {
    const ask = messageEvent({ chatId: 'oc_p2p_bob', chatType: 'p2p', from: 'ou_bob', text: 'ack alarm ALM900002' });
    const askId = (ask.event as { message: { message_id: string } }).message.message_id;
    await deliver(ask);
    const bobCard = await waitFor(() => repliesTo(askId).find((m) => m.msgType === 'interactive'), 60_000, "bob's card");
    const daveCard = await waitFor(
      () => fake.sent.find((m) => m.kind === 'create' && m.receiveId === 'ou_dave' && m.msgType === 'interactive' && cardTexts(cardJson(m)).includes('ALM900002')),
      10_000,
      "dave's copy",
    );
    for (const c of [bobCard, daveCard]) expect(feishuCardSchema.safeParse(cardJson(c)).error?.issues ?? []).toEqual([]);
    const bobTexts = cardTexts(cardJson(bobCard));
    const daveTexts = cardTexts(cardJson(daveCard));
    expect(bobTexts).toContain('Acknowledge alarm ALM900002');
    expect(bobTexts).toContain('Operation: Acknowledge alarm');
    expect(bobTexts).toMatch(/Source: network management system, read \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(bobTexts).not.toMatch(/待审批|审批人|操作|来源/);
    expect(daveTexts).toContain('确认告警 ALM900002');
    expect(daveTexts).toContain('操作：确认告警');
    expect(daveTexts).toContain('未确认 → 已确认');
    expect(daveTexts).toContain('申请人：Bob（杭州装维班组）');
    expect(daveTexts).not.toContain('nms.acknowledgeAlarm');
    // The line before Dave's copy is in Chinese too.
    const intro = fake.sent.filter((m) => m.kind === 'create' && m.receiveId === 'ou_dave' && m.msgType === 'text').map(textOf).at(-1)!;
    expect(intro).toContain('Bob 提交了一个待你审批的申请：确认告警 ALM900002');
    const approvalId = approvalIdOf(cardJson(daveCard));

    // Someone acknowledges it in the NMS before Dave approves: the write fails.
    const alarm = (t.app.sandbox!.state as SandboxState).alarms.find((a) => a.id === 'ALM900002')!;
    alarm.acknowledged = true;
    const answer = await click({ messageId: daveCard.messageId!, chatId: 'oc_p2p_dave', approvalId, operator: 'ou_dave', button: 'approve' });
    expect(answer.toast.type).toBe('success');
    expect(cardTexts(answer.card!.data)).toContain('审批人：Dave'); // the clicker's copy, in Chinese
    await settle();
    for (const [copy, lang] of [[bobCard, 'en'], [daveCard, 'zh']] as const) {
      const last = cardJson(fake.sent.filter((m) => m.kind === 'patch' && m.targetMessageId === copy.messageId).at(-1)!);
      expect(feishuCardSchema.safeParse(last).success).toBe(true);
      expect((last.header as { template: string }).template).toBe('red');
      const shown = cardTexts(last);
      if (lang === 'zh') {
        expect(shown).toContain('已批准，但执行失败，未写入');
        expect(shown).toContain('原因：告警 ALM900002 在审批后已被确认，未重复确认');
        expect(shown).not.toContain('已写入并核验');
      } else {
        expect(shown).toContain('Approved, but the write failed: nothing was written');
        expect(shown).toContain('Reason: Alarm ALM900002 was acknowledged since it was approved');
      }
      expect(JSON.stringify(last)).not.toContain('"tag":"button"');
    }
  });

  /** Alice asks for a note in her p2p chat: her copy, Carol's copy and the approval id. */
  const noteCards = async (ticketId: string, text: string) => {
    const ask = messageEvent({ chatId: 'oc_p2p_alice', chatType: 'p2p', from: 'ou_alice', text: `工单备注 ${ticketId} ${text}` });
    const askId = (ask.event as { message: { message_id: string } }).message.message_id;
    const before = fake.sent.length;
    await deliver(ask);
    const mine = await waitFor(() => repliesTo(askId).find((m) => m.msgType === 'interactive'), 60_000, "alice's note card");
    const carols = await waitFor(() => fake.sent.slice(before).find((m) => m.kind === 'create' && m.receiveId === 'ou_carol' && m.msgType === 'interactive'), 10_000, "carol's copy");
    return { mine, carols, approvalId: approvalIdOf(cardJson(carols)), askId };
  };
  const noteTickets = () => (t.app.sandbox!.state as SandboxState).tickets.filter((tk: Ticket) => tk.region === 'hangzhou' && tk.status !== 'closed' && tk.id !== 'T20261124-0012' && tk.broadbandAccount !== '' && tk.address !== '').map((tk) => tk.id);

  it("withdraws from the Withdraw button on the requester's own card; anyone else's click is refused and audited", async () => {
    const { mine, carols, approvalId } = await noteCards(noteTickets().at(-1)!, '客户改约');
    const on = { messageId: mine.messageId!, chatId: 'oc_p2p_alice', approvalId, button: 'withdraw' };
    const carol = await click({ ...on, operator: 'ou_carol' });
    expect(carol.toast).toMatchObject({ type: 'error', content: expect.stringContaining('只有申请人本人可以撤回') });
    const refused = await t.app.db.query(`SELECT actor FROM audit_log WHERE action = 'approval.withdraw_refused' AND details->>'channel' = 'feishu'`);
    expect(refused.rows.map((r) => r.actor)).toEqual(['carol']);
    const done = await click({ ...on, operator: 'ou_alice' });
    expect(done.toast).toMatchObject({ type: 'success', content: expect.stringContaining('已撤回申请') });
    expect(feishuCardSchema.safeParse(done.card!.data).error?.issues ?? []).toEqual([]);
    expect(JSON.stringify(done.card!.data)).not.toContain('"tag":"button"');
    await settle();
    const patched = fake.sent.filter((m) => m.kind === 'patch' && m.targetMessageId === carols.messageId).at(-1)!;
    expect(cardTexts(JSON.parse(patched.content))).toContain('已由申请人 Alice');
    expect(JSON.stringify(JSON.parse(patched.content))).not.toContain('"tag":"button"');
  });

  it('bulk-approves from one card in Feishu: a button on the 待我审批 reply, each item written once, the card patched with each outcome', async () => {
    const tickets = noteTickets().slice(-3, -1);
    const items = [await noteCards(tickets[0]!, '批量一'), await noteCards(tickets[1]!, '批量二')];
    const ask = messageEvent({ chatId: 'oc_p2p_carol', chatType: 'p2p', from: 'ou_carol', text: '待我审批' });
    const askId = (ask.event as { message: { message_id: string } }).message.message_id;
    await deliver(ask);
    const listing = await waitFor(() => repliesTo(askId).find((m) => m.msgType === 'interactive'), 30_000, 'the waiting list with its button');
    expect(listing.content).toContain('批量批准 工单备注');
    // The suggestion button runs the command as the clicker (the callback's operator).
    const press = cardActionEvent({ operator: 'ou_carol', button: 'suggestion' as never, approvalId: 'x', messageId: listing.messageId!, chatId: 'oc_p2p_carol' });
    (press.event as { action: { value: unknown } }).action.value = { command: '批量批准 工单备注' };
    const before = fake.sent.length;
    expect((await deliver(press)).status).toBe(200);
    const bulk = await waitFor(() => fake.sent.slice(before).find((m) => m.msgType === 'interactive' && m.content.includes('批量审批')), 30_000, 'the bulk card');
    const card = cardJson(bulk);
    expect(feishuCardSchema.safeParse(card).error?.issues ?? []).toEqual([]);
    for (const tk of tickets) expect(cardTexts(card)).toContain(tk);
    const bulkId = approvalIdOf(card);
    expect(bulkId).toMatch(/^bulk:/);
    const on = { messageId: bulk.messageId!, chatId: 'oc_p2p_carol', approvalId: bulkId };
    // Another manager's click on Carol's card: refused.
    expect((await click({ ...on, operator: 'ou_dave', button: 'approve' })).toast.type).toBe('error');
    const res = await click({ ...on, operator: 'ou_carol', button: 'approve' });
    expect(res.toast).toMatchObject({ type: 'success', content: expect.stringContaining('批量批准：已批准') });
    await settle();
    const notes = (t.app.sandbox!.state as SandboxState).ticketNotes;
    for (const it of items) expect(notes.filter((n) => n.idempotencyKey === it.approvalId)).toHaveLength(1);
    const last = fake.sent.filter((m) => m.kind === 'patch' && m.targetMessageId === bulk.messageId).at(-1)!;
    const lastCard = JSON.parse(last.content) as Record<string, unknown>;
    expect(feishuCardSchema.safeParse(lastCard).error?.issues ?? []).toEqual([]);
    expect((cardTexts(lastCard).match(/已写入并核实/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(lastCard)).not.toContain('"tag":"button"');
    // The requesters are told as usual.
    for (const it of items) await waitFor(() => repliesTo(it.askId).some((m) => m.msgType === 'text' && textOf(m).includes('已写入')), 30_000, 'the requester told');
  });

  it('after a restart in long-connection mode: retried events stay handled, new ones go through the same dispatcher', async () => {
    await t.close();
    t = await startTestApp({ ...db.env, ...feishuEnv(fake, { FEISHU_MODE: 'websocket' }) });
    const feishu = t.app.feishu!;
    const health = (await (await fetch(`${t.app.url}/healthz`)).json()) as { feishu: { mode: string; connection: string } };
    expect(health.feishu.mode).toBe('websocket');
    // No webhook in this mode.
    expect((await deliver(repeated)).status).toBe(404);

    // What WSClient.handleEventData does with each event frame.
    const messageId = (repeated.event as { message: { message_id: string } }).message.message_id;
    for (let i = 0; i < 3; i++) expect(await feishu.eventDispatcher.invoke(repeated, { needCheck: false })).toEqual({});
    await settle();
    expect(repliesTo(messageId)).toHaveLength(1);

    const fresh = messageEvent({ chatId: 'oc_p2p_bob', chatType: 'p2p', from: 'ou_bob', text: 'port OLT-HZ-01 0/1/3' });
    const freshId = (fresh.event as { message: { message_id: string } }).message.message_id;
    await Promise.all([feishu.eventDispatcher.invoke(fresh, { needCheck: false }), feishu.eventDispatcher.invoke(fresh, { needCheck: false })]);
    await settle();
    expect(repliesTo(freshId)).toHaveLength(1);
    expect(textOf(repliesTo(freshId)[0]!)).toContain('OLT-HZ-01 0/1/3');

    // A card callback over the long connection answers with a toast (and at least {}).
    const decided = fake.sent.find((m) => m.kind === 'create' && m.receiveId === 'ou_carol' && m.msgType === 'interactive')!;
    const late = (await feishu.eventDispatcher.invoke(
      cardActionEvent({ operator: 'ou_carol', button: 'approve', approvalId: approvalIdOf(cardJson(decided)), messageId: decided.messageId!, chatId: 'oc_p2p_carol' }),
      { needCheck: false },
    )) as Toast;
    expect(late.toast.type).toBe('error');
    expect(cardTexts(late.card!.data)).toContain('已写入并核验');
  });

});
