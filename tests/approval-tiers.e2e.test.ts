/**
 * Risk tiers from the policy: acknowledging a critical alarm needs two distinct approvers (the
 * demo policy: any department's managers who see the alarm, in any order); a major one, one. The
 * card shows who has approved and who is still needed; nothing runs before the second; the same
 * approver cannot count twice; two approvers clicking at once approve it once. In order
 * (sequential), the second cannot go first.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPolicyFile } from '../src/policies/policy.js';
import type { SandboxState } from '../src/sandbox/state.js';
import { cardOf, dbKinds, textOf } from './helpers/test-app.js';
import { startPolicyApp, type PolicyApp } from './helpers/policy-app.js';
import { applyDirectory } from '../src/store/directory.js';
import { parseDirectoryText } from '../src/store/directory-file.js';

describe.each(await dbKinds())('risk tiers on %s', (kind) => {
  let t: PolicyApp;
  const shipped = fs.readFileSync(bundledPolicyFile, 'utf8');
  const state = () => t.app.sandbox!.state as SandboxState;
  const row = async (id: string) =>
    (await t.app.db.query<{ status: string; approved_by: string[]; required_approvals: number }>('SELECT status, approved_by, required_approvals FROM approvals WHERE id = $1', [id])).rows[0]!;
  const cardLines = async (id: string, user: string) => {
    const msgs = await t.client.transcript(`console-${user}`);
    const card = [...msgs].reverse().find((m) => m.kind === 'card' && m.approvalId === id);
    return JSON.stringify(card?.card ?? null);
  };

  beforeAll(async () => {
    t = await startPolicyApp(kind, shipped, { POLICY_POLL_MS: '100' });
  });
  afterAll(() => t?.close());

  it('a critical alarm needs two approvers: the first is counted and shown, the second runs it', async () => {
    const asked = await t.client.say('bob', '确认告警 ALM900005 已派人抢修');
    const id = cardOf(asked)!.approvalId!;
    expect(textOf(asked)).toContain('需 Carol、Dave 中的 2 位审批后执行');
    expect(await row(id)).toEqual({ status: 'pending', approved_by: [], required_approvals: 2 });

    const first = await t.client.act('dave', id, 'approve');
    expect(first).toMatchObject({ status: 'voted', message: '已记录你对「确认告警 ALM900005（光信号丢失 LOS，OLT-HZ-02 0/2/7 ONU 9）」的批准（1/2），还需 1 位审批人批准后才会执行。' });
    expect(state().alarms.find((a) => a.id === 'ALM900005')!.acknowledged).toBe(false);
    // Who has approved, and who is still needed, by name.
    expect(await cardLines(id, 'bob')).toContain('已批准：Dave；还需 1 人（Carol）');
    expect(await t.client.act('dave', id, 'approve')).toMatchObject({ status: 'refused', reason: 'already_voted' });
    expect(await t.client.act('bob', id, 'approve')).toMatchObject({ status: 'refused', reason: 'self_approval' });

    expect(await t.client.act('carol', id, 'approve')).toMatchObject({ status: 'approved' });
    await t.app.agent.idle();
    expect(state().alarms.find((a) => a.id === 'ALM900005')!.acknowledged).toBe(true);
    expect(await row(id)).toMatchObject({ status: 'approved', approved_by: ['dave', 'carol'] });
    const told = (await t.client.transcript('console-bob')).map((m) => m.text ?? '');
    expect(told.some((x) => x.includes('已由 Carol 批准，已写入并核验'))).toBe(true);
  });

  it('a major alarm still needs one', async () => {
    const asked = await t.client.say('bob', 'ack alarm ALM900001');
    expect(textOf(asked)).toContain('will run once Dave approves');
    expect((await row(cardOf(asked)!.approvalId!)).required_approvals).toBe(1);
  });

  it('two approvers at once approve it once; in order, the second cannot go first', async () => {
    // Parallel: both final clicks race; the write is approved (and its outbox row made) once.
    const critical = state().alarms.find((a) => a.severity === 'critical' && !a.acknowledged && a.clearedAt === '' && a.ne.startsWith('OLT-HZ') && a.id !== 'ALM900005')!;
    expect(critical).toBeDefined();
    const id = cardOf(await t.client.say('bob', `确认告警 ${critical.id}`))!.approvalId!;
    const both = await Promise.all([t.client.act('dave', id, 'approve'), t.client.act('carol', id, 'approve')]);
    expect(both.map((r) => r.status).sort()).toEqual(['approved', 'voted']);
    const outbox = await t.app.db.query('SELECT 1 FROM outbox WHERE approval_id = $1', [id]);
    expect(outbox.rows).toHaveLength(1);
    await t.app.agent.idle();

    // Sequential: the listed order is the order of decisions.
    fs.writeFileSync(t.file, shipped.replace('approvals: 2, order: parallel', 'approvals: 2, order: sequential'));
    await new Promise((r) => setTimeout(r, 600));
    const next = state().alarms.find((a) => a.severity === 'critical' && !a.acknowledged && a.clearedAt === '' && a.ne.startsWith('OLT-HZ') && a.id !== critical.id && a.id !== 'ALM900005')!;
    expect(next).toBeDefined();
    const seqId = cardOf(await t.client.say('bob', `确认告警 ${next.id}`))!.approvalId!;
    expect(await t.client.act('dave', seqId, 'approve')).toMatchObject({ status: 'refused', reason: 'not_your_turn', message: '此申请需按顺序审批，请等待 Carol 先审批。' });
    expect(await cardLines(seqId, 'bob')).toContain('已批准：尚无；还需 2 人（下一位：Carol）');
    expect(await t.client.act('carol', seqId, 'approve')).toMatchObject({ status: 'voted' });
    expect(await cardLines(seqId, 'bob')).toContain('已批准：Carol；还需 1 人（下一位：Dave）');
    expect(await t.client.act('dave', seqId, 'approve')).toMatchObject({ status: 'approved' });
  });

  it('a delegate fills the seat of the approver they stand in for: takes their turn in order, never counts as a second approver', async () => {
    await applyDirectory(
      t.app.db,
      parseDirectoryText('departments:\n  - { id: ops, name: { zh: 运维中心, en: Operations } }\npeople:\n  - { id: grace, name: Grace, roles: [manager], department: ops, regions: [hangzhou] }\n', 'yaml', 'people.yaml'),
      { actor: 'cli:ops', source: 'people.yaml' },
    );
    await t.app.directory.refresh();
    // The tier's approvers: the two Hangzhou departments' managers (Grace, of Operations, is not one).
    const tier = (order: string) => shipped.replace('approvals: 2, order: parallel, departments: any', `approvals: 2, order: ${order}, departments: [cs-hangzhou, field-hangzhou]`);
    fs.writeFileSync(t.file, tier('sequential'));
    await new Promise((r) => setTimeout(r, 600));
    expect((await t.client.post('/console/api/delegations', { user: 'carol', delegate: 'grace', until: new Date(Date.now() + 3_600_000).toISOString() })).status).toBe(200);
    const open = () => state().alarms.filter((a) => a.severity === 'critical' && !a.acknowledged && a.clearedAt === '' && a.ne.startsWith('OLT-HZ') && a.id !== 'ALM900005');
    const askAck = async () => {
      // An alarm no earlier request named (titles name the alarm).
      const titles = (await t.app.db.query<{ title: string }>(`SELECT title FROM approvals WHERE tool = 'nms.acknowledgeAlarm'`)).rows.map((r) => r.title).join(' ');
      const alarm = open().find((a) => !titles.includes(a.id));
      expect(alarm).toBeDefined();
      return cardOf(await t.client.say('bob', `确认告警 ${alarm!.id}`))!.approvalId!;
    };
    // In order: Grace takes Carol's turn; Carol's seat is then filled; Dave's approval runs it.
    const seq = await askAck();
    const approvers = (await t.app.db.query<{ approver_ids: string[]; stand_ins: Record<string, string> }>('SELECT approver_ids, stand_ins FROM approvals WHERE id = $1', [seq])).rows[0]!;
    expect(approvers).toEqual({ approver_ids: ['carol', 'dave', 'grace'], stand_ins: { grace: 'carol' } });
    expect(await t.client.act('grace', seq, 'approve')).toMatchObject({ status: 'voted' });
    expect(await cardLines(seq, 'bob')).toContain('Grace（代 Carol）');
    expect(await t.client.act('carol', seq, 'approve')).toMatchObject({ status: 'refused' });
    expect((await row(seq)).status).toBe('pending');
    expect(await t.client.act('dave', seq, 'approve')).toMatchObject({ status: 'approved' });
    await t.app.agent.idle();
    // In parallel: Carol and her delegate together are one approver; the write waits for Dave.
    fs.writeFileSync(t.file, tier('parallel'));
    await new Promise((r) => setTimeout(r, 600));
    const par = await askAck();
    expect(await t.client.act('carol', par, 'approve')).toMatchObject({ status: 'voted' });
    expect(await t.client.act('grace', par, 'approve')).toMatchObject({ status: 'refused' });
    expect((await row(par)).status).toBe('pending');
    expect(await t.client.act('dave', par, 'approve')).toMatchObject({ status: 'approved' });
    await t.app.agent.idle();
    await fetch(`${t.app.url}/console/api/delegations?user=carol`, { method: 'DELETE' });
    fs.writeFileSync(t.file, shipped);
    await new Promise((r) => setTimeout(r, 600));
  });

  it("sums a requester's small writes over the window: the one that passes the threshold needs two, and its card says why", async () => {
    fs.writeFileSync(t.file, shipped.replace('atLeast: 50 }, summedOverMinutes: 1440', 'atLeast: 3 }, summedOverMinutes: 60'));
    await new Promise((r) => setTimeout(r, 600));
    const sms = (n: number) => t.client.say('alice', `发短信 1390000000${n} SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=18:00`);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push(cardOf(await sms(n))!.approvalId!);
    expect(await Promise.all(ids.map(async (id) => (await row(id)).required_approvals))).toEqual([1, 1, 2]);
    const third = await cardLines(ids[2]!, 'alice');
    expect(third).toContain('近 60 分钟内你的同类申请累计短信条数 3（含本次），需 2 人审批');
    // A rejected one wrote nothing and does not count towards the next.
    expect(await t.client.act('carol', ids[0]!, 'reject', '不需要')).toMatchObject({ status: 'rejected' });
    expect((await row(cardOf(await sms(4))!.approvalId!)).required_approvals).toBe(2);
    expect((await row(cardOf(await sms(5))!.approvalId!)).required_approvals).toBe(2);
  });
});
