/**
 * Re-authentication for the top risk tier (policy approvals.*.reauthWithinMinutes): an approval
 * counts only from an approver whose sign-in at the identity provider is fresh enough. Tried with
 * a real OpenID Connect provider: a stale session is refused (and audited) and pointed to a fresh
 * sign-in, which the provider must really perform (prompt=login, max_age=0, auth_time checked);
 * then the same click approves. Rejecting needs none. A click without any sign-in time (a chat
 * platform, the demo console) is refused the same way. Both databases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPolicyFile } from '../src/policies/policy.js';
import { cardOf, createTestDatabase, dbKinds, startTestApp, type Reply, type TestApp, type TestDatabase } from './helpers/test-app.js';
import { auditRows, startPolicyApp, type PolicyApp } from './helpers/policy-app.js';
import { Browser, freePort, oidcConsoleEnv, startProvider } from './helpers/oidc.js';

const shipped = fs.readFileSync(bundledPolicyFile, 'utf8');
// Ticket notes: one manager, who must have signed in within the last 10 minutes.
const policy = shipped.replace(/\n    ticket\.addNote: .*/, '').replace('  tools:\n    nms.acknowledgeAlarm:', '  tools:\n    ticket.addNote: { roles: [manager], departments: same, reauthWithinMinutes: 10 }\n    nms.acknowledgeAlarm:');

const directory = {
  departments: [{ id: 'cs-hangzhou', name: { zh: '杭州客服中心', en: 'Hangzhou Customer Service' } }],
  principals: [
    { id: 'alice', name: 'Alice', roles: ['cs_agent'], department: 'cs-hangzhou', regions: ['hangzhou'] },
    { id: 'carol', name: 'Carol', roles: ['manager'], department: 'cs-hangzhou', regions: ['hangzhou'] },
  ],
  identities: [
    { channel: 'oidc', platformUserId: 'u-alice', principalId: 'alice' },
    { channel: 'oidc', platformUserId: 'u-carol', principalId: 'carol' },
  ],
};

describe.each(await dbKinds())('re-authentication for the top risk tier on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  let provider: { issuer: string; close(): Promise<void> };
  let base = '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-reauth-'));
  const status = async (id: string) => (await t.app.db.query<{ status: string }>('SELECT status FROM approvals WHERE id = $1', [id])).rows[0]!.status;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startProvider(`${base}/console/callback`);
    fs.writeFileSync(path.join(dir, 'directory.json'), JSON.stringify(directory));
    fs.writeFileSync(path.join(dir, 'policy.yaml'), policy);
    t = await startTestApp({
      ...db.env,
      ...oidcConsoleEnv(base, provider.issuer),
      DIRECTORY_FILE: path.join(dir, 'directory.json'),
      POLICY_FILE: path.join(dir, 'policy.yaml'),
      ...(kind === 'postgres' ? { DATABASE_POOL_SIZE: '3' } : {}),
    });
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const signedIn = async (who: string, start?: string) => {
    const b = new Browser();
    await b.login(base, who, start);
    const csrf = String((await b.api('GET', `${base}/console/api/session`)).json.csrfToken);
    return { b, csrf };
  };
  const ask = async (text: string) => {
    const alice = await signedIn('alice');
    const said = await alice.b.api('POST', `${base}/console/api/messages?wait=1`, { text }, alice.csrf);
    const card = cardOf(said.json.replies as Reply[]);
    expect(card, JSON.stringify(said.json)).toBeDefined();
    return card!;
  };
  // The controlled clock: Carol signed in at the provider an hour ago.
  const makeStale = () => t.app.db.query(`UPDATE console_sessions SET authenticated_at = now() - interval '1 hour' WHERE principal_id = 'carol'`);

  it('refuses a stale sign-in, sends the approver to sign in again, and then lets the same person approve', async () => {
    const card = await ask('工单备注 T20261124-0012 已回访');
    expect(JSON.stringify(card.card)).toContain('审批人须在 10 分钟内重新登录控制台');
    const carol = await signedIn('carol');
    await makeStale();
    const refused = await carol.b.api('POST', `${base}/console/api/actions?wait=1`, { approvalId: card.approvalId, decision: 'approve' }, carol.csrf);
    expect(refused.json).toMatchObject({ status: 'refused', reason: 'reauth_required' });
    expect(String(refused.json.message)).toContain('/console/login?reauth=1');
    expect(await status(card.approvalId!)).toBe('pending');
    expect((await auditRows(t.app.db, 'approval.refused')).some((r) => r.actor === 'carol' && r.details.reason === 'reauth_required')).toBe(true);

    // The fresh sign-in: the provider asks for the credentials again; the old session ends.
    const jar = carol.b;
    const again = await jar.login(base, 'carol', '/console/login?reauth=1');
    expect(again.url).toBe(`${base}/console`);
    expect(jar.credentialsTyped).toBe(1);
    // Without ?reauth=1 the provider's own session signs her in without asking.
    await new Browser().login(base, 'carol');
    expect((await jar.login(base, 'carol')).url).toBe(`${base}/console`);
    expect(jar.credentialsTyped).toBe(0);
    await jar.login(base, 'carol', '/console/login?reauth=1');
    expect(jar.credentialsTyped).toBe(1);
    const csrf = String((await jar.api('GET', `${base}/console/api/session`)).json.csrfToken);
    const logins = await auditRows(t.app.db, 'console.login');
    expect(logins.at(-1)).toMatchObject({ actor: 'carol', details: expect.objectContaining({ reauth: true }) });
    const approved = await jar.api('POST', `${base}/console/api/actions?wait=1`, { approvalId: card.approvalId, decision: 'approve' }, csrf);
    expect(approved.json).toMatchObject({ status: 'approved' });
    await t.app.agent.idle();
    expect(await status(card.approvalId!)).toBe('approved');
  });

  it('lets a stale sign-in reject (rejecting writes nothing)', async () => {
    const card = await ask('工单备注 T20261124-0013 已回访');
    const carol = await signedIn('carol');
    await makeStale();
    const rejected = await carol.b.api('POST', `${base}/console/api/actions?wait=1`, { approvalId: card.approvalId, decision: 'reject', comment: '不需要' }, carol.csrf);
    expect(rejected.json).toMatchObject({ status: 'rejected' });
  });
});

describe('re-authentication where no sign-in time exists (a chat click, the demo console)', () => {
  let t: PolicyApp;
  beforeAll(async () => {
    t = await startPolicyApp('pglite', policy);
  });
  afterAll(() => t?.close());

  it('refuses the approval and says where to sign in; the card says so before anyone clicks', async () => {
    const asked = await t.client.say('alice', '工单备注 T20261124-0012 已回访');
    const card = cardOf(asked)!;
    expect(JSON.stringify(card.card)).toContain('批准须重新登录');
    const res = await t.client.act('carol', card.approvalId!, 'approve');
    expect(res).toMatchObject({ status: 'refused', reason: 'reauth_required' });
    expect(res.message).toContain('请在控制台（/console/login?reauth=1）重新登录后，在控制台批准');
  });
});
