/**
 * The issue-3 flows from chat, end to end through the console API: real HTTP, real Chromium on
 * the sandbox portals. One read flow, one write through approval, and the batch with progress.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxState } from '../src/sandbox/state.js';
import { cardOf, createTestDatabase, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

describe('issue-3 flows from chat', () => {
  let db: TestDatabase;
  let t: TestApp;
  const state = () => t.app.sandbox!.state as SandboxState;

  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    t = await startTestApp(db.env);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('answers a bills query and a plan eligibility check from the billing portal', async () => {
    const bills = textOf(await t.client.say('alice', '查账单 C000123'));
    expect(bills).toContain('客户 C000123 账单');
    expect(bills).toContain('无欠费');
    expect(bills).toContain('合约到期 2027-06-30');
    expect(bills).toMatch(/• 20\d\d-\d\d 应缴 \d+\.\d\d 元/);

    const eligible = textOf(await t.client.say('alice', 'eligible C000123 P5G_199'));
    expect(eligible).toMatch(/\(P5G_199\): customer C000123 is eligible/);
    const locked = textOf(await t.client.say('alice', '能否办理 P5G_99 13857101234'));
    expect(locked).toContain('不能办理');
    expect(locked).not.toContain('13857101234');
  });

  it('shows a customer profile with personal data masked, to those whose role and region allow it', async () => {
    const profile = textOf(await t.client.say('alice', '查客户 C000123'));
    expect(profile).toContain('客户 C000123（杭州）：张*');
    expect(profile).toContain('手机 138****1234');
    expect(profile).toMatch(/装机地址：[^\n]*\*\*\*\*/);
    for (const secret of ['13857101234', '330106198503121231', '张伟']) expect(profile).not.toContain(secret);
    // The auditor's role may not read customer records; a Ningbo customer is outside Alice's region.
    expect(textOf(await t.client.say('erin', 'customer info C000123'))).toContain('Your role is not allowed to do this (crm.getCustomer)');
    expect(textOf(await t.client.say('alice', '查客户 C000201'))).toContain('不在你的数据权限范围内');
  });

  it('corrects a ticket field only after a manager approves, guarded by the value the approver saw', async () => {
    const before = state().tickets.find((x) => x.id === 'T20261124-0013')!;
    expect(before.address).toBeTruthy();
    const replies = await t.client.say('alice', '更新工单 T20261124-0013 地址 杭州市西湖区文三路 400 号 1 幢');
    const card = cardOf(replies);
    expect(textOf(replies)).toContain('「更新工单 T20261124-0013」：需 Carol 审批后执行');
    expect(state().tickets.find((x) => x.id === 'T20261124-0013')!.address).toBe(before.address);
    const decided = await t.client.act('carol', card!.approvalId!, 'approve');
    expect(decided.status).toBe('approved');
    await t.app.agent.idle();
    const told = (await t.client.transcript('console-alice')).map((m) => m.text ?? '');
    expect(told.some((x) => x.startsWith('「更新工单 T20261124-0013」已由 Carol 批准，已写入并核验'))).toBe(true);
    expect(state().tickets.find((x) => x.id === 'T20261124-0013')!.address).toBe('杭州市西湖区文三路 400 号 1 幢');
    // The same value again: nothing to approve.
    expect(cardOf(await t.client.say('alice', '更新工单 T20261124-0013 地址 杭州市西湖区文三路 400 号 1 幢'))).toBeUndefined();
  });

  it('acknowledges an alarm only after a manager approves, and tells when it already is', async () => {
    const replies = await t.client.say('bob', '确认告警 ALM900001 已通知装维');
    const card = cardOf(replies);
    expect(textOf(replies)).toContain('「确认告警 ALM900001');
    expect(textOf(replies)).toContain('需 Dave 审批后执行');
    expect(state().alarms.find((a) => a.id === 'ALM900001')!.acknowledged).toBe(false);

    const decided = await t.client.act('dave', card!.approvalId!, 'approve');
    expect(decided.status).toBe('approved');
    const told = (await t.client.transcript('console-bob')).map((m) => m.text ?? '');
    expect(told.some((x) => x.startsWith('「确认告警 ALM900001') && x.includes('已由 Dave 批准，已写入并核验'))).toBe(true);
    expect(state().alarms.find((a) => a.id === 'ALM900001')!.acknowledged).toBe(true);

    const again = await t.client.say('bob', 'ack alarm ALM900001');
    expect(cardOf(again)).toBeUndefined();
    expect(textOf(again)).toContain('is already acknowledged');
  });

  it('queries a batch of numbers with progress in the chat; out-of-scope and unassigned numbers are listed, not fatal', async () => {
    const hz = state().customers.filter((c) => c.region === 'hangzhou').slice(0, 8).map((c) => c.mobile);
    const nb = state().customers.find((c) => c.region === 'ningbo')!.mobile;
    const used = new Set(state().customers.map((c) => c.mobile));
    const unassigned = ['19900000001', '19900000002', '19900000003'].filter((m) => !used.has(m));
    const numbers = [...hz, nb, ...unassigned];
    const replies = await t.client.say('bob', `批量查询号码状态\n${numbers.join('\n')}\n${hz[0]}\n12345`);
    const texts = replies.filter((r) => r.kind === 'text').map((r) => r.text ?? '');
    const progress = texts.find((x) => x.startsWith('批量查询号码状态：已完成'));
    expect(progress).toBe(`批量查询号码状态：已完成 ${numbers.length}/${numbers.length}…`);
    const final = texts.at(-1)!;
    expect(final).toContain(`批量查询完成：共 ${numbers.length} 个号码`);
    expect(final).toContain(`空号 ${unassigned.length}`);
    expect(final).toContain('查询失败 1');
    expect(final).toContain('不在你的数据权限范围内');
    expect(final).toContain('已去除重复号码 1 个');
    expect(final).toContain('无效号码 1 个');
    expect(final).not.toMatch(/1[3-9]\d{9}/);
  });
});
