/**
 * The pending-approval cap holds when one requester proposes many writes at the same instant
 * (more at once than the pool has connections): proposals of one requester are decided one at a
 * time, so exactly the cap gets a card and the rest are told why.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPolicyFile } from '../src/policies/policy.js';
import { cardOf, dbKinds, textOf } from './helpers/test-app.js';
import { startPolicyApp, type PolicyApp } from './helpers/policy-app.js';

describe.each(await dbKinds())('pending-approval cap under a burst on %s', (kind) => {
  let t: PolicyApp;

  beforeAll(async () => {
    const policy = fs.readFileSync(bundledPolicyFile, 'utf8').replace(/perUser: \{[^}]*\}/, 'perUser: { requestsPerMinute: 100, toolCallsPerTurn: 100, pendingApprovals: 2 }');
    expect(policy).toContain('pendingApprovals: 2 }');
    t = await startPolicyApp(kind, policy, { DATABASE_POOL_SIZE: '3' });
  });
  afterAll(() => t?.close());

  it('lets exactly the cap through six proposals at once', async () => {
    const tickets = ['0012', '0013', '0014', '0015', '0016', '0017'];
    const replies = await Promise.all(tickets.map((n, i) => t.client.say('alice', `工单备注 T20261124-${n} 同时提交 ${i}`, `cap-${i}`)));
    expect(replies.filter((r) => cardOf(r)).length).toBe(2);
    expect(replies.filter((r) => textOf(r).includes('你已有 2 个待审批的申请')).length).toBe(4);
    const pending = await t.app.db.query<{ n: string }>(`SELECT count(*) AS n FROM approvals WHERE requester_id = 'alice' AND status = 'pending'`);
    expect(Number(pending.rows[0]!.n)).toBe(2);
  });
});
