/**
 * Directory changes in a running app (issue 12, "People"), through the console API: someone
 * imported is served at once, a leaver's message is answered "not enrolled", and an approver
 * disabled while a request waits for them can no longer decide it (until enabled again).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SandboxState, Ticket } from '../src/sandbox/state.js';
import { applyDirectory, setPrincipalActive } from '../src/store/directory.js';
import { parseDirectoryText } from '../src/store/directory-file.js';
import { seedTeamsAadObjectIds } from '../src/policies/principals.js';
import { cardOf, createTestDatabase, dbKinds, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

const kinds = await dbKinds();

function incompleteTicket(t: TestApp, except: string[] = []): Ticket {
  const state = t.app.sandbox!.state as SandboxState;
  return state.tickets.find(
    (tk) => tk.region === 'hangzhou' && (tk.status === 'open' || tk.status === 'in_progress') && tk.customerId && (tk.broadbandAccount === '' || tk.address === '') && !except.includes(tk.id),
  )!;
}

async function writtenTickets(t: TestApp): Promise<string[]> {
  return ((await (await fetch(`${t.app.sandbox!.url}/admin/writes`)).json()) as { ticketId: string }[]).map((w) => w.ticketId);
}

describe.each(kinds)('directory changes in a running app on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  const ops = { actor: 'cli:ops' };
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    t = await startTestApp(db.env);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('serves a person imported while it runs, at once', async () => {
    const refused = await t.client.post('/console/api/messages?wait=1', { user: 'wang.li', text: 'help' });
    expect(refused.status).toBe(403);
    await applyDirectory(
      t.app.db,
      parseDirectoryText('people:\n  - { id: wang.li, name: 王丽, roles: [cs_agent], department: cs-hangzhou, regions: [hangzhou], language: en }\n', 'yaml', 'people.yaml'),
      { ...ops, source: 'people.yaml' },
    );
    expect(textOf(await t.client.say('wang.li', 'help'))).not.toMatch(/not enrolled|尚未开通/);
    expect(t.app.directory.get('wang.li')).toMatchObject({ language: 'en', active: true });
    // /healthz shows the version served, and whether changes are heard at once (PostgreSQL) or polled.
    await vi.waitFor(async () => {
      const health = (await t.client.get('/healthz')).json.directory as { version: string; listening: boolean };
      expect(health).toMatchObject({ version: t.app.directory.version.toString(), listening: kind === 'postgres' });
    });
  });

  it("answers a leaver's message as not enrolled, on the console and in the agent", async () => {
    expect(textOf(await t.client.say('bob', 'help'))).not.toMatch(/尚未开通/);
    await setPrincipalActive(t.app.db, 'bob', false, { ...ops, reason: 'left' });
    const viaConsole = await t.client.post('/console/api/messages?wait=1', { user: 'bob', text: 'help' });
    expect(viaConsole.status).toBe(403);
    expect(String(viaConsole.json.error)).toContain('not enrolled in the directory');
    // A message that reaches the agent anyway (a queued event, another channel) is answered "not enrolled" and audited.
    const turn = await t.app.agent.handleMessage({ channel: 'console', conversationId: 'console-bob', messageId: 'leaver-1', sender: { channel: 'console', id: 'bob' }, text: '查端口 OLT-HZ-01 0/1/3', receivedAt: new Date() });
    expect(turn).toMatchObject({ runId: null, sent: [expect.anything()] });
    const unknown = await t.app.db.query<{ actor: string }>("SELECT actor FROM audit_log WHERE action = 'identity.unknown' AND actor IN ('console:bob') ORDER BY id");
    expect(unknown.rows.length).toBeGreaterThanOrEqual(2);
    // Their Teams identity resolves to nobody either.
    expect(t.app.directory.byPlatformUser('teams', seedTeamsAadObjectIds.bob!)).toBeUndefined();
  });

  it('an approver who leaves can no longer decide the requests waiting for them; enabled again, they can', async () => {
    const ticket = incompleteTicket(t);
    const card = cardOf(await t.client.say('alice', `补全工单 ${ticket.id}`))!;
    expect(card?.approvalId).toBeDefined();
    const approvalId = card.approvalId!;

    await setPrincipalActive(t.app.db, 'carol', false, { ...ops, reason: 'left' });
    // The console refuses her outright, her pending list included.
    const click = await t.client.post('/console/api/actions?wait=1', { user: 'carol', approvalId, decision: 'approve' });
    expect(click.status).toBe(403);
    expect(String(click.json.error)).toContain('not enrolled');
    expect((await t.client.get('/console/api/approvals?user=carol')).status).toBe(403);
    // A click from her Teams identity reaches the agent and is refused as not enrolled.
    const decided = await t.app.agent.decide({ channel: 'teams', conversationId: 'c', messageId: 'click-1', actor: { channel: 'teams', id: seedTeamsAadObjectIds.carol! }, approvalId, decision: 'approve' });
    expect(decided).toMatchObject({ status: 'refused', reason: 'not_enrolled' });
    const row = await t.app.db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [approvalId]);
    expect(row.rows[0]!.status).toBe('pending');

    await setPrincipalActive(t.app.db, 'carol', true, ops);
    const approved = await t.client.act('carol', approvalId, 'approve');
    expect(approved.status).toBe('approved');
    expect(await writtenTickets(t)).toContain(ticket.id);
  });

  it("a requester who leaves: their approved write is refused before it runs", async () => {
    const ticket = incompleteTicket(t, await writtenTickets(t));
    const card = cardOf(await t.client.say('alice', `补全工单 ${ticket.id}`))!;
    await setPrincipalActive(t.app.db, 'alice', false, { ...ops, reason: 'left' });
    const approved = await t.client.act('carol', card.approvalId!, 'approve');
    expect(approved.status).toBe('approved');
    expect(await writtenTickets(t)).not.toContain(ticket.id);
    const outbox = await t.app.db.query<{ status: string }>('SELECT status FROM outbox WHERE approval_id = $1', [card.approvalId]);
    expect(outbox.rows[0]?.status).toBe('failed');
  });
});
