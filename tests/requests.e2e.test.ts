/**
 * Issue 13, "Never approve a write that is certain to fail" and "Duplicates, conflicts, withdrawal,
 * status", through the console API on both databases, with a pool smaller than the bursts:
 * - a write the guard knows would fail (SMS template parameters, an appointment window already
 *   started) is answered with the reason and no card, audited, its run `business_error`;
 * - a dispatch to a team the ticket system's directory does not have for the ticket's region is
 *   answered with the nearest names and no card; a valid one (any half, any case) makes a card
 *   with the directory's full name, and the work order carries it;
 * - the same request sent six times at once makes one card; the others point to it; approving it
 *   twice at once writes once;
 * - a write on a target with a pending or recent write, or a dispatch for a ticket with an open
 *   work order, says so on its card;
 * - the requester (only) withdraws a pending request; a withdrawal and an approval at the same
 *   instant: exactly one wins;
 * - 待我审批 / my approvals and 我的申请 / my requests;
 * - a rejection's reason reaches the requester, and the same request again is answered with it.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPolicyFile } from '../src/policies/policy.js';
import { formatTime } from '../src/chat/locale.js';
import type { SandboxState } from '../src/sandbox/state.js';
import { cardOf, dbKinds, textOf, type Reply } from './helpers/test-app.js';
import { auditRows, startPolicyApp, type PolicyApp } from './helpers/policy-app.js';

/** An appointment day that is always ahead (operator-local), so the examples hold at any date. */
const tomorrow = () => formatTime(new Date(Date.now() + 24 * 3600_000)).slice(0, 10);
const yesterday = () => formatTime(new Date(Date.now() - 24 * 3600_000)).slice(0, 10);

