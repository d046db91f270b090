/**
 * The Teams channel end to end: Bot Framework activities posted to POST /api/messages of the real
 * app (botbuilder CloudAdapter, inbox, LangGraph agent, Chromium on the sandbox portals), and a
 * local stand-in for the Bot Connector service that records replies, proactive sends and card
 * updates. Authentication is off here (TEAMS_ALLOW_UNAUTHENTICATED=1); teams-auth.test.ts covers JWTs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxState, Ticket } from '../src/sandbox/state.js';
import { seedTeamsAadObjectIds } from '../src/policies/principals.js';
import { validateTeamsCard } from '../src/bot/teams/cards.js';
import type { AdaptiveCardJson } from '../src/bot/cards/adaptive.js';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from './helpers/test-app.js';
import { FakeConnector, invokeActivity, messageActivity, nextActivityId, type ConnectorCall, type TeamsUserFixture } from './helpers/teams-connector.js';

const user = (id: keyof typeof seedTeamsAadObjectIds & string, name: string): TeamsUserFixture => ({
  aadObjectId: seedTeamsAadObjectIds[id]!,
  mri: `29:${id}-mri`,
  name,
});
const alice = user('alice', 'Alice');
const bob = user('bob', 'Bob');
const carol = user('carol', 'Carol');
const dave = user('dave', 'Dave');
const stranger: TeamsUserFixture = { aadObjectId: '99999999-0000-4000-8000-000000000099', mri: '29:stranger', name: 'Mallory' };

const personal = (u: TeamsUserFixture) => ({ id: `a:1personal-${u.name.toLowerCase()}`, conversationType: 'personal' as const });
const groupChat = { id: '19:ops-group@thread.v2', conversationType: 'groupChat' as const };

type Conversation = { id: string; conversationType: 'personal' | 'groupChat' | 'channel' };

interface InvokeAnswer {
  status: number;
  body: { statusCode: number; type: string; value: unknown };
  ms: number;
}

describe('Teams channel', () => {
  let db: TestDatabase;
  let t: TestApp;
  let connector: FakeConnector;

  const post = async (activity: Record<string, unknown>) => {
    const started = Date.now();
    const res = await fetch(`${t.app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, ms: Date.now() - started };
  };
  /** A person installs the app: Teams tells the bot about their 1:1 chat (first contact). */
  const installFor = (u: TeamsUserFixture) =>
    post({
      type: 'conversationUpdate',
      id: nextActivityId(),
      serviceUrl: connector.url,
      channelId: 'msteams',
      from: { id: u.mri, name: u.name, aadObjectId: u.aadObjectId },
      recipient: { id: '28:switchboard-bot', name: 'Switchboard' },
      conversation: { ...personal(u), tenantId: 'tenant-1' },
      membersAdded: [{ id: '28:switchboard-bot' }],
      channelData: { tenant: { id: 'tenant-1' } },
    });
  const say = (u: TeamsUserFixture, text: string, conversation: Conversation = personal(u), extra: { mentionBot?: boolean; id?: string } = {}) =>
    post(messageActivity({ serviceUrl: connector.url, user: u, text, conversation, ...extra }));
  const click = async (u: TeamsUserFixture, card: ConnectorCall, verb: string, data: Record<string, unknown>, id?: string) =>
    (await post(
      invokeActivity({
        serviceUrl: connector.url,
        user: u,
        // Only the 1:1 chat's owner can click there; everyone clicks group copies.
        conversation: { id: card.conversationId, conversationType: card.conversationId.startsWith('19:') ? 'groupChat' : 'personal' },
        replyToId: card.id,
        verb,
        data,
        ...(id ? { id } : {}),
      }),
    )) as InvokeAnswer;
  const writesOf = async () =>
    (await (await fetch(`${t.app.sandbox!.url}/admin/writes`)).json()) as { ticketId: string; idempotencyKey: string | null }[];
  const cardJson = (c: ConnectorCall) => c.activity.attachments![0]!.content as AdaptiveCardJson;
  const approvalIdOf = (c: ConnectorCall) => ((cardJson(c).refresh as { action: { data: { approvalId: string } } } | undefined)?.action.data.approvalId ??
    ((cardJson(c).actions as { data: { approvalId: string } }[])[0]!.data.approvalId));
  const incomplete = (except: string[]) =>
    (t.app.sandbox!.state as SandboxState).tickets.filter(
      (tk: Ticket) =>
        tk.region === 'hangzhou' &&
        (tk.status === 'open' || tk.status === 'in_progress') &&
        tk.customerId &&
        (tk.broadbandAccount === '' || tk.address === '') &&
        !except.includes(tk.id),
    );

  /** Alice asks for a ticket completion in `where`; returns her copy and Carol's copy of the card. */
  const requestCompletion = async (ticketId: string, where: Conversation = personal(alice)) => {
    const before = { here: connector.cards(where.id).length, carol: connector.cards(personal(carol).id).length };
    expect((await say(alice, `补全工单 ${ticketId}`, where)).status).toBe(200);
    const mine = await connector.waitFor(() => connector.cards(where.id)[before.here], 'the card where Alice asked');
    const carols = await connector.waitFor(() => connector.cards(personal(carol).id)[before.carol], 'the card in Carol’s chat');
    return { mine, carols, approvalId: approvalIdOf(mine) };
  };

  beforeAll(async () => {
    connector = await new FakeConnector().start();
    db = await createTestDatabase('pglite');
    t = await startTestApp({ ...db.env, TEAMS_ALLOW_UNAUTHENTICATED: '1' });
    // Carol installs the app: Teams tells the bot about her 1:1 chat (first contact).
    expect((await installFor(carol)).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await connector?.close();
  });

  it('says in /healthz that the endpoint accepts unsigned requests', async () => {
    const health = (await (await fetch(`${t.app.url}/healthz`)).json()) as { checks: Record<string, string> };
    expect(health.checks.teams).toMatch(/UNAUTHENTICATED/);
  });

  it('answers a port query in a 1:1 chat, with a typing indicator first', async () => {
    const res = await say(bob, '查端口 OLT-HZ-01 0/1/3');
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(5000); // acknowledged before the turn (which takes seconds); the answer comes proactively
    const conv = personal(bob).id;
    const reply = await connector.waitFor(() => connector.texts(conv).find((x) => x.includes('OLT-HZ-01 0/1/3')), 'the port answer');
    expect(reply).toContain('-26.40 dBm（临界）');
    expect(reply).toContain('ALM900001');
    const typing = connector.calls.find((c) => c.conversationId === conv && c.activity.type === 'typing');
    expect(connector.calls.filter((c) => c.conversationId === conv).every((c) => c.kind === 'send')).toBe(true);
    const answer = connector.calls.find((c) => c.conversationId === conv && c.activity.text?.includes('OLT-HZ-01 0/1/3'));
    expect(typing && answer && typing.at <= answer.at).toBe(true);
  });

  it('strips the @mention in a group chat and answers in that chat; a redelivered message runs once', async () => {
    const id = nextActivityId();
    const [a, b] = await Promise.all([say(bob, 'port OLT-HZ-01 0/1/4', groupChat, { mentionBot: true, id }), say(bob, 'port OLT-HZ-01 0/1/4', groupChat, { mentionBot: true, id })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const reply = await connector.waitFor(() => connector.texts(groupChat.id).find((x) => x.includes('Port OLT-HZ-01 0/1/4')), 'the group answer');
    expect(reply).toMatch(/Rx power -19\.85 dBm \(normal\)/);
    await t.app.inbox.idle();
    expect(connector.texts(groupChat.id).filter((x) => x.includes('Port OLT-HZ-01 0/1/4'))).toHaveLength(1);
    const runs = await t.app.db.query(`SELECT count(*)::int AS n FROM runs WHERE conversation_id = $1`, [groupChat.id]);
    expect(runs.rows[0]).toEqual({ n: 1 });
  });

  it('tells an unknown Teams user politely that they are not enrolled, and audits it', async () => {
    await say(stranger, '查端口 OLT-HZ-01 0/1/3');
    const reply = await connector.waitFor(() => connector.texts(personal(stranger).id)[0], 'the not-enrolled answer');
    expect(reply).toContain('尚未开通');
    const audit = await t.app.db.query(`SELECT actor FROM audit_log WHERE action = 'identity.unknown'`);
    expect(audit.rows.map((r) => r.actor)).toContain(`teams:${stranger.aadObjectId}`);
  });

  it('runs an approval through Adaptive Card invokes: refusals, a fast answer while the write is slow, one write, every copy updated', async () => {
    // Asked in a group chat that Bob, Carol and Dave are in too.
    const { mine, carols, approvalId } = await requestCompletion('T20261124-0012', groupChat);
    expect(mine.kind).toBe('send'); // proactive: a new message, not a reply

    // The group's copy (the requester's): no approve buttons, only Withdraw; "waiting for Carol"; Carol's client asks for her own view.
    const aliceCard = cardJson(mine);
    expect(validateTeamsCard(aliceCard)).toEqual([]);
    expect(((aliceCard.actions ?? []) as { verb: string }[]).map((a) => a.verb)).toEqual(['withdraw']);
    expect(JSON.stringify(aliceCard)).toContain('等待 Carol 审批');
    expect((aliceCard.refresh as { userIds: string[] }).userIds).toEqual([carol.mri]);
    // Carol's own chat: the buttons on the card itself, Action.Submit fallback, data = approval id only.
    const carolCard = cardJson(carols);
    expect(validateTeamsCard(carolCard)).toEqual([]);
    const actions = carolCard.actions as { type: string; verb: string; data: Record<string, unknown>; fallback: { type: string } }[];
    expect(actions.map((a) => [a.type, a.verb, a.data, a.fallback.type])).toEqual([
      ['Action.Execute', 'approve', { approvalId }, 'Action.Submit'],
      ['Action.Execute', 'reject', { approvalId }, 'Action.Submit'],
    ]);

    // User-specific views: Carol's refresh gets buttons, Bob's gets the waiting view.
    const carolView = await click(carol, mine, 'refresh', { approvalId });
    expect(carolView.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(((carolView.body.value as AdaptiveCardJson).actions as unknown[]).length).toBe(2);
    const bobView = await click(bob, mine, 'refresh', { approvalId });
    expect((bobView.body.value as AdaptiveCardJson).actions ?? []).toEqual([]);
    // Someone outside the directory sees nothing of it, and cannot decide.
    const strangerView = await click(stranger, mine, 'refresh', { approvalId });
    expect(strangerView.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(strangerView.body.value).toContain('尚未开通');
    expect((await click(stranger, mine, 'approve', { approvalId })).body.value).toContain('尚未开通');

    // Refusals: the requester herself, a technician, another department's manager. Nothing runs.
    const self = await click(alice, mine, 'approve', { approvalId });
    expect(self.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(self.body.value).toContain('不能审批自己');
    expect((await click(bob, mine, 'approve', { approvalId })).body.value).toContain('你不是此申请的审批人');
    expect((await click(dave, mine, 'approve', { approvalId })).body.value).toContain('你不是此申请的审批人');
    expect(await writesOf()).toEqual([]);
    const refused = await t.app.db.query(`SELECT actor, details->>'reason' AS reason FROM audit_log WHERE action = 'approval.refused' AND subject = $1 ORDER BY id`, [approvalId]);
    expect(refused.rows.map((r) => [r.actor, r.reason])).toEqual([
      [`teams:${stranger.aadObjectId}`, 'not_enrolled'],
      ['alice', 'self_approval'],
      ['bob', 'not_manager'],
      ['dave', 'not_approver'],
    ]);

    // Carol approves while the ticket portal is slow: the invoke is answered long before Teams gives
    // up on it (10-15 s) and before the write is done (checked below), not after the write.
    await fetch(`${t.app.sandbox!.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ system: 'ticket', latencyMs: 1500 }),
    });
    try {
      const id = nextActivityId();
      // The same click delivered twice, and a second click: one decision, one write.
      const [first, retry, second] = await Promise.all([
        click(carol, carols, 'approve', { approvalId }, id),
        click(carol, carols, 'approve', { approvalId }, id),
        click(carol, mine, 'approve', { approvalId }),
      ]);
      for (const answer of [first, retry, second]) {
        expect(answer.status).toBe(200);
        expect(answer.ms).toBeLessThan(3000);
      }
      expect(first.body.type).toBe('application/vnd.microsoft.card.adaptive');
      expect(JSON.stringify(first.body.value)).toMatch(/已由 Carol 于 .* 批准/);
      expect(((first.body.value as AdaptiveCardJson).actions ?? []) as unknown[]).toEqual([]);
      expect(JSON.stringify(second.body.value)).toMatch(/已由 Carol 于 .* 批准/);
      expect(await writesOf()).toEqual([]); // the slow write is still on its way
    } finally {
      await fetch(`${t.app.sandbox!.url}/admin/faults`, { method: 'DELETE' });
    }
    await t.app.agent.idle();
    const writes = (await writesOf()).filter((w) => w.ticketId === 'T20261124-0012');
    expect(writes).toEqual([expect.objectContaining({ idempotencyKey: approvalId })]);

    // Every copy of the card was PUT with the outcome; Alice is told in her chat.
    for (const copy of [mine, carols]) {
      const updates = connector.updatesOf(copy.id);
      expect(updates.length).toBeGreaterThan(0);
      const last = updates.at(-1)!;
      expect(last.conversationId).toBe(copy.conversationId);
      const json = JSON.stringify(last.activity.attachments![0]!.content);
      expect(json).toContain('已写入并核验');
      expect(validateTeamsCard(last.activity.attachments![0]!.content as AdaptiveCardJson)).toEqual([]);
    }
    await connector.waitFor(() => connector.texts(groupChat.id).find((x) => x.includes('已由 Carol 批准，已写入并核验')), 'the requester being told');
  }, 120_000);

  it('names a delegate from a Teams chat for the sender the Bot Connector vouches for', async () => {
    const conv = personal(carol).id;
    expect((await say(carol, '委托审批给 dave 到周五18点')).status).toBe(200);
    const reply = await connector.waitFor(() => connector.texts(conv).find((x) => x.includes('代你审批')), 'the delegation answer');
    expect(reply).toMatch(/^已委托 Dave 代你审批，至 \d{4}-\d{2}-\d{2} 18:00（北京时间）/);
    const rows = await t.app.db.query<{ delegator_id: string; delegate_id: string }>(`SELECT delegator_id, delegate_id FROM delegations WHERE revoked_at IS NULL`);
    expect(rows.rows).toEqual([{ delegator_id: 'carol', delegate_id: 'dave' }]);
    expect((await say(carol, 'end delegation')).status).toBe(200);
    await connector.waitFor(() => connector.texts(conv).find((x) => x.startsWith('Delegation ended')), 'the end');
    expect((await t.app.db.query(`SELECT 1 FROM delegations WHERE revoked_at IS NULL`)).rows).toEqual([]);
  });

  it('rejects with a reason from the card input, and tells the requester', async () => {
    const ticket = incomplete(['T20261124-0012'])[0]!;
    const { mine, carols, approvalId } = await requestCompletion(ticket.id);
    const noReason = await click(carol, carols, 'reject', { approvalId, comment: ' ' });
    expect(noReason.body.value).toContain('驳回时请填写原因');
    const rejected = await click(carol, carols, 'reject', { approvalId, comment: '客户要求周一再处理' });
    expect(rejected.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(rejected.body.value)).toContain('客户要求周一再处理');
    await t.app.agent.idle();
    await connector.waitFor(() => connector.texts(personal(alice).id).find((x) => x.includes('客户要求周一再处理')), 'the rejection notice');
    expect(JSON.stringify(connector.updatesOf(mine.id).at(-1)!.activity)).toContain('已驳回');
    expect((await writesOf()).some((w) => w.ticketId === ticket.id)).toBe(false);
  }, 120_000);

  it('accepts a decision from the Action.Submit fallback (older clients)', async () => {
    const ticket = incomplete(['T20261124-0012'])[1]!;
    const { approvalId, carols } = await requestCompletion(ticket.id);
    const res = await post(
      messageActivity({ serviceUrl: connector.url, user: carol, text: '', conversation: personal(carol), value: { approvalId, verb: 'reject', comment: 'duplicate ticket' } }),
    );
    expect(res.status).toBe(200);
    await connector.waitFor(() => connector.texts(personal(carol).id).find((x) => x.includes('已驳回')), 'the fallback answer');
    await t.app.agent.idle();
    expect(JSON.stringify(connector.updatesOf(carols.id).at(-1)!.activity)).toContain('duplicate ticket');
  }, 120_000);

  it("an English request by Bob: Dave's copy in Chinese with buttons, Bob's in English without; a write that fails after approval turns both red with the reason", async () => {
    // Dave installs the app: his 1:1 chat becomes known, so he gets his own copy.
    expect((await installFor(dave)).status).toBe(200);
    const before = { bob: connector.cards(personal(bob).id).length, dave: connector.cards(personal(dave).id).length };
    expect((await say(bob, 'ack alarm ALM900001')).status).toBe(200);
    const mine = await connector.waitFor(() => connector.cards(personal(bob).id)[before.bob], 'the card where Bob asked');
    const daves = await connector.waitFor(() => connector.cards(personal(dave).id)[before.dave], 'the card in Dave’s chat');
    const bobCard = cardJson(mine);
    const daveCard = cardJson(daves);
    for (const c of [bobCard, daveCard]) expect(validateTeamsCard(c)).toEqual([]);
    const bobJson = JSON.stringify(bobCard);
    const daveJson = JSON.stringify(daveCard);
    expect(bobJson).toContain('Acknowledge alarm ALM900001');
    expect(bobJson).toContain('Waiting for Dave to decide');
    expect(bobJson).not.toMatch(/待审批|审批人|确认告警/);
    expect(((bobCard.actions ?? []) as { verb: string; title: string }[]).map((a) => [a.verb, a.title])).toEqual([['withdraw', 'Withdraw']]);
    expect(daveJson).toContain('确认告警 ALM900001');
    expect(daveJson).toContain('未确认 → 已确认');
    expect(daveJson).toContain('Bob（杭州装维班组）');
    expect(daveJson).not.toMatch(/Pending|Acknowledge alarm|nms\.acknowledgeAlarm/);
    expect((daveCard.actions as unknown[]).length).toBe(2);
    expect(connector.texts(personal(dave).id).some((x) => x.includes('Bob 提交了一个待你审批的申请：确认告警 ALM900001'))).toBe(true);
    const approvalId = approvalIdOf(daves);
    // Bob's client asking for his own view gets English, no approve buttons (his Withdraw only).
    const bobView = (await click(bob, mine, 'refresh', { approvalId })).body.value as AdaptiveCardJson;
    expect(JSON.stringify(bobView)).toContain('Acknowledge alarm ALM900001');
    expect(((bobView.actions ?? []) as { verb: string }[]).map((a) => a.verb)).toEqual(['withdraw']);

    // The NOC acknowledges it in the NMS first: the approved write fails.
    const alarm = (t.app.sandbox!.state as SandboxState).alarms.find((a) => a.id === 'ALM900001')!;
    alarm.acknowledged = true;
    const answer = await click(dave, daves, 'approve', { approvalId });
    expect(answer.status).toBe(200);
    await t.app.agent.idle();
    for (const [copy, heading, reason] of [
      [mine, 'Approved, but the write failed: nothing was written', 'Alarm ALM900001 was acknowledged since it was approved'],
      [daves, '已批准，但执行失败，未写入', '告警 ALM900001 在审批后已被确认，未重复确认'],
    ] as const) {
      const last = connector.updatesOf(copy.id).at(-1)!.activity.attachments![0]!.content as AdaptiveCardJson;
      expect(validateTeamsCard(last)).toEqual([]);
      const json = JSON.stringify(last);
      expect(json).toContain(heading);
      expect(json).toContain(reason);
      expect(json).toContain('"color":"attention"');
      expect(json).not.toContain('"color":"good"');
      expect(last.actions ?? []).toEqual([]);
    }
  }, 120_000);

  /** Open Hangzhou tickets no other story here uses, for notes. */
  const noteTickets = () => (t.app.sandbox!.state as SandboxState).tickets.filter((tk: Ticket) => tk.region === 'hangzhou' && tk.status !== 'closed' && tk.id !== 'T20261124-0012' && !incomplete([]).some((x) => x.id === tk.id)).map((tk) => tk.id);
  const noteCard = async (ticketId: string, text: string) => {
    const before = { mine: connector.cards(personal(alice).id).length, carol: connector.cards(personal(carol).id).length };
    expect((await say(alice, `工单备注 ${ticketId} ${text}`)).status).toBe(200);
    const mine = await connector.waitFor(() => connector.cards(personal(alice).id)[before.mine], 'the note card where Alice asked');
    const carols = await connector.waitFor(() => connector.cards(personal(carol).id)[before.carol], 'the note card in Carol’s chat');
    return { mine, carols, approvalId: approvalIdOf(carols) };
  };

  it("withdraws from the Withdraw button on the requester's own card; anyone else's click is refused and audited", async () => {
    const [tk] = noteTickets().slice(-1);
    const { mine, carols, approvalId } = await noteCard(tk!, '客户改约');
    const carolTry = await click(carol, mine, 'withdraw', { approvalId });
    expect(carolTry.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(carolTry.body.value).toContain('只有申请人本人可以撤回');
    const refused = await t.app.db.query(`SELECT actor FROM audit_log WHERE action = 'approval.withdraw_refused' AND details->>'channel' = 'teams'`);
    expect(refused.rows.map((r) => r.actor)).toContain('carol');
    const done = await click(alice, mine, 'withdraw', { approvalId });
    expect(done.body.type).toBe('application/vnd.microsoft.card.adaptive');
    const answered = done.body.value as AdaptiveCardJson;
    expect(JSON.stringify(answered)).toContain('已由申请人 Alice');
    expect(answered.actions ?? []).toEqual([]);
    // Carol's copy is redrawn without buttons; a later approval is refused.
    await connector.waitFor(() => JSON.stringify(connector.updatesOf(carols.id).at(-1)?.activity ?? '').includes('撤回'), 'Carol’s copy redrawn');
    expect((await click(carol, carols, 'approve', { approvalId })).body.value).toContain('由申请人撤回');
    expect((await t.app.db.query(`SELECT status FROM approvals WHERE id = $1`, [approvalId])).rows[0]).toEqual({ status: 'withdrawn' });
  }, 120_000);

  it('bulk-approves from one card in Teams: suggested from 待我审批, each item written once, the card redrawn with each outcome', async () => {
    const tickets = noteTickets().slice(-3, -1);
    const cards = [await noteCard(tickets[0]!, '批量一'), await noteCard(tickets[1]!, '批量二')];
    const conv = personal(carol).id;
    const before = connector.messages(conv).length;
    expect((await say(carol, '待我审批')).status).toBe(200);
    const listing = await connector.waitFor(() => connector.messages(conv).slice(before).find((c) => c.activity.text?.includes('待你审批')), 'the waiting list');
    const suggested = (listing.activity.suggestedActions as { actions: { type: string; value: string }[] }).actions;
    expect(suggested).toContainEqual(expect.objectContaining({ type: 'imBack', value: '批量批准 工单备注' }));
    const cardsBefore = connector.cards(conv).length;
    expect((await say(carol, '批量批准 工单备注')).status).toBe(200);
    const bulk = await connector.waitFor(() => connector.cards(conv)[cardsBefore], 'the bulk card');
    const json = cardJson(bulk);
    expect(validateTeamsCard(json)).toEqual([]);
    for (const tk of tickets) expect(JSON.stringify(json)).toContain(tk);
    const actions = json.actions as { verb: string; title: string; data: { approvalId: string } }[];
    expect(actions.map((a) => a.verb)).toEqual(['approve', 'reject']);
    expect(actions[0]!.title).toMatch(/^全部批准（\d+ 项）$/);
    const bulkId = actions[0]!.data.approvalId;
    expect(bulkId).toMatch(/^bulk:/);
    // Dave (another department's manager) cannot use Carol's bulk card.
    expect((await click(dave, bulk, 'approve', { approvalId: bulkId })).body.value).toContain('这张批量审批卡片是为 Carol 生成的');
    const answer = await click(carol, bulk, 'approve', { approvalId: bulkId });
    expect(answer.status).toBe(200);
    await t.app.agent.idle();
    const notes = (t.app.sandbox!.state as SandboxState).ticketNotes;
    for (const c of cards) expect(notes.filter((n) => n.idempotencyKey === c.approvalId)).toHaveLength(1);
    const last = connector.updatesOf(bulk.id).at(-1)!.activity.attachments![0]!.content as AdaptiveCardJson;
    expect(validateTeamsCard(last)).toEqual([]);
    expect((JSON.stringify(last).match(/已写入并核实/g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(last.actions ?? []).toEqual([]);
    // Each item's own copies are redrawn and the requester is told, as for a single click.
    for (const c of cards) await connector.waitFor(() => JSON.stringify(connector.updatesOf(c.mine.id).at(-1)?.activity ?? '').includes('已写入并核验'), 'the requester’s copy redrawn');
    const bulkAudit = await t.app.db.query<{ details: { ids: string[] } }>(`SELECT details FROM audit_log WHERE action = 'approval.bulk_decided' ORDER BY id DESC LIMIT 1`);
    expect(bulkAudit.rows[0]!.details.ids).toEqual(expect.arrayContaining(cards.map((c) => c.approvalId)));
  }, 120_000);
});
