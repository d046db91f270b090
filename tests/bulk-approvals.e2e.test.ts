/**
 * Issue 13, bulk approval and the requester's Withdraw button, through the console API on both
 * databases with a pool of 3 (fewer connections than the concurrent actors below):
 * - "待我审批" offers "批量批准 工单备注"; asking for it gives ONE card listing the qualifying
 *   pending notes waiting for the approver (oldest first, capped by the policy); approve-all
 *   decides exactly the listed ids, each through the single decision path; the card then shows
 *   each item's outcome (written and verified / skipped: withdrawn); audited approval.bulk_decided;
 * - zh and en; a kind the policy does not opt in is refused; reject-all needs a reason;
 * - the card is for the approver it was drawn for: another manager's click is refused and audited;
 * - the requester's own copy has a Withdraw button; someone else's click on it is refused, audited;
 * - two managers bulk-approving overlapping sets and the requester withdrawing one, all at once:
 *   every write happens exactly once, no item is approved twice, the withdrawn one is skipped.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPolicyFile } from '../src/policies/policy.js';
import type { SandboxState } from '../src/sandbox/state.js';
import { cardOf, dbKinds, textOf, type Reply } from './helpers/test-app.js';
import { auditRows, startPolicyApp, type PolicyApp } from './helpers/policy-app.js';

type Click = { status: string; reason?: string; message: string; replies: Reply[] };

describe.each(await dbKinds())('bulk approval and the Withdraw button on %s', (kind) => {
  let t: PolicyApp;
  const state = () => t.app.sandbox!.state as SandboxState;
  const notesOf = (ticketId: string) => state().ticketNotes.filter((n) => n.ticketId === ticketId).length;
  const status = async (id: string) => (await t.app.db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [id])).rows[0]!.status;
  const free: string[] = [];
  const take = () => free.shift()!;
  const click = async (user: string, approvalId: string, decision: 'approve' | 'reject' | 'withdraw', comment?: string): Promise<Click> => {
    const res = await t.client.post('/console/api/actions?wait=1', { user, approvalId, decision, ...(comment ? { comment } : {}) });
    expect(res.status).toBe(200);
    return res.json as unknown as Click;
  };
  /** Alice asks for a note on a fresh ticket: the approval id and its ticket. */
  const note = async (text: string, conv: string) => {
    const tk = take();
    const card = cardOf(await t.client.say('alice', `工单备注 ${tk} ${text}`, conv))!;
    expect(card.approvalId).toBeTruthy();
    return { id: card.approvalId!, tk, card };
  };
  const bulkCard = async (user: string, text: string) => {
    const replies = await t.client.say(user, text, `bulk-${user}-${Math.random().toString(36).slice(2, 8)}`);
    return { replies, card: cardOf(replies), text: textOf(replies) };
  };

  beforeAll(async () => {
    // Notes are approved by a manager of any department (Carol and Dave both see Hangzhou), so two
    // managers can hold overlapping bulk cards; updates stay with the requester's department, capped at 2.
    const policy = fs
      .readFileSync(bundledPolicyFile, 'utf8')
      .replace('ticket.addNote: { roles: [manager], departments: same, bulk: { maxItems: 20 } }', 'ticket.addNote: { roles: [manager], departments: any, bulk: { maxItems: 20 } }')
      .replace('ticket.updateFields: { roles: [manager], departments: same, bulk: { maxItems: 20 } }', 'ticket.updateFields: { roles: [manager], departments: same, bulk: { maxItems: 2 } }');
    t = await startPolicyApp(kind, policy, { DATABASE_POOL_SIZE: '3' });
    free.push(...state().tickets.filter((x) => x.region === 'hangzhou' && x.status !== 'closed').map((x) => x.id));
    expect(free.length).toBeGreaterThanOrEqual(12);
  });
  afterAll(() => t?.close());

  it('offers, lists and approves a kind in one card; a withdrawn item is skipped; each item is written once and its card redrawn (zh)', async () => {
    const items = [await note('用户已重启光猫', 'b1-1'), await note('用户约明早上门', 'b1-2'), await note('已电话回访', 'b1-3')];
    // 待我审批 suggests the bulk command (a button where the channel has buttons).
    const waiting = await t.client.say('carol', '待我审批', 'b1-wait');
    const reply = waiting.find((r) => r.kind === 'text' && r.suggestions?.length);
    expect(reply?.suggestions).toContain('批量批准 工单备注');
    expect(reply?.text).toContain('可一次批准：「批量批准 工单备注」（3 项）');

    const { card, text } = await bulkCard('carol', '批量批准 工单备注');
    expect(text).toContain('已生成批量审批卡片：「添加工单备注」共 3 项');
    expect(card!.approvalId).toMatch(/^bulk:[0-9a-f-]{36}:[0-9a-f]{16}$/);
    const json = JSON.stringify(card!.card);
    for (const it of items) expect(json).toContain(`工单备注 ${it.tk}`);
    expect(json).toContain('全部批准（3 项）');
    expect(json).toContain('申请人：Alice');
    // Oldest first.
    expect(items.map((it) => json.indexOf(`工单备注 ${it.tk}`))).toEqual([...items.map((it) => json.indexOf(`工单备注 ${it.tk}`))].sort((a, b) => a - b));

    // The requester's own copy has a Withdraw button; she withdraws the second before Carol clicks.
    expect(JSON.stringify(items[1]!.card.card)).toContain('"verb":"withdraw"');
    expect(JSON.stringify(items[1]!.card.card)).not.toContain('"verb":"approve"');
    const wd = await click('alice', items[1]!.id, 'withdraw');
    expect(wd.status).toBe('withdrawn');
    expect(wd.message).toContain('已撤回申请');
    expect(JSON.stringify(wd.replies.find((r) => r.kind === 'card')?.card)).not.toContain('"verb":"withdraw"');

    const before = items.map((it) => notesOf(it.tk));
    const done = await click('carol', card!.approvalId!, 'approve');
    expect(done.status).toBe('approved');
    expect(done.message).toContain('批量批准：已批准 2 项，跳过 1 项');
    await t.app.agent.idle();
    expect(items.map((it) => notesOf(it.tk) - before[items.indexOf(it)]!)).toEqual([1, 0, 1]);
    expect(await Promise.all(items.map((it) => status(it.id)))).toEqual(['approved', 'withdrawn', 'approved']);

    const audit = (await auditRows(t.app.db, 'approval.bulk_decided')).at(-1)!;
    expect(audit.actor).toBe('carol');
    expect(audit.details.ids).toEqual(items.map((it) => it.id));
    expect(audit.details.outcomes).toEqual({
      [items[0]!.id]: { result: 'approved' },
      [items[1]!.id]: { result: 'skipped', reason: 'withdrawn' },
      [items[2]!.id]: { result: 'approved' },
    });
    // Each item's own decision record, as for a single click.
    const approved = (await auditRows(t.app.db, 'approval.approved')).map((r) => r.subject);
    expect(approved).toEqual(expect.arrayContaining([items[0]!.id, items[2]!.id]));
    // The requester is told as usual, and her card copies are redrawn.
    const aliceSaw = (await t.client.transcript('b1-1', 'alice')).map((m) => m.text ?? JSON.stringify(m.card)).join('\n');
    expect(aliceSaw).toContain('已写入并核验');
  });

  it('shows each outcome on the redrawn bulk card, refuses a second click, and is for its own approver only', async () => {
    const a = await note('bulk redraw 1', 'b2-1');
    const b = await note('bulk redraw 2', 'b2-2');
    const conv = 'b2-carol';
    const card = cardOf(await t.client.say('carol', '批量批准 工单备注', conv))!;
    // Dave is an approver of these too, but this card was drawn for Carol.
    const forged = await click('dave', card.approvalId!, 'approve');
    expect(forged).toMatchObject({ status: 'refused', reason: 'not_yours' });
    expect((await auditRows(t.app.db, 'approval.bulk_refused')).at(-1)).toMatchObject({ actor: 'dave', details: { reason: 'not_yours' } });
    expect([await status(a.id), await status(b.id)]).toEqual(['pending', 'pending']);
    // A card whose hash does not match its snapshot is not ours.
    const tampered = card.approvalId!.replace(/:[0-9a-f]{16}$/, ':0000000000000000');
    expect(await click('carol', tampered, 'approve')).toMatchObject({ status: 'refused', reason: 'not_found' });

    const before = notesOf(a.tk) + notesOf(b.tk);
    expect((await click('carol', card.approvalId!, 'approve')).status).toBe('approved');
    await t.app.agent.idle();
    const again = await click('carol', card.approvalId!, 'approve');
    expect(again).toMatchObject({ status: 'refused', reason: 'already_decided' });
    expect(notesOf(a.tk) + notesOf(b.tk) - before).toBe(2);
    const cards = (await t.client.transcript(conv, 'carol')).filter((m) => m.kind === 'card');
    expect(cards).toHaveLength(1);
    // Redrawn in place: each listed item's outcome, and no buttons any more.
    expect(cards[0]!.card!.fallbackText!.match(/\[已写入并核实\]/g)).toHaveLength(2);
    expect(JSON.stringify(cards[0]!.card)).not.toContain('全部批准');
    expect(cards[0]!.card!.actions).toBeUndefined();
  });

  it('in English: reject all needs a reason and tells each requester; a kind not opted in is refused; updates are capped', async () => {
    const a = await note('reject me 1', 'b3-1');
    const b = await note('reject me 2', 'b3-2');
    const { card, text } = await bulkCard('dave', 'approve all ticket notes');
    expect(text).toContain('Here is one card for 2 "Add ticket note" requests');
    expect(JSON.stringify(card!.card)).toContain('Approve all 2');
    expect(await click('dave', card!.approvalId!, 'reject')).toMatchObject({ status: 'refused', reason: 'comment_required' });
    const r = await click('dave', card!.approvalId!, 'reject', 'duplicates of an open note');
    expect(r).toMatchObject({ status: 'rejected', message: expect.stringContaining('Bulk rejection: 2 rejected') });
    await t.app.agent.idle();
    expect([await status(a.id), await status(b.id)]).toEqual(['rejected', 'rejected']);
    expect(textOf(await t.client.transcript('b3-1', 'alice'))).toContain('duplicates of an open note');

    expect((await bulkCard('carol', '批量批准 告警')).text).toContain('按审批策略，「确认告警」不能批量批准');
    expect((await bulkCard('carol', 'approve all sms')).text).toContain('does not allow "Send SMS notice" to be approved in bulk');
    expect((await bulkCard('carol', '批量批准 派单')).text).toContain('不能批量批准');
    expect((await bulkCard('carol', '批量批准')).text).toContain('请说明要批量批准哪一类');

    // Three updates waiting for Carol, a cap of two: two listed, one left for later.
    for (const [i, addr] of ['文三路 1 号', '文三路 2 号', '文三路 3 号'].entries()) {
      const c = cardOf(await t.client.say('alice', `更新工单 ${take()} 地址 杭州市西湖区${addr}`, `b3-u${i}`));
      expect(c?.approvalId).toBeTruthy();
    }
    const capped = await bulkCard('carol', '批量批准 更新工单');
    expect(capped.text).toContain('共 2 项（另有 1 项超出单张上限');
    expect(JSON.stringify(capped.card!.card)).toContain('→');
  });

  it('refuses and audits a Withdraw click from anyone but the requester', async () => {
    const a = await note('not yours to withdraw', 'b4-1');
    const bob = await click('bob', a.id, 'withdraw');
    expect(bob).toMatchObject({ status: 'refused', reason: 'not_requester', message: expect.stringContaining('只有申请人本人可以撤回') });
    const carol = await click('carol', a.id, 'withdraw');
    expect(carol.reason).toBe('not_requester');
    const refused = (await auditRows(t.app.db, 'approval.withdraw_refused')).filter((r) => ['bob', 'carol'].includes(r.actor));
    expect(refused.map((r) => r.actor)).toEqual(['bob', 'carol']);
    expect(await status(a.id)).toBe('pending');
    // And the requester may: the same as "撤回 <id>", audited approval.withdrawn.
    expect((await click('alice', a.id, 'withdraw')).status).toBe('withdrawn');
    expect((await auditRows(t.app.db, 'approval.withdrawn')).at(-1)).toMatchObject({ actor: 'alice', subject: a.id });
    expect((await click('alice', a.id, 'withdraw')).reason).toBe('not_pending');
  });

  it('two managers bulk-approving overlapping sets while the requester withdraws one, all at once: every write once, none approved twice', async () => {
    // Clear what earlier stories left waiting, so both cards list exactly these.
    await t.app.db.query(`UPDATE approvals SET status = 'expired' WHERE status = 'pending'`);
    const items = [];
    for (let i = 0; i < 5; i++) items.push(await note(`race ${i}`, `b5-${i}`));
    const carolCard = cardOf(await t.client.say('carol', '批量批准 工单备注', 'b5-carol'))!;
    const daveCard = cardOf(await t.client.say('dave', 'approve all ticket notes', 'b5-dave'))!;
    const before = items.map((it) => notesOf(it.tk));
    // Five concurrent actors on a pool of 3: both managers (Carol twice: a double click), the
    // requester withdrawing item 2, and Bob trying to withdraw item 3.
    const [c1, c2, d, w, bob] = await Promise.all([
      click('carol', carolCard.approvalId!, 'approve'),
      click('carol', carolCard.approvalId!, 'approve'),
      click('dave', daveCard.approvalId!, 'approve'),
      click('alice', items[2]!.id, 'withdraw'),
      click('bob', items[3]!.id, 'withdraw'),
    ]);
    await t.app.agent.idle();
    expect([c1.status, c2.status].sort()).toEqual(['approved', 'refused']);
    expect(d.status).toBe('approved');
    expect(bob.reason).toBe('not_requester');
    const after = items.map((it, i) => notesOf(it.tk) - before[i]!);
    const statuses = await Promise.all(items.map((it) => status(it.id)));
    const bulks = (await auditRows(t.app.db, 'approval.bulk_decided')).slice(-2);
    expect(bulks).toHaveLength(2);
    for (const [i, it] of items.entries()) {
      const approvedBy = bulks.filter((b) => (b.details.outcomes as Record<string, { result: string }>)[it.id]?.result === 'approved');
      if (statuses[i] === 'withdrawn') {
        // Withdrawn first: nobody approved it, both cards show it skipped, nothing written.
        expect(after[i]).toBe(0);
        expect(approvedBy).toHaveLength(0);
        for (const b of bulks) expect((b.details.outcomes as Record<string, unknown>)[it.id]).toEqual({ result: 'skipped', reason: 'withdrawn' });
      } else {
        expect(statuses[i]).toBe('approved');
        expect(after[i]).toBe(1);
        expect(approvedBy).toHaveLength(1);
      }
    }
    // The withdrawal either won (the item is skipped) or came after an approval (refused, not pending).
    expect(w.status === 'withdrawn' ? statuses[2] : w.reason).toBe(w.status === 'withdrawn' ? 'withdrawn' : 'not_pending');
    const approvedRows = await t.app.db.query<{ subject: string }>(`SELECT subject FROM audit_log WHERE action = 'approval.approved' AND subject = ANY($1::text[])`, [items.map((it) => it.id)]);
    expect(new Set(approvedRows.rows.map((r) => r.subject)).size).toBe(approvedRows.rows.length);
  });
});
