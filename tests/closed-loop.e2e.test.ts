/**
 * The five user stories of the closed loop, end to end through the console API, on embedded
 * PGlite and on the local PostgreSQL server: real HTTP, real Chromium driving the sandbox portals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxState, Ticket } from '../src/sandbox/state.js';
import { verifyAuditChain } from '../src/store/audit.js';
import { auditProtection } from '../src/store/db-roles.js';
import { cardOf, createTestDatabase, dbKinds, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

const kinds = await dbKinds();

async function writesOf(t: TestApp): Promise<{ ticketId: string; idempotencyKey: string | null }[]> {
  return (await fetch(`${t.app.sandbox!.url}/admin/writes`)).json() as Promise<{ ticketId: string; idempotencyKey: string | null }[]>;
}

/** Open Hangzhou tickets that still miss a field (alice may see Hangzhou only). */
function incompleteTickets(t: TestApp, except: string[] = []): Ticket[] {
  const state = t.app.sandbox!.state as SandboxState;
  return state.tickets.filter(
    (tk) =>
      tk.region === 'hangzhou' &&
      (tk.status === 'open' || tk.status === 'in_progress') &&
      tk.customerId &&
      (tk.broadbandAccount === '' || tk.address === '') &&
      !except.includes(tk.id),
  );
}

async function auditActions(t: TestApp, action: string): Promise<{ actor: string; subject: string; details: Record<string, unknown> }[]> {
  const res = await t.app.db.query<{ actor: string; subject: string; details: Record<string, unknown> }>(
    'SELECT actor, subject, details FROM audit_log WHERE action = $1 ORDER BY id',
    [action],
  );
  return res.rows;
}

