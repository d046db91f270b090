/**
 * The card a manager approves (issue 13), through the console API on both databases: each copy is
 * drawn for its reader (Bob's English request gives Dave, a Chinese manager, a Chinese card and Bob
 * an English one), the approvals panel names the requester and department, every copy shows a
 * write that failed after approval as failed with its reason, and the card's stored words keep
 * personal data masked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxState } from '../src/sandbox/state.js';
import { cardOf, createTestDatabase, dbKinds, startTestApp, textOf, type Reply, type TestApp, type TestDatabase } from './helpers/test-app.js';

const cardText = (r: Reply | undefined) => JSON.stringify(r?.card ?? null);

describe.each(await dbKinds())('approval cards per reader on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  const copyIn = async (user: string, approvalId: string) => [...(await t.client.transcript(`console-${user}`))].reverse().find((m) => m.kind === 'card' && m.approvalId === approvalId);

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    t = await startTestApp(db.env);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it("Bob's English request: Dave's copy and panel in Chinese, Bob's copy in English without buttons; a failed write is failed on both", async () => {
    const asked = await t.client.say('bob', 'ack alarm ALM900001 crew on site');
    const mine = cardOf(asked)!;
    expect(textOf(asked)).toContain('will run once Dave approves');
    const approvalId = mine.approvalId!;
    expect(mine.card!.fallbackText).toContain('[Pending] Acknowledge alarm ALM900001');
    expect(cardText(mine)).toContain('Operation');
    expect(cardText(mine)).not.toMatch(/待审批|审批人|确认告警|nms\.acknowledgeAlarm/);
    // His own copy: no approve buttons, only Withdraw.
    expect(((mine.card!.actions ?? []) as { verb: string }[]).map((a) => a.verb)).toEqual(['withdraw']);

    // Dave's copy in his personal conversation, and the line before it, in Chinese.
    const daves = await copyIn('dave', approvalId);
    expect(daves!.card!.fallbackText).toContain('[待审批] 确认告警 ALM900001');
    expect(cardText(daves)).toContain('未确认 → 已确认');
    expect((daves!.card!.actions ?? []).length).toBe(2);
    const intro = (await t.client.transcript('console-dave')).map((m) => m.text ?? '');
    expect(intro.some((x) => x.startsWith('Bob 提交了一个待你审批的申请：确认告警 ALM900001'))).toBe(true);

    // The panel: the requester's name and department (not "[object Object]"), the card in Chinese.
    const panel = await t.client.get('/console/api/approvals?user=dave');
    const item = (panel.json.approvals as { approvalId: string; title: string; requester: unknown; card: { fallbackText: string } }[]).find((a) => a.approvalId === approvalId)!;
    expect(item.requester).toEqual({ id: 'bob', name: 'Bob', department: '杭州装维班组' });
    expect(item.title).toBe('确认告警 ALM900001（收光功率过低，OLT-HZ-01 0/1/3 ONU 5）');
    expect(item.card.fallbackText).toContain('申请人：Bob（杭州装维班组）');

    // The alarm is acknowledged in the NMS before Dave approves: the approved write fails.
    (t.app.sandbox!.state as SandboxState).alarms.find((a) => a.id === 'ALM900001')!.acknowledged = true;
    const decided = await t.client.act('dave', approvalId, 'approve');
    expect(decided.status).toBe('approved');
    await t.app.agent.idle();

    const bobAfter = await copyIn('bob', approvalId);
    const daveAfter = await copyIn('dave', approvalId);
    expect(bobAfter!.card!.fallbackText).toContain('[Failed] Acknowledge alarm ALM900001');
    expect(bobAfter!.card!.fallbackText).toContain('Approved, but the write failed: nothing was written');
    expect(bobAfter!.card!.fallbackText).toContain('Reason: Alarm ALM900001 was acknowledged since it was approved');
    expect(daveAfter!.card!.fallbackText).toContain('[执行失败] 确认告警 ALM900001');
    expect(daveAfter!.card!.fallbackText).toContain('原因：告警 ALM900001 在审批后已被确认，未重复确认');
    for (const copy of [bobAfter, daveAfter]) {
      expect(cardText(copy)).toContain('"color":"attention"');
      expect(cardText(copy)).not.toContain('"color":"good"');
      expect(copy!.card!.actions ?? []).toEqual([]);
    }
    // The clicker's own answer is his copy, in Chinese.
    expect(decided.replies.find((r) => r.kind === 'card')!.card!.fallbackText).toContain('确认告警');
  }, 120_000);

  it('the stored card words keep personal data masked; the approver still sees 138****1234', async () => {
    const asked = await t.client.say('alice', '发短信 13857101234 SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=18:00');
    const mine = cardOf(asked);
    expect(mine, textOf(asked)).toBeDefined();
    const row = (await t.app.db.query<{ card: unknown; lines: unknown }>('SELECT card, lines FROM approvals WHERE id = $1', [mine!.approvalId])).rows[0]!;
    expect(JSON.stringify(row.card)).not.toContain('13857101234');
    expect(JSON.stringify(row.card)).toContain('138****1234');
    const carols = await copyIn('carol', mine!.approvalId!);
    expect(cardText(carols)).toContain('138****1234');
    expect(cardText(carols)).not.toContain('13857101234');
    expect(cardText(carols)).toContain('发送通知短信');
  }, 120_000);
});
