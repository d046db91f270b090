/**
 * Escalation with a controlled clock: an approval still waiting at its rule's time also goes to
 * the next person on the roster who may approve it, once, whichever sweeps first; the requester
 * is told, the new approver can decide, nobody else gains the right.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPolicyFile } from '../src/policies/policy.js';
import { applyDirectory } from '../src/store/directory.js';
import { escalateApproval } from '../src/store/approvals-repo.js';
import { parseDirectoryText } from '../src/store/directory-file.js';
import { cardOf, dbKinds, textOf } from './helpers/test-app.js';
import { startPolicyApp, type PolicyApp } from './helpers/policy-app.js';

const policy = fs
  .readFileSync(bundledPolicyFile, 'utf8')
  .replace(/\n    ticket\.addNote: .*/, '')
  .replace('  tools:\n    nms.acknowledgeAlarm:', '  tools:\n    ticket.addNote: { roles: [manager], departments: same, expiresInMinutes: 120, escalateAfterMinutes: 30 }\n    nms.acknowledgeAlarm:');

describe.each(await dbKinds())('escalation on %s', (kind) => {
  let t: PolicyApp;
  const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000);
  const approvers = async (id: string) => (await t.app.db.query<{ approver_ids: string[] }>('SELECT approver_ids FROM approvals WHERE id = $1', [id])).rows[0]!.approver_ids;

  beforeAll(async () => {
    expect(policy).toContain('escalateAfterMinutes: 30');
    t = await startPolicyApp(kind, policy);
    // Grace manages operations and is on duty around the clock; Dave (field) is on no roster.
    await applyDirectory(
      t.app.db,
      parseDirectoryText(
        'departments:\n  - { id: ops, name: { zh: 运维中心, en: Operations } }\npeople:\n  - { id: grace, name: Grace, roles: [manager], department: ops, regions: [hangzhou], on_duty: always }\n',
        'yaml',
        'people.yaml',
      ),
      { actor: 'cli:ops', source: 'people.yaml' },
    );
  });
  afterAll(() => t?.close());

  it('waits until the rule time, then adds the next person on the roster once, tells both, and lets them decide', async () => {
    const card = cardOf(await t.client.say('alice', '工单备注 T20261124-0012 用户已重启光猫'))!;
    const id = card.approvalId!;
    expect(await approvers(id)).toEqual(['carol']);
    expect(await t.app.agent.escalateDue(minutesFromNow(10))).toBe(0);
    // Two sweeps at once (two processes): one escalation.
    const swept = await Promise.all([t.app.agent.escalateDue(minutesFromNow(31)), t.app.agent.escalateDue(minutesFromNow(31))]);
    expect(swept.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await approvers(id)).toEqual(['carol', 'grace']);
    expect(await t.app.agent.escalateDue(minutesFromNow(90))).toBe(0);

    const told = (await t.client.transcript('console-alice')).map((m) => m.text ?? '');
    expect(told).toContain('「工单备注 T20261124-0012」已等待审批 30 分钟，已同时交由 Grace 审批。');
    const graceSees = await t.client.transcript('console-grace');
    expect(graceSees.some((m) => (m.text ?? '').startsWith('Alice 的申请「工单备注 T20261124-0012」已等待审批 30 分钟'))).toBe(true);
    expect(graceSees.some((m) => m.kind === 'card' && m.approvalId === id)).toBe(true);
    const audit = await t.app.db.query<{ details: { to: string } }>(`SELECT details FROM audit_log WHERE action = 'approval.escalated' AND subject = $1`, [id]);
    expect(audit.rows.map((r) => r.details.to)).toEqual(['grace']);

    // Dave was not picked: he still may not decide. Grace may.
    expect(await t.client.act('dave', id, 'approve')).toMatchObject({ status: 'refused', reason: 'not_approver' });
    expect(await t.client.act('grace', id, 'approve')).toMatchObject({ status: 'approved' });
    await t.app.agent.idle();
    expect(textOf(await t.client.transcript('console-alice'))).toContain('已由 Grace 批准，已写入并核验');
  });

  it('finishes an escalation whose process died after claiming it: the new approver gets the card and the requester is told, once', async () => {
    const card = cardOf(await t.client.say('alice', '工单备注 T20261124-0014 已回访'))!;
    const id = card.approvalId!;
    // What a process killed right after the claim leaves behind: Grace added, nobody told.
    expect(await escalateApproval(t.app.db, id, 'grace')).toBeDefined();
    expect(await approvers(id)).toEqual(['carol', 'grace']);
    const graceCards = async () => (await t.client.transcript('console-grace')).filter((m) => m.kind === 'card' && m.approvalId === id).length;
    expect(await graceCards()).toBe(0);
    // Within a minute of the claim its own process may still be sending: left alone.
    expect(await t.app.agent.escalateDue(new Date(Date.now() + 30_000))).toBe(0);
    expect(await graceCards()).toBe(0);
    // Later, any sweep finishes it, once, even two at once.
    await Promise.all([t.app.agent.escalateDue(minutesFromNow(5)), t.app.agent.escalateDue(minutesFromNow(5))]);
    expect(await graceCards()).toBe(1);
    const told = (await t.client.transcript('console-alice')).map((m) => m.text ?? '');
    expect(told.filter((x) => x === '「工单备注 T20261124-0014」已等待审批 30 分钟，已同时交由 Grace 审批。')).toHaveLength(1);
    const resumed = await t.app.db.query(`SELECT 1 FROM audit_log WHERE action = 'approval.escalation_resumed' AND subject = $1`, [id]);
    expect(resumed.rows).toHaveLength(1);
    await t.app.agent.escalateDue(minutesFromNow(10));
    expect(await graceCards()).toBe(1);
    expect(await t.client.act('grace', id, 'approve')).toMatchObject({ status: 'approved' });
    await t.app.agent.idle();
  });

  it('does not escalate an approval decided before its time came', async () => {
    const card = cardOf(await t.client.say('bob', '工单备注 T20261124-0013 已上门'))!;
    expect(await approvers(card.approvalId!)).toEqual(['dave']);
    expect(await t.client.act('dave', card.approvalId!, 'approve')).toMatchObject({ status: 'approved' });
    await t.app.agent.idle();
    expect(await t.app.agent.escalateDue(minutesFromNow(31))).toBe(0);
  });
});
