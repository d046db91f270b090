/** FeishuChannel through the SDK's real Client against the local Open API stand-in. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeishuChannel } from './channel.js';
import { createClient, messageApi, botOpenId } from './sdk.js';
import { replyConversation, userConversation } from './conversation.js';
import { feishuCardSchema } from './card-schema.js';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import { BOT_OPEN_ID, TEST_APP_ID, TEST_APP_SECRET, startFakeOpenApi, type FakeOpenApi } from '../../../tests/helpers/feishu-open-api.js';

const view: ApprovalCardView = {
  approvalId: 'a-1',
  lang: 'en',
  title: 'Complete ticket T1',
  tool: 'ticket.updateFields',
  requester: { id: 'alice', name: 'Alice' },
  lines: [{ label: 'Address', value: 'Hangzhou' }],
  approvers: [{ id: 'carol', name: 'Carol' }],
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 600_000).toISOString(),
  status: 'pending',
};

describe('FeishuChannel over the Open API', () => {
  let fake: FakeOpenApi;
  let channel: FeishuChannel;

  beforeAll(async () => {
    fake = await startFakeOpenApi();
    const client = createClient({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, domain: fake.url });
    channel = new FeishuChannel(messageApi(client));
    expect(await botOpenId(client)).toBe(BOT_OPEN_ID);
  });
  afterAll(() => fake.close());

  it('replies to the message it answers (in a thread in groups) and sends to people by open_id', async () => {
    fake.sent.length = 0;
    const ref = await channel.send(replyConversation('oc_g', 'om_q', true), { kind: 'text', text: '端口正常' });
    expect(fake.sent[0]).toMatchObject({ kind: 'reply', targetMessageId: 'om_q', replyInThread: true, msgType: 'text', content: JSON.stringify({ text: '端口正常' }) });
    expect(ref).toEqual({ channel: 'feishu', conversationId: 'chat:oc_g/reply:om_q/thread', messageId: fake.sent[0]!.messageId });

    const conv = await channel.personalConversation({ channel: 'feishu', id: 'ou_carol' });
    expect(conv).toBe(userConversation('ou_carol'));
    expect(await channel.personalConversation({ channel: 'feishu', id: 'on_carol' })).toBeUndefined();
    await channel.send(conv!, { kind: 'card', card: view });
    await channel.send('chat:oc_g', { kind: 'text', text: 'hello group' });
    expect(fake.sent[1]).toMatchObject({ kind: 'create', receiveIdType: 'open_id', receiveId: 'ou_carol', msgType: 'interactive' });
    expect(feishuCardSchema.safeParse(JSON.parse(fake.sent[1]!.content)).success).toBe(true);
    expect(fake.sent[2]).toMatchObject({ kind: 'create', receiveIdType: 'chat_id', receiveId: 'oc_g', msgType: 'text' });
  });

  it("posts approvers' cards to their department's approval group when one is configured, once per group", async () => {
    fake.sent.length = 0;
    const departments: Record<string, string> = { ou_carol: 'cs-hangzhou', ou_zoe: 'cs-hangzhou', ou_dave: 'field-hangzhou' };
    const client = createClient({ appId: TEST_APP_ID, appSecret: TEST_APP_SECRET, domain: fake.url });
    const grouped = new FeishuChannel(messageApi(client), { approvalChats: { 'cs-hangzhou': 'oc_cs_approvals' }, departmentOf: (id) => departments[id] });
    const carol = await grouped.personalConversation({ channel: 'feishu', id: 'ou_carol' });
    const zoe = await grouped.personalConversation({ channel: 'feishu', id: 'ou_zoe' });
    expect(carol).toBe('chat:oc_cs_approvals');
    expect(zoe).toBe(carol);
    expect(await grouped.personalConversation({ channel: 'feishu', id: 'ou_dave' })).toBe('user:ou_dave');
    const a = await grouped.send(carol!, { kind: 'card', card: view });
    const b = await grouped.send(zoe!, { kind: 'card', card: view });
    expect(b).toEqual(a);
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]).toMatchObject({ kind: 'create', receiveIdType: 'chat_id', receiveId: 'oc_cs_approvals', msgType: 'interactive' });
  });

  it('patches a card in place', async () => {
    fake.sent.length = 0;
    await channel.update({ channel: 'feishu', conversationId: 'user:ou_carol', messageId: 'om_card' }, { kind: 'card', card: { ...view, status: 'expired' } });
    expect(fake.sent[0]).toMatchObject({ kind: 'patch', targetMessageId: 'om_card' });
    expect(JSON.parse(fake.sent[0]!.content).header.template).toBe('grey');
  });

  it('edits a text message in place (a progress line), and refuses an edit that no longer fits one message', async () => {
    fake.sent.length = 0;
    const ref = await channel.send('chat:oc_g', { kind: 'text', text: '已完成 0/200' });
    await channel.update(ref, { kind: 'text', text: '已完成 100/200' });
    expect(fake.sent[1]).toMatchObject({ kind: 'edit', targetMessageId: ref.messageId, msgType: 'text', content: JSON.stringify({ text: '已完成 100/200' }) });
    await expect(channel.update(ref, { kind: 'text', text: 'x'.repeat(20_000) })).rejects.toThrow(/fit in one message/);
    expect(fake.sent).toHaveLength(2);
  });

  it('splits a long answer into ordered replies to the same message', async () => {
    fake.sent.length = 0;
    const text = Array.from({ length: 600 }, (_, i) => `告警 ALM${String(i).padStart(6, '0')} 光功率低`).join('\n');
    await channel.send(replyConversation('oc_p', 'om_long', false), { kind: 'text', text });
    expect(fake.sent.length).toBeGreaterThan(2);
    expect(fake.sent.every((m) => m.kind === 'reply' && m.targetMessageId === 'om_long' && m.replyInThread === false)).toBe(true);
    expect(fake.texts().join('\n')).toBe(text);
  });

  it('keeps under 5 messages per second per chat, and waits out a 429', async () => {
    fake.sent.length = 0;
    await Promise.all(Array.from({ length: 11 }, (_, i) => channel.send('chat:oc_busy', { kind: 'text', text: `m${i}` })));
    const at = fake.sent.map((m) => m.at);
    for (let i = 5; i < at.length; i++) expect(at[i]! - at[i - 5]!).toBeGreaterThanOrEqual(990);
    expect(fake.texts()).toEqual(Array.from({ length: 11 }, (_, i) => `m${i}`));

    fake.sent.length = 0;
    fake.rateLimitNext(1);
    const t0 = Date.now();
    await channel.send('chat:oc_other', { kind: 'text', text: 'after 429' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(fake.texts()).toEqual(['after 429']);
  });
});
