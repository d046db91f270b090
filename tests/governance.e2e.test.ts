/**
 * Gray release and rate limits from the policy document, through the console: a department at
 * read_only reads but gets no card, a tool switched off for a department is refused, and the
 * per-user limits (requests per minute, tool calls per turn, pending approvals) answer with the
 * limit, count on /healthz and are audited. Requests are counted by the database, so a burst of
 * concurrent turns (more than the pool's connections) lets exactly the limit through.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPolicyFile } from '../src/policies/policy.js';
import { cardOf, dbKinds, textOf } from './helpers/test-app.js';
import { auditRows, startPolicyApp, type PolicyApp } from './helpers/policy-app.js';

const shipped = fs.readFileSync(bundledPolicyFile, 'utf8');
const policy = shipped
  .replace(
    'rollout:\n  default: writes\n  departments: {}',
    'rollout:\n  default: writes\n  departments:\n    field-hangzhou: { stage: read_only }\n    cs-hangzhou: { stage: writes, tools: { sms.sendNotice: off } }',
  )
  .replace(/perUser: \{[^}]*\}/, 'perUser: { requestsPerMinute: 6, toolCallsPerTurn: 3, pendingApprovals: 2 }')
  // Notes may be approved by a manager of any department who sees the ticket, within 10 minutes.
  .replace(/\n    ticket\.addNote: .*/, '')
  .replace('  tools:\n    nms.acknowledgeAlarm:', '  tools:\n    ticket.addNote: { roles: [manager], departments: any, expiresInMinutes: 10 }\n    nms.acknowledgeAlarm:');

describe.each(await dbKinds())('governance from the policy document on %s', (kind) => {
  let t: PolicyApp;
  const audits = (action: string) => auditRows(t.app.db, action);

  beforeAll(async () => {
    expect(policy).toContain('ticket.addNote: { roles: [manager], departments: any, expiresInMinutes: 10 }');
    expect(policy).toContain('field-hangzhou: { stage: read_only }');
    t = await startPolicyApp(kind, policy, { DATABASE_POOL_SIZE: '3' });
  });
  afterAll(() => t?.close());

  it('a read-only department reads, and its writes are answered without a card', async () => {
    expect(textOf(await t.client.say('bob', '查端口 OLT-HZ-01 0/1/3'))).toContain('端口 OLT-HZ-01 0/1/3');
    const ack = await t.client.say('bob', '确认告警 ALM900001 已派人处理');
    expect(cardOf(ack)).toBeUndefined();
    expect(textOf(ack)).toBe('此操作尚未对你所在部门开放（nms.acknowledgeAlarm），未提交审批。');
    // A tool switched off for alice's department; its other writes still go to approval.
    const sms = await t.client.say('alice', 'send sms 13857101234 SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=18:00');
    expect(cardOf(sms)).toBeUndefined();
    expect(textOf(sms)).toBe('This is not enabled for your department yet (sms.sendNotice); nothing was sent for approval.');
    const denied = (await audits('tool.denied')).filter((r) => r.details.reason === 'rollout');
    expect(denied.map((r) => [r.actor, r.subject])).toEqual([
      ['bob', 'nms.acknowledgeAlarm'],
      ['alice', 'sms.sendNotice'],
    ]);
  });

  it("picks approvers and expiry by the tool's rule, and caps the approvals a requester may have pending", async () => {
    const first = await t.client.say('alice', '工单备注 T20261124-0012 用户已重启光猫');
    expect(textOf(first)).toContain('需 Carol 或 Dave 审批后执行');
    const row = await t.app.db.query<{ approver_ids: string[]; minutes: number }>(
      `SELECT approver_ids, extract(epoch FROM expires_at - created_at) / 60 AS minutes FROM approvals WHERE id = $1`,
      [cardOf(first)!.approvalId],
    );
    expect(row.rows[0]!.approver_ids.sort()).toEqual(['carol', 'dave']);
    expect(Math.round(Number(row.rows[0]!.minutes))).toBe(10);
    expect(cardOf(await t.client.say('alice', '工单备注 T20261124-0013 已电话回访'))).toBeDefined();
    const third = await t.client.say('alice', '工单备注 T20261124-0014 第三条');
    expect(cardOf(third)).toBeUndefined();
    expect(textOf(third)).toContain('你已有 2 个待审批的申请');
    expect((await audits('rate.limited')).map((r) => r.details.limit)).toEqual(['user_pending']);
  });

  it('stops a turn at its tool-call limit and says so', async () => {
    const numbers = ['13857101234', '13900000001', '13900000002', '13900000003', '13900000004'];
    const reply = textOf(await t.client.say('dave', `批量查询号码状态 ${numbers.join(' ')}`));
    expect(reply.split('\n').at(-1)).toBe('这个请求需要的系统查询超过了单次上限（3 次），已停止，请缩小范围后重试。');
    expect(reply).not.toContain('批量查询完成');
    // The port query needs two calls: under the limit.
    expect(textOf(await t.client.say('dave', '查端口 OLT-HZ-01 0/1/3'))).toContain('端口 OLT-HZ-01 0/1/3');
  });

  it('lets exactly the per-minute limit through a burst of concurrent requests, answers the rest, and counts them', async () => {
    // Stay inside one minute window: wait out the last seconds of the current minute.
    const now = (await t.app.db.query<{ s: number }>(`SELECT extract(second FROM now())::float AS s`)).rows[0]!.s;
    if (now > 50) await new Promise((r) => setTimeout(r, (61 - now) * 1000));
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => t.client.say('carol', '查工单 T20261124-0013', `carol-burst-${i}`)));
    const texts = replies.map(textOf);
    expect(texts.filter((x) => x.includes('工单 T20261124-0013（')).length).toBe(6);
    expect(texts.filter((x) => x === '你的请求过于频繁（每分钟最多 6 条），这条消息没有处理，请稍后再发。').length).toBe(4);
    const health = await t.client.get('/healthz');
    expect(health.json.rateLimited).toEqual({ user_requests: 4, department_requests: 0, tool_calls: 1, user_pending: 1, department_pending: 0 });
    const limited = (await audits('rate.limited')).filter((r) => r.actor === 'carol');
    expect(limited).toHaveLength(4);
    // Each limited message is a run of its own, ended as denied.
    const runs = await t.app.db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM runs WHERE requester_id = 'carol' GROUP BY status ORDER BY status`);
    expect(runs.rows.map((r) => [r.status, Number(r.n)])).toEqual([
      ['denied', 4],
      ['succeeded', 6],
    ]);
  });
});
