/**
 * The data-scope holes measured on main (issue 10 §4), replayed through the console API with real
 * Chromium on the sandbox portals: each is refused, audited, answered in the request's language
 * without the out-of-scope data, and the legacy systems are left unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxState } from '../src/sandbox/state.js';
import { cardOf, createTestDatabase, dbKinds, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

const kinds = await dbKinds();
const NB_WORK_ORDER = 'W20261120-0003';

describe.each(kinds)('data scope through the console on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  const state = () => t.app.sandbox!.state as SandboxState;
  const audit = async (action: string) =>
    (await t.app.db.query<{ actor: string; subject: string; details: Record<string, unknown> }>('SELECT actor, subject, details FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows;
  const setRegions = async (id: string, regions: string[]) => {
    await t.app.db.query('UPDATE principals SET regions = $2 WHERE id = $1', [id, regions]);
    await t.app.directory.reload();
  };
  /** A Ningbo alarm nobody has acknowledged yet. */
  const ningboAlarm = (skip: string[] = []) => state().alarms.find((a) => a.ne.startsWith('OLT-NB-') && !a.acknowledged && !skip.includes(a.id))!;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    t = await startTestApp(db.env);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('bob (Hangzhou) listing Ningbo alarms is refused before the NMS is asked, and audited', async () => {
    const nbAlarms = state().alarms.filter((a) => a.ne === 'OLT-NB-01');
    expect(nbAlarms.length).toBeGreaterThan(0);
    const reply = textOf(await t.client.say('bob', 'alarms OLT-NB-01'));
    expect(reply).toMatch(/Ningbo, outside your data scope/);
    for (const a of nbAlarms) expect(reply).not.toContain(a.id);
    const zh = textOf(await t.client.say('bob', '查告警 OLT-NB-01'));
    expect(zh).toContain('宁波');
    expect(zh).toContain('不在你的数据权限范围内');
    const denied = (await audit('data.out_of_scope')).filter((d) => d.actor === 'bob' && d.subject === 'nms.listAlarms');
    expect(denied).toHaveLength(2);
    expect(denied[0]!.details).toMatchObject({ phase: 'input', reason: 'out_of_scope', owners: ['region:ningbo'] });
    const calls = await t.app.db.query<{ status: string; attempts: number; output: unknown }>(`SELECT status, attempts, output FROM tool_calls WHERE tool = 'nms.listAlarms'`);
    expect(calls.rows.every((c) => c.status === 'business_error' && c.attempts === 0 && c.output === null)).toBe(true);
  });

  it(`bob and alice (Hangzhou) reading the Ningbo work order ${NB_WORK_ORDER} get a refusal without its contents`, async () => {
    const wo = state().workOrders.find((w) => w.id === NB_WORK_ORDER)!;
    expect(wo.region).toBe('ningbo');
    for (const user of ['bob', 'alice']) {
      const reply = textOf(await t.client.say(user, `show work order ${NB_WORK_ORDER}`));
      expect(reply).toMatch(/Ningbo, outside your data scope/);
      expect(reply).not.toContain(wo.address);
      expect(reply).not.toContain(wo.team);
    }
    const denied = (await audit('data.out_of_scope')).filter((d) => d.subject === 'workorder.get');
    expect(denied.map((d) => d.actor).sort()).toEqual(['alice', 'bob']);
    expect(denied[0]!.details).toMatchObject({ phase: 'output', owners: ['region:ningbo'] });
    // The refused read leaves no copy of the record in tool_calls.
    const calls = await t.app.db.query<{ status: string; output: unknown }>(`SELECT status, output FROM tool_calls WHERE tool = 'workorder.get'`);
    expect(calls.rows).toEqual([{ status: 'business_error', output: null }, { status: 'business_error', output: null }]);
    // Nor a screenshot of the page that showed it.
    const evidence = await t.app.db.query<{ evidence: { files: string[]; steps: { step: string }[] } }>(`SELECT evidence FROM tool_calls WHERE tool = 'workorder.get'`);
    for (const row of evidence.rows) {
      expect(row.evidence.files).toEqual([]);
      expect(row.evidence.steps.map((s) => s.step)).toContain("no screenshot: the page holds data outside the caller's scope");
    }
  });

  it('bob proposing to acknowledge a Ningbo alarm gets no card, and the NMS is unchanged', async () => {
    const alarm = ningboAlarm();
    const replies = await t.client.say('bob', `ack alarm ${alarm.id}`);
    expect(cardOf(replies)).toBeUndefined();
    expect(textOf(replies)).toMatch(/Ningbo, outside your data scope/);
    const approvals = await t.app.db.query(`SELECT id FROM approvals WHERE tool = 'nms.acknowledgeAlarm'`);
    expect(approvals.rows).toHaveLength(0);
    expect(state().alarms.find((a) => a.id === alarm.id)!.acknowledged).toBe(false);
  });

  it('a Hangzhou manager cannot approve a Ningbo write, and a requester who lost the region cannot have it executed', async () => {
    // Bob covers Ningbo for a while, his manager Dave does not: nobody could approve, no card.
    await setRegions('bob', ['hangzhou', 'ningbo']);
    const alarm = ningboAlarm();
    const none = await t.client.say('bob', `ack alarm ${alarm.id}`);
    expect(cardOf(none)).toBeUndefined();
    expect(textOf(none)).toMatch(/No manager of your department has Ningbo in their data scope/);
    // Dave covers Ningbo too: bob proposes, and the card goes to Dave.
    await setRegions('dave', ['hangzhou', 'ningbo']);
    const card = cardOf(await t.client.say('bob', `ack alarm ${alarm.id}`))!;
    expect(card.approvalId).toBeDefined();
    const row = await t.app.db.query<{ approver_ids: string[]; target_scope: unknown }>('SELECT approver_ids, target_scope FROM approvals WHERE id = $1', [card.approvalId]);
    expect(row.rows[0]).toEqual({ approver_ids: ['dave'], target_scope: [{ kind: 'region', id: 'ningbo' }] });

    // Dave is back to Hangzhou only before he clicks: refused, audited, still pending, NMS unchanged.
    await setRegions('dave', ['hangzhou']);
    const refused = await t.client.act('dave', card.approvalId!, 'approve');
    expect(refused).toMatchObject({ status: 'refused', reason: 'out_of_scope' });
    expect(refused.message).toMatch(/Ningbo, outside your data scope/);
    const audited = (await audit('approval.refused')).filter((a) => a.subject === card.approvalId);
    expect(audited).toEqual([expect.objectContaining({ actor: 'dave', details: expect.objectContaining({ reason: 'out_of_scope' }) })]);
    const status = await t.app.db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [card.approvalId]);
    expect(status.rows[0]!.status).toBe('pending');
    expect(state().alarms.find((a) => a.id === alarm.id)!.acknowledged).toBe(false);

    // Dave covers Ningbo again, but now bob has lost it: the approval is spent, nothing is written.
    await setRegions('dave', ['hangzhou', 'ningbo']);
    await setRegions('bob', ['hangzhou']);
    const approved = await t.client.act('dave', card.approvalId!, 'approve');
    expect(approved.status).toBe('approved');
    expect(state().alarms.find((a) => a.id === alarm.id)!.acknowledged).toBe(false);
    const failed = await t.app.db.query<{ status: string; error: string | null }>('SELECT status, error FROM outbox WHERE approval_id = $1', [card.approvalId]);
    expect(failed.rows[0]!.status).toBe('failed');
    expect(failed.rows[0]!.error).toMatch(/Ningbo|宁波/);
    const execDenied = (await audit('data.out_of_scope')).filter((d) => d.subject === card.approvalId);
    expect(execDenied[0]!.details).toMatchObject({ phase: 'execution', requester: 'bob', owners: ['region:ningbo'] });
    const calls = await t.app.db.query(`SELECT id FROM tool_calls WHERE tool = 'nms.acknowledgeAlarm'`);
    expect(calls.rows).toHaveLength(0);
    expect(textOf(await t.client.transcript('console-bob'))).toMatch(/no longer change data of Ningbo/);
    await setRegions('dave', ['hangzhou']);
  });
});