describe.each(await dbKinds())('requests: would-fail, duplicates, conflicts, withdrawal, status on %s', (kind) => {
  let t: PolicyApp;
  const state = () => t.app.sandbox!.state as SandboxState;
  const row = async (id: string) =>
    (await t.app.db.query<{ status: string; lines: { label: string; value: string }[]; run_id: string }>('SELECT status, lines, run_id FROM approvals WHERE id = $1', [id])).rows[0]!;
  const runStatus = async (runId: string) => (await t.app.db.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [runId])).rows[0]?.status;
  const notesOf = (ticketId: string) => state().ticketNotes.filter((n) => n.ticketId === ticketId).length;
  const short = (id: string) => id.slice(0, 8);
  const approvalCount = async (where: string, params: unknown[]) => Number((await t.app.db.query<{ n: string }>(`SELECT count(*) AS n FROM approvals WHERE ${where}`, params)).rows[0]!.n);

  /** Open Hangzhou tickets (Alice's scope) other than the two the seed describes, one per story. */
  const free: string[] = [];
  const take = () => free.shift()!;

  beforeAll(async () => {
    const policy = fs.readFileSync(bundledPolicyFile, 'utf8');
    // Pool of 3: the bursts below are more concurrent turns than connections.
    t = await startPolicyApp(kind, policy, { DATABASE_POOL_SIZE: '3' });
    free.push(...state().tickets.filter((x) => x.region === 'hangzhou' && x.status !== 'closed' && !['T20261124-0012', 'T20261124-0013'].includes(x.id)).map((x) => x.id));
    expect(free.length).toBeGreaterThanOrEqual(8);
  });
  afterAll(() => t?.close());

  it('answers a write that would fail with the reason and no card (zh and en), audited', async () => {
    const before = (await auditRows(t.app.db, 'proposal.refused')).length;
    // A parameter the template does not have, and one it needs left out: {eta} would stay unfilled.
    const zh = await t.client.say('alice', '发短信 13857101234 SMS_FAULT_NOTICE ticketId=T20261124-0012 foo=1', 'wf-zh');
    expect(cardOf(zh)).toBeUndefined();
    expect(textOf(zh)).toContain('模板 SMS_FAULT_NOTICE 需要参数 ticketId、eta，缺少 eta，模板中没有 foo，未提交审批');
    const en = await t.client.say('alice', 'send sms 13857101234 SMS_FAULT_NOTICE ticketId=T20261124-0012', 'wf-en');
    expect(cardOf(en)).toBeUndefined();
    expect(textOf(en)).toContain('missing: eta');

    const past = await t.client.say('bob', `派单 T20261124-0012 杭州装维一组 P2 ${yesterday()} 09:00-11:00`, 'wf-zh-d');
    expect(cardOf(past)).toBeUndefined();
    expect(textOf(past)).toContain('预约开始时间已过');
    const pastEn = await t.client.say('bob', `dispatch T20261124-0012 to 杭州装维一组 P2 ${yesterday()} 09:00-11:00`, 'wf-en-d');
    expect(cardOf(pastEn)).toBeUndefined();
    expect(textOf(pastEn)).toContain('The appointment window has already started');

    const refused = (await auditRows(t.app.db, 'proposal.refused')).slice(before);
    expect(refused.map((r) => r.details.reason)).toEqual(['template_params', 'template_params', 'window_started', 'window_started']);
    expect(await approvalCount(`requester_id IN ('alice', 'bob')`, [])).toBe(0);
    const statuses = await t.app.db.query<{ status: string }>(`SELECT status FROM runs WHERE requester_id IN ('alice', 'bob') ORDER BY started_at`);
    expect(statuses.rows.map((r) => r.status)).toEqual(['business_error', 'business_error', 'business_error', 'business_error']);
  });

  it('checks a dispatch\'s team against the ticket system\'s directory: an unknown one is answered with the nearest names and no card, a valid one makes a card with its full name', async () => {
    const tk = take();
    const before = (await auditRows(t.app.db, 'proposal.refused')).length;
    const outOfScopeBefore = (await auditRows(t.app.db, 'data.out_of_scope')).length;
    const cards = await approvalCount(`requester_id = 'bob'`, []);
    const unknown = await t.client.say('bob', `派单 ${tk} 杭州装维一祖 P2 ${tomorrow()} 09:00-11:00`, 'team-zh');
    expect(cardOf(unknown)).toBeUndefined();
    expect(textOf(unknown)).toContain('工单系统的班组目录中杭州没有班组或工程师「杭州装维一祖」，未提交审批。是不是要派给 杭州装维一组 HZ Field Team 1？');
    const otherRegion = await t.client.say('bob', `dispatch ${tk} to NB Field Team 1 P2 ${tomorrow()} 09:00-11:00`, 'team-en');
    expect(cardOf(otherRegion)).toBeUndefined();
    // Bob sees Hangzhou only: the Ningbo team is simply not in his region's directory.
    expect(textOf(otherRegion)).toContain('The ticket system\'s directory has no team "NB Field Team 1" in Hangzhou; nothing was sent for approval.');
    const refused = (await auditRows(t.app.db, 'proposal.refused')).slice(before);
    expect(refused.map((r) => r.details.reason)).toEqual(['assignee_unknown', 'team_unknown']);
    // Telling him did not read the other regions as him (that read would be an out-of-scope attempt on his record).
    expect((await auditRows(t.app.db, 'data.out_of_scope')).slice(outOfScopeBefore)).toEqual([]);
    expect(await approvalCount(`requester_id = 'bob'`, [])).toBe(cards);

    // The English half, in another case: one card, the directory's full name on it and in what the portal gets.
    const ok = cardOf(await t.client.say('bob', `dispatch ${tk} to hz field team 2 P3 ${tomorrow()} 14:00-16:00`, 'team-ok'))!;
    expect(ok).toBeDefined();
    const lines = (await row(ok.approvalId!)).lines;
    expect(lines).toContainEqual(expect.objectContaining({ value: '杭州装维二组 HZ Field Team 2' }));
    // Approved, the portal takes it: the work order carries the directory's team.
    expect(await t.client.act('dave', ok.approvalId!, 'approve')).toMatchObject({ status: 'approved' });
    await t.app.agent.idle();
    expect(state().workOrders.filter((w) => w.ticketId === tk)).toEqual([expect.objectContaining({ team: '杭州装维二组 HZ Field Team 2', priority: 'P3', status: 'dispatched' })]);
  });

  it('makes one card of the same request sent six times at once; approving it twice at once writes once', async () => {
    const notes = notesOf('T20261124-0013');
    const replies = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => t.client.say('alice', '工单备注 T20261124-0013 用户已重启光猫', `dup-${i}`)));
    const cards = replies.map((r) => cardOf(r)).filter((c): c is Reply => !!c);
    expect(cards).toHaveLength(1);
    const id = cards[0]!.approvalId!;
    const pointers = replies.filter((r) => !cardOf(r)).map((r) => textOf(r));
    expect(pointers).toHaveLength(5);
    for (const p of pointers) expect(p).toContain(`相同的申请已在审批中（申请编号 ${short(id)}`);
    expect(await approvalCount(`requester_id = 'alice' AND status = 'pending'`, [])).toBe(1);
    expect((await auditRows(t.app.db, 'approval.duplicate')).filter((r) => r.subject === id)).toHaveLength(5);

    const clicks = await Promise.all([t.client.act('carol', id, 'approve'), t.client.act('carol', id, 'approve')]);
    expect(clicks.map((c) => c.status).sort()).toEqual(['approved', 'refused']);
    await t.app.agent.idle();
    expect(notesOf('T20261124-0013')).toBe(notes + 1);
    expect((await row(id)).status).toBe('approved');

    // In English too: the same words again while a new one is pending.
    const tk = take();
    const first = cardOf(await t.client.say('alice', `add note ${tk} customer will call back`, 'dup-en-0'))!;
    const again = await t.client.say('alice', `add note ${tk} customer will call back`, 'dup-en-1');
    expect(cardOf(again)).toBeUndefined();
    expect(textOf(again)).toContain(`The same request is already waiting for approval (request ${short(first.approvalId!)}`);
    expect(textOf(again)).toContain(`"withdraw ${short(first.approvalId!)}"`);
  });

  it('names a pending or recent write on the same target on the card, and an open work order of the ticket', async () => {
    // The note on T20261124-0013 above was written: the same note again is a new request, with a warning.
    const earlier = (await t.app.db.query<{ id: string }>(`SELECT id FROM approvals WHERE tool = 'ticket.addNote' AND status = 'approved' ORDER BY created_at LIMIT 1`)).rows[0]!.id;
    const card = cardOf(await t.client.say('alice', '工单备注 T20261124-0013 用户已重启光猫', 'conflict-1'))!;
    const lines = (await row(card.approvalId!)).lines;
    expect(lines).toContainEqual({ label: '⚠ 冲突', value: expect.stringContaining(`同一目标已有申请 ${short(earlier)}「工单备注 T20261124-0013」`) });
    expect(JSON.stringify(card.card)).toContain('⚠ 冲突');

    // T20261124-0012 already has the seeded work order W20261124-0001 (dispatched).
    const day = tomorrow();
    const d1 = await t.client.say('bob', `dispatch T20261124-0012 to 杭州装维一组 P2 ${day} 09:00-11:00`, 'conflict-d1');
    const c1 = cardOf(d1)!;
    expect((await row(c1.approvalId!)).lines).toContainEqual({ label: '⚠ Conflict', value: expect.stringContaining('the ticket already has an open work order W20261124-0001 (dispatched') });
    expect(textOf(d1)).toContain('⚠ Conflict');
    // A second dispatch while the first waits: both the work order and the pending request are named.
    const c2 = cardOf(await t.client.say('bob', `派单 T20261124-0012 杭州装维二组 P3 ${day} 14:00-16:00`, 'conflict-d2'))!;
    const l2 = (await row(c2.approvalId!)).lines.filter((l) => l.label === '⚠ 冲突').map((l) => l.value);
    expect(l2).toEqual([expect.stringContaining('该工单已有未完成的派工单 W20261124-0001'), expect.stringContaining(`同一目标已有申请 ${short(c1.approvalId!)}`)]);
    expect(l2[1]).toContain('待审批');

    // The same recipient and template: a notice already waiting is named on the next one's card.
    const s1 = cardOf(await t.client.say('alice', 'send sms 13857101234 SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=18:00', 'conflict-s1'))!;
    const s2 = cardOf(await t.client.say('alice', 'send sms 13857101234 SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=20:00', 'conflict-s2'))!;
    expect((await row(s2.approvalId!)).lines).toContainEqual({ label: '⚠ Conflict', value: expect.stringContaining(`request ${short(s1.approvalId!)} "Send SMS SMS_FAULT_NOTICE to 138****1234" on the same target (Alice`) });
    // What the conflict is found by is a keyed digest: the number is not in the row in clear.
    const keys = await t.app.db.query<{ target_key: string; request_hash: string }>('SELECT target_key, request_hash FROM approvals WHERE id = $1', [s2.approvalId!]);
    expect(JSON.stringify(keys.rows)).not.toContain('13857101234');
    expect(keys.rows[0]!.target_key).toMatch(/^[\w-]+:[\w-]{43}$/);
  });

  it('lets the requester, and only the requester, withdraw a pending request; every copy is redrawn; it can no longer be approved', async () => {
    const tk = take();
    const card = cardOf(await t.client.say('alice', `工单备注 ${tk} 等待用户回电`, 'wd-1'))!;
    const id = card.approvalId!;
    // Carol is an approver, not the requester: told it is not hers to withdraw.
    const notHers = await t.client.say('carol', `撤回 ${short(id)}`, 'wd-carol');
    expect(textOf(notHers)).toContain('只有申请人本人可以撤回');
    expect((await row(id)).status).toBe('pending');

    const done = await t.client.say('alice', `撤回 ${short(id)}`, 'wd-2');
    expect(textOf(done)).toContain(`已撤回申请 ${short(id)}「工单备注 ${tk}」`);
    await t.app.agent.idle();
    const r = await row(id);
    expect(r.status).toBe('withdrawn');
    expect(await runStatus(r.run_id)).toBe('withdrawn');
    expect(textOf(await t.client.transcript('wd-1', 'alice'))).toContain(`「工单备注 ${tk}」已撤回，未执行任何写入。`);
    // Every copy: the requester's and the approver's, redrawn without buttons.
    for (const [conv, user] of [['wd-1', 'alice'], ['console-carol', 'carol']] as const) {
      const copy = [...(await t.client.transcript(conv, user))].reverse().find((m) => m.kind === 'card' && m.approvalId === id)!;
      expect(JSON.stringify(copy.card)).toContain('已由申请人 Alice');
      expect(JSON.stringify(copy.card)).not.toContain('Action.Execute');
    }
    const late = await t.client.act('carol', id, 'approve');
    expect(late).toMatchObject({ status: 'refused', reason: 'withdrawn' });
    expect(notesOf(tk)).toBe(0);
    expect((await auditRows(t.app.db, 'approval.withdrawn')).filter((a) => a.subject === id && a.actor === 'alice')).toHaveLength(1);

    // English, and a request no longer pending.
    const en = cardOf(await t.client.say('alice', `add note ${take()} visit rescheduled`, 'wd-en'))!;
    expect(textOf(await t.client.say('alice', `withdraw ${short(en.approvalId!)}`, 'wd-en-2'))).toContain(`Withdrew request ${short(en.approvalId!)}`);
    expect(textOf(await t.client.say('alice', `withdraw ${short(en.approvalId!)}`, 'wd-en-3'))).toContain('is no longer waiting for approval (withdrawn');
  });

  it('a withdrawal and an approval at the same instant: exactly one wins, and a withdrawn request writes nothing', async () => {
    for (const n of [1, 2, 3]) {
      const ticketId = take();
      const id = cardOf(await t.client.say('alice', `工单备注 ${ticketId} 竞态测试`, `race-${n}`))!.approvalId!;
      const [withdraw, approve] = await Promise.all([t.client.say('alice', `撤回 ${short(id)}`, `race-w-${n}`), t.client.act('carol', id, 'approve')]);
      await t.app.agent.idle();
      const final = (await row(id)).status;
      if (final === 'withdrawn') {
        expect(approve).toMatchObject({ status: 'refused', reason: 'withdrawn' });
        expect(notesOf(ticketId)).toBe(0);
      } else {
        expect(final).toBe('approved');
        expect(approve.status).toBe('approved');
        expect(textOf(withdraw)).toContain('已不在审批中');
        expect(notesOf(ticketId)).toBe(1);
      }
    }
  });

  it('lists what waits for me (riskiest and oldest first) and what became of my requests', async () => {
    // A critical alarm's acknowledgement needs two approvers: listed before older single-approver ones.
    const ack = cardOf(await t.client.say('bob', '确认告警 ALM900005 已派人抢修', 'st-ack'))!;
    const dave = textOf(await t.client.say('dave', '待我审批', 'st-dave'));
    const lines = dave.split('\n');
    expect(lines[0]).toMatch(/^待你审批的申请共 \d+ 个/);
    expect(lines[1]).toContain(`【需 2 人审批，已 0 人】${short(ack.approvalId!)}「确认告警 ALM900005`);
    expect(lines.slice(1).every((l) => /^\d+\. /.test(l))).toBe(true);
    // Carol's list: her department's requests (Alice's), not Bob's dispatches (Dave's department).
    const carol = textOf(await t.client.say('carol', 'my approvals', 'st-carol'));
    expect(carol).toMatch(/wait(s)? for your approval/);
    expect(carol).toContain('from Alice');
    expect(carol).not.toContain('Dispatch T20261124-0012');

    const mine = textOf(await t.client.say('alice', '我的申请', 'st-alice'));
    expect(mine).toContain('已撤回，未执行');
    expect(mine).toContain('已由 Carol 批准');
    expect(mine).toContain('待 Carol 审批');
    expect(mine).toContain('撤回待审批的申请：撤回 <申请编号>');
    const mineEn = textOf(await t.client.say('alice', 'my requests', 'st-alice-en'));
    expect(mineEn).toMatch(/^Your \d+ most recent requests/);
    expect(mineEn).toContain('withdrawn, nothing written');
    expect(textOf(await t.client.say('erin', 'my requests', 'st-erin'))).toContain('You have no requests that needed approval.');
  });

  it('sends a rejection\'s reason to the requester and answers the same request again with it, unless it changed', async () => {
    const tk = take();
    const id = cardOf(await t.client.say('alice', `工单备注 ${tk} 用户要求退费`, 'rj-1'))!.approvalId!;
    expect(await t.client.act('carol', id, 'reject', '退费请走计费流程')).toMatchObject({ status: 'rejected' });
    await t.app.agent.idle();
    expect(textOf(await t.client.transcript('rj-1', 'alice'))).toContain(`「工单备注 ${tk}」被 Carol 驳回，原因：退费请走计费流程`);
    const again = await t.client.say('alice', `工单备注 ${tk} 用户要求退费`, 'rj-2');
    expect(cardOf(again)).toBeUndefined();
    expect(textOf(again)).toContain('被 Carol 驳回，原因：退费请走计费流程。参数未变，未重新提交');
    const changed = await t.client.say('alice', `工单备注 ${tk} 用户要求退费，已告知走计费流程`, 'rj-3');
    expect(cardOf(changed)).toBeDefined();
  });
});
