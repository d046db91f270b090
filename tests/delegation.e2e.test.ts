/**
 * Delegation: an approver names a delegate until a time, from their own (verified) console
 * session; while it holds, the delegate also approves what would come to them — never their own
 * request, and only with the data in scope. Audited; refused for anyone who is not an approver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDirectory } from '../src/store/directory.js';
import { parseDirectoryText } from '../src/store/directory-file.js';
import { cardOf, createTestDatabase, dbKinds, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

describe.each(await dbKinds())('delegation on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
  const approversOf = async (id: string) => (await t.app.db.query<{ approver_ids: string[] }>('SELECT approver_ids FROM approvals WHERE id = $1', [id])).rows[0]!.approver_ids;
  const delegateAs = (user: string, delegate: string, until: string) => t.client.post('/console/api/delegations', { user, delegate, until });

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    t = await startTestApp({ ...db.env, DATABASE_POOL_SIZE: '3' });
    await applyDirectory(
      t.app.db,
      parseDirectoryText(
        'departments:\n  - { id: ops, name: { zh: 运维中心, en: Operations } }\npeople:\n  - { id: grace, name: Grace, roles: [manager], department: ops, regions: [hangzhou] }\n',
        'yaml',
        'people.yaml',
      ),
      { actor: 'cli:ops', source: 'people.yaml' },
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('adds the delegate to the approvers while the delegation holds, and they may decide', async () => {
    const set = await delegateAs('carol', 'grace', inHours(2));
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ delegate: { id: 'grace', name: 'Grace' } });
    expect((await t.client.get('/console/api/delegations?user=carol')).json).toMatchObject({ delegate: { id: 'grace' } });
    const asked = await t.client.say('alice', '工单备注 T20261124-0012 用户已重启光猫');
    expect(textOf(asked)).toContain('需 Carol 或 Grace 审批后执行');
    const id = cardOf(asked)!.approvalId!;
    expect(await approversOf(id)).toEqual(['carol', 'grace']);
    expect(await t.client.act('grace', id, 'approve')).toMatchObject({ status: 'approved' });
    const audit = await t.app.db.query<{ actor: string; details: { delegate: string } }>(`SELECT actor, details FROM audit_log WHERE action = 'approval.delegated'`);
    expect(audit.rows).toEqual([{ actor: 'carol', details: expect.objectContaining({ delegate: 'grace' }) }]);
  });

  it('never lets a delegate approve their own request', async () => {
    // Alice (no approver role) cannot be named; a delegation to a manager who is also the requester never covers their own request.
    expect((await delegateAs('carol', 'alice', inHours(1))).status).toBe(400);
    await fetch(`${t.app.url}/console/api/delegations?user=carol`, { method: 'DELETE' });
    const id = cardOf(await t.client.say('alice', '工单备注 T20261124-0013 已回访'))!.approvalId!;
    expect(await approversOf(id)).toEqual(['carol']);
    expect(await t.client.act('alice', id, 'approve')).toMatchObject({ status: 'refused', reason: 'self_approval' });
  });

  it('refuses a delegation by a non-approver, to oneself, to nobody, or for a bad period', async () => {
    expect((await delegateAs('alice', 'grace', inHours(1))).status).toBe(403);
    expect((await delegateAs('carol', 'carol', inHours(1))).status).toBe(400);
    expect((await delegateAs('carol', 'nobody', inHours(1))).status).toBe(400);
    expect((await delegateAs('carol', 'grace', inHours(-1))).status).toBe(400);
    expect((await delegateAs('carol', 'grace', inHours(24 * 40))).status).toBe(400);
    expect((await t.client.post('/console/api/delegations', { user: 'carol', delegate: 'grace', until: inHours(1), approver: 'dave' })).status).toBe(400);
  });

  it('ends when revoked', async () => {
    expect((await delegateAs('carol', 'grace', '2099-01-01 00:00')).status).toBe(400);
    expect((await delegateAs('carol', 'grace', inHours(3))).status).toBe(200);
    const res = await fetch(`${t.app.url}/console/api/delegations?user=carol`, { method: 'DELETE' });
    expect(await res.json()).toEqual({ revoked: true });
    const id = cardOf(await t.client.say('alice', '工单备注 T20261124-0014 第三次'))!.approvalId!;
    expect(await approversOf(id)).toEqual(['carol']);
  });

  it('is named from chat too, and covers what already waits: the delegate gets the card and may decide it', async () => {
    await t.client.say('carol', '取消委托');
    const waiting = cardOf(await t.client.say('alice', '工单备注 T20261124-0015 已上门'))!.approvalId!;
    expect(await approversOf(waiting)).toEqual(['carol']);
    const started = textOf(await t.client.say('carol', '委托审批给 grace 到明天18点'));
    expect(started).toContain('已委托 Grace 代你审批');
    expect(started).toMatch(/正在等你审批的 \d+ 个申请也已交由 Grace 审批/);
    expect(await approversOf(waiting)).toEqual(['carol', 'grace']);
    // Grace's own conversation holds the card, with the line saying why.
    const graceSees = (await t.client.get(`/console/api/approvals?user=grace`)).json as { approvals: { approvalId: string }[] };
    expect(graceSees.approvals.map((a) => a.approvalId)).toContain(waiting);
    const inbox = await t.client.transcript('console-grace');
    expect(inbox.some((m) => (m.text ?? '').includes('Carol 已委托你代为审批') && (m.text ?? '').includes('工单备注 T20261124-0015'))).toBe(true);
    expect(cardOf(inbox.filter((m) => m.kind === 'card' && m.approvalId === waiting))).toBeDefined();
    expect(textOf(await t.client.say('carol', '我的委托'))).toContain('Grace 代你审批');
    expect(await t.client.act('grace', waiting, 'approve')).toMatchObject({ status: 'approved' });
    const audit = await t.app.db.query<{ details: { pendingShared: string[] } }>(`SELECT details FROM audit_log WHERE action = 'approval.delegated' ORDER BY id DESC LIMIT 1`);
    expect(audit.rows[0]!.details.pendingShared).toContain(waiting);
    // A delegate never stands in on their own request, even one already waiting.
    const own = cardOf(await t.client.say('alice', '工单备注 T20261124-0016 复核'))!.approvalId!;
    expect(textOf(await t.client.say('carol', 'delegate approvals to alice until tomorrow 18:00'))).toBe('The delegate must be someone who can approve (such as a manager).');
    expect(await approversOf(own)).toEqual(['carol', 'grace']);
    // Only approvers delegate; the sender is the verified one.
    expect(textOf(await t.client.say('alice', '委托审批给 grace 到明天'))).toBe('只有审批人（如主管）可以委托审批。');
    expect(textOf(await t.client.say('carol', 'end delegation'))).toBe('Delegation ended: new requests come to you alone.');
    expect(textOf(await t.client.say('carol', '取消委托'))).toBe('你当前没有生效的委托。');
  });

  it('keeps one delegation active when an approver sets several at once (more than the pool has connections)', async () => {
    const results = await Promise.all(['grace', 'dave', 'grace', 'dave', 'grace', 'dave'].map((to) => delegateAs('carol', to, inHours(1))));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const active = await t.app.db.query(`SELECT 1 FROM delegations WHERE delegator_id = 'carol' AND revoked_at IS NULL AND ends_at > now()`);
    expect(active.rows).toHaveLength(1);
  });
});