describe.each(kinds)('closed loop on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    // On PostgreSQL the app runs as a runtime role that cannot alter audit_log (migrations as the owner).
    db = await createTestDatabase(kind, { runtimeRole: true });
    t = await startTestApp(db.env);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('answers a port query in Chinese and in English from the portals', async () => {
    const zh = textOf(await t.client.say('bob', '查端口 OLT-HZ-01 0/1/3'));
    expect(zh).toContain('OLT-HZ-01 0/1/3');
    expect(zh).toMatch(/管理状态 up，运行状态 up/);
    expect(zh).toContain('ONU 5');
    expect(zh).toContain('-26.40 dBm（临界）');
    expect(zh).toContain('Dying gasp');
    expect(zh).toContain('ALM900001');
    expect(zh).toContain('ALM900002');
    expect(zh).not.toContain('ALM900003'); // cleared alarms are not active

    const en = textOf(await t.client.say('bob', 'port olt-hz-01 0/1/4'));
    expect(en).toContain('Port OLT-HZ-01 0/1/4');
    expect(en).toMatch(/Rx power -19\.85 dBm \(normal\)/);
    expect(en).toContain('No active alarms');

    const fault = textOf(await t.client.say('bob', 'port OLT-HZ-02 0/2/7'));
    expect(fault).toMatch(/Rx power — \(fault\)/);
    expect(fault).toContain('LOS');
  });

  it('tells plainly when a port does not exist or is outside the data scope', async () => {
    expect(textOf(await t.client.say('bob', '查端口 OLT-HZ-01 0/9/9'))).toContain('资源系统中没有端口 OLT-HZ-01 0/9/9');
    expect(textOf(await t.client.say('bob', 'port OLT-NB-01 0/1/1'))).toMatch(/Ningbo, outside your data scope/);
    const denied = await auditActions(t, 'data.out_of_scope');
    expect(denied.some((d) => d.actor === 'bob')).toBe(true);
  });

  it('handles a retried message once', async () => {
    const body = { user: 'bob', conversation: 'retry-test', text: 'port OLT-HZ-01 0/1/3', clientMessageId: 'retry-1' };
    const [a, b] = await Promise.all([
      t.client.post('/console/api/messages?wait=1', body),
      t.client.post('/console/api/messages?wait=1', body),
    ]);
    expect([a.json.duplicate, b.json.duplicate].sort()).toEqual([false, true]);
    const again = await t.client.post('/console/api/messages?wait=1', body);
    expect(again.json.duplicate).toBe(true);
    const transcript = await t.client.transcript('retry-test');
    expect(transcript.filter((m) => m.from === 'user')).toHaveLength(1);
    expect(transcript.filter((m) => m.from === 'bot')).toHaveLength(1);
    const runs = await t.app.db.query(`SELECT count(*)::int AS n FROM runs WHERE conversation_id = 'retry-test'`);
    expect(runs.rows[0]).toEqual({ n: 1 });
  });

  it('masks personal data in replies', async () => {
    const reply = textOf(await t.client.say('alice', '查工单 T20261124-0012'));
    expect(reply).toContain('138****1234');
    expect(reply).not.toContain('13857101234');
    expect(reply).toMatch(/缺失字段/);
  });

  it('runs a ticket completion through approval: card, refusals, one write, verified, every copy updated', async () => {
    const replies = await t.client.say('alice', '补全工单 T20261124-0012');
    const card = cardOf(replies)!;
    expect(card).toBeDefined();
    const approvalId = card.approvalId!;
    const fallback = String(card.card!.fallbackText);
    for (const value of ['hz81000123', '杭州市西湖区文三路 398 号 3 幢 2 单元 501', 'OLT-HZ-01 0/1/3', 'HWTC1A2B3C4D', 'Carol']) {
      expect(fallback).toContain(value);
    }
    expect(JSON.stringify(card.card)).toMatch(/过期时间/);
    expect(textOf(replies)).toContain('需 Carol 审批');

    // Carol sees it waiting for her, in her list and in her own conversation.
    const pending = (await t.client.get('/console/api/approvals?user=carol')).json.approvals as { approvalId: string }[];
    expect(pending.map((p) => p.approvalId)).toContain(approvalId);
    expect((await t.client.get('/console/api/approvals?user=dave')).json.approvals).toEqual([]);
    expect((await t.client.transcript('console-carol')).some((m) => m.approvalId === approvalId)).toBe(true);

    // Story 4: refusals, nothing executed, each attempt audited.
    const self = await t.client.act('alice', approvalId, 'approve');
    expect(self).toMatchObject({ status: 'refused', reason: 'self_approval' });
    expect(self.message).toContain('不能审批自己');
    expect(await t.client.act('bob', approvalId, 'approve')).toMatchObject({ status: 'refused', reason: 'not_manager' });
    expect(await t.client.act('dave', approvalId, 'approve')).toMatchObject({ status: 'refused', reason: 'not_approver' });
    expect(await writesOf(t)).toEqual([]);
    const refusals = (await auditActions(t, 'approval.refused')).filter((r) => r.subject === approvalId);
    expect(refusals.map((r) => [r.actor, r.details.reason])).toEqual([
      ['alice', 'self_approval'],
      ['bob', 'not_manager'],
      ['dave', 'not_approver'],
    ]);

    // Story 3: Carol approves; one write, read back, every copy says so.
    const approved = await t.client.act('carol', approvalId, 'approve');
    expect(approved.status).toBe('approved');
    const writes = (await writesOf(t)).filter((w) => w.ticketId === 'T20261124-0012');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.idempotencyKey).toBe(approvalId);

    const again = await t.client.act('carol', approvalId, 'approve');
    expect(again).toMatchObject({ status: 'refused', reason: 'already_decided' });
    expect(again.message).toMatch(/已由 Carol 于 .* 批准/);
    expect(await writesOf(t)).toHaveLength(1);

    for (const conversation of ['console-alice', 'console-carol']) {
      const copies = (await t.client.transcript(conversation)).filter((m) => m.approvalId === approvalId);
      expect(copies.length).toBeGreaterThan(0);
      for (const copy of copies) {
        const json = JSON.stringify(copy.card);
        // Written, not merely approved: the badge says so (issue 13).
        expect(json).toContain('"text":"已写入"');
        expect(json).toMatch(/已由 Carol 于 .* 批准/);
        expect(json).toContain('已写入并核验');
        expect(copy.card!.actions ?? []).toEqual([]);
      }
    }
    expect(textOf(await t.client.transcript('console-alice'))).toContain('已由 Carol 批准，已写入并核验');
    const ticket = (await (await fetch(`${t.app.sandbox!.url}/admin/state/tickets/T20261124-0012`)).json()) as Ticket;
    expect(ticket.broadbandAccount).toBe('hz81000123');
    expect(ticket.accessPort).toBe('OLT-HZ-01 0/1/3');

    // Completing it again finds nothing missing.
    expect(textOf(await t.client.say('alice', 'complete ticket T20261124-0012'))).toContain('has no missing fields');
  });

  it('rejects only with a reason, tells the requester, and writes nothing', async () => {
    const ticket = incompleteTickets(t, ['T20261124-0012'])[0]!;
    const card = cardOf(await t.client.say('alice', `complete ticket ${ticket.id}`))!;
    expect(card.card!.fallbackText).toContain('Carol');
    const noReason = await t.client.act('carol', card.approvalId!, 'reject', '  ');
    expect(noReason).toMatchObject({ status: 'refused', reason: 'comment_required' });
    const rejected = await t.client.act('carol', card.approvalId!, 'reject', 'Customer asked to wait until Monday');
    expect(rejected.status).toBe('rejected');
    expect(textOf(await t.client.transcript('console-alice'))).toContain('was rejected by Carol. Reason: Customer asked to wait until Monday');
    expect((await writesOf(t)).some((w) => w.ticketId === ticket.id)).toBe(false);
    const copy = (await t.client.transcript('console-alice')).find((m) => m.approvalId === card.approvalId)!;
    expect(JSON.stringify(copy.card)).toContain('Rejected');
  });

  it('refuses a click after expiry and tells the requester', async () => {
    const ticket = incompleteTickets(t, ['T20261124-0012'])[1]!;
    const card = cardOf(await t.client.say('alice', `补全工单 ${ticket.id}`))!;
    await t.app.db.query(`UPDATE approvals SET expires_at = now() - interval '1 second' WHERE id = $1`, [card.approvalId]);
    const late = await t.client.act('carol', card.approvalId!, 'approve');
    expect(late).toMatchObject({ status: 'refused', reason: 'expired' });
    expect((await writesOf(t)).some((w) => w.ticketId === ticket.id)).toBe(false);
    await t.app.agent.idle();
    await expect.poll(async () => textOf(await t.client.transcript('console-alice')), { timeout: 10_000 }).toContain('审批已过期，未执行任何写入');
    const copy = (await t.client.transcript('console-carol')).find((m) => m.approvalId === card.approvalId)!;
    expect(JSON.stringify(copy.card)).toContain('已过期');
  });

  it('lets exactly one of 20 simultaneous approve clicks win', async () => {
    const ticket = incompleteTickets(t, ['T20261124-0012'])[2]!;
    const card = cardOf(await t.client.say('alice', `complete ticket ${ticket.id}`))!;
    const clicks = await Promise.all(Array.from({ length: 20 }, () => t.client.act('carol', card.approvalId!, 'approve')));
    expect(clicks.filter((c) => c.status === 'approved')).toHaveLength(1);
    expect(clicks.filter((c) => c.status === 'refused' && c.reason === 'already_decided')).toHaveLength(19);
    await t.app.agent.idle();
    expect((await writesOf(t)).filter((w) => w.ticketId === ticket.id)).toHaveLength(1);
    const outbox = await t.app.db.query('SELECT status, attempts FROM outbox WHERE approval_id = $1', [card.approvalId]);
    expect(outbox.rows).toEqual([{ status: 'done', attempts: 1 }]);
  });

  it('rejects bad requests with a clear 4xx and keeps serving', async () => {
    const bad = [
      await t.client.post('/console/api/messages', '{"user": "bob", "text": '),
      await t.client.post('/console/api/messages', { user: 'bob' }),
      await t.client.post('/console/api/messages', { user: 'mallory', text: 'port OLT-HZ-01 0/1/3' }),
      await t.client.post('/console/api/messages', { user: 'bob', text: '查'.repeat(1400) }),
      await t.client.post('/console/api/actions', { user: 'carol', approvalId: 'x', decision: 'maybe' }),
    ];
    expect(bad.map((b) => b.status)).toEqual([400, 400, 403, 413, 400]);
    for (const b of bad) expect(typeof b.json.error).toBe('string');
    expect(bad[0]!.json.error).toMatch(/JSON/);
    expect(bad[1]!.json.error).toMatch(/text/);
    expect(bad[2]!.json.error).toMatch(/unknown user "mallory"/);
    const unknown = await t.client.act('carol', '00000000-0000-0000-0000-000000000000', 'approve');
    expect(unknown).toMatchObject({ status: 'refused', reason: 'not_found' });
    const health = await t.client.get('/healthz');
    expect(health.status).toBe(200);
    // The browser's memory against its bound, and the pages per system, for whoever runs the robot.
    const browser = health.json.browser as { memory: unknown; pages: Record<string, unknown> };
    expect(browser.memory).toMatchObject({ maxRssMb: expect.any(Number) });
    expect(browser.pages.resource).toMatchObject({ open: expect.any(Number), busy: 0 });
    expect(textOf(await t.client.say('bob', 'help'))).toContain('I can help with');
  });

  it('keeps an intact audit chain across everything above', async () => {
    // The app anchors its signed head under DATA_DIR (at intervals; here at once), and the
    // verifier checks the chain against it.
    expect(await t.app.auditAnchor.anchorNow()).toMatchObject({ lastSeq: expect.any(Number) });
    const verdict = await verifyAuditChain(t.app.db);
    expect(verdict.ok).toBe(true);
    expect(verdict.rows).toBeGreaterThan(20);
    expect(verdict.ok && verdict.anchors.checked).toBeGreaterThan(0);
    if (kind === 'postgres') expect(await auditProtection(t.app.db)).toMatchObject({ protected: true, role: db.runtimeRole });
  });
});
