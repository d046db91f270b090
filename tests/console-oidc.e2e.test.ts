/**
 * The console behind a real OpenID Connect login: a real provider (oidc-provider, in-process on a
 * random loopback port, with its development login and consent pages), the real openid-client
 * code path in the app, and a browser-like HTTP client (cookie jar, redirects followed by hand,
 * the provider's forms posted). Then the console API as the logged-in person, tried as an attacker
 * would: a body `user`, missing or wrong CSRF tokens, an unknown subject, a reused cookie after
 * logout, the operations endpoints by role. Both databases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../src/tools/browser-pool.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, createTestDatabase, dbKinds, startTestApp, textOf, type Reply, type TestApp, type TestDatabase } from './helpers/test-app.js';
import { Browser, freePort, oidcConsoleEnv, startProvider } from './helpers/oidc.js';

const kinds = await dbKinds();

const directory = {
  departments: [{ id: 'cs-hangzhou', name: { zh: '杭州客服中心', en: 'Hangzhou Customer Service' } }, { id: 'audit', name: { zh: '稽核部', en: 'Audit' } }],
  principals: [
    { id: 'alice', name: 'Alice', roles: ['cs_agent'], department: 'cs-hangzhou', regions: ['hangzhou'] },
    { id: 'carol', name: 'Carol', roles: ['manager'], department: 'cs-hangzhou', regions: ['hangzhou'] },
    { id: 'erin', name: 'Erin', roles: ['auditor'], department: 'audit', regions: ['*'] },
  ],
  identities: [
    { channel: 'oidc', platformUserId: 'u-alice', principalId: 'alice' },
    { channel: 'oidc', platformUserId: 'u-carol', principalId: 'carol' },
    { channel: 'oidc', platformUserId: 'u-erin', principalId: 'erin' },
  ],
};

describe.each(kinds)('console behind OpenID Connect on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  let provider: { issuer: string; close(): Promise<void> };
  let base = '';
  const audit = async (action: string) =>
    (await t.app.db.query<{ actor: string; subject: string }>('SELECT actor, subject FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = await startProvider(`${base}/console/callback`);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sb-dir-')), 'directory.json');
    fs.writeFileSync(file, JSON.stringify(directory));
    t = await startTestApp({
      ...db.env,
      ...oidcConsoleEnv(base, provider.issuer),
      DIRECTORY_FILE: file,
      ...(kind === 'postgres' ? { DATABASE_POOL_SIZE: '3' } : {}),
    });
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
    await db?.drop();
  });

  it('lets nobody in without a session, and seeds no demo people', async () => {
    const anon = new Browser();
    const page = await anon.request(`${base}/console`);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/console/login');
    expect((await anon.request(`${base}/console/static/console.js`)).status).toBe(401);
    for (const p of ['/console/api/conversations/console-alice?user=alice', '/console/api/approvals?user=carol', '/console/api/session', '/api/kpis?user=carol', '/api/audit/verify?user=erin']) {
      expect((await anon.api('GET', `${base}${p}`)).status, p).toBe(401);
    }
    expect((await anon.api('POST', `${base}/console/api/messages`, { user: 'carol', text: 'help' })).status).toBe(401);
    expect((await anon.api('GET', `${base}/console/api/personas`)).status).toBe(404);
    const people = await t.app.db.query<{ id: string }>('SELECT id FROM principals ORDER BY id');
    expect(people.rows.map((r) => r.id)).toEqual(['alice', 'carol', 'erin']);
    // A callback without the login transaction cookie (or a forged one) opens nothing.
    const forged = await anon.request(`${base}/console/callback?code=abc&state=xyz`);
    expect(forged.status).toBe(400);
    expect(anon.cookieFor(base, '__Host-switchboard-session')).toBeUndefined();
  });

  it('logs in through the provider, with HttpOnly, Secure, SameSite cookies; the session, not the body, says who', async () => {
    const alice = new Browser();
    const landed = await alice.login(base, 'alice');
    expect(landed.url).toBe(`${base}/console`);
    expect(landed.res.status).toBe(200);
    expect(await landed.res.text()).toContain('Switchboard');
    const ours = alice.setCookies.filter((c) => c.startsWith('__Host-switchboard-'));
    expect(ours.length).toBeGreaterThanOrEqual(2);
    for (const c of ours) {
      expect(c).toMatch(/;\s*HttpOnly/i);
      expect(c).toMatch(/;\s*Secure/i);
      expect(c).toMatch(/;\s*SameSite=(Lax|Strict)/i);
      expect(c).toMatch(/;\s*Path=\//);
    }
    const session = await alice.api('GET', `${base}/console/api/session`);
    expect(session.status).toBe(200);
    expect(session.json).toMatchObject({ mode: 'oidc', user: { id: 'alice', roles: ['cs_agent'] } });
    const csrf = String(session.json.csrfToken);

    // She claims to be Carol in the body: ignored; the turn is hers, in her conversation.
    const said = await alice.api('POST', `${base}/console/api/messages?wait=1`, { user: 'carol', text: 'help' }, csrf);
    expect(said.status).toBe(200);
    expect(said.json.conversation).toBe('console-alice');
    expect(textOf(said.json.replies as Reply[])).toContain('I can help with');
    const rows = await t.app.db.query('SELECT user_id FROM console_messages WHERE sender = $1 AND conversation_id = $2', ['user', 'console-alice']);
    expect(rows.rows).toEqual([{ user_id: 'alice' }]);
    // ?user= is ignored too: she cannot read Carol's conversation by naming her.
    expect((await alice.api('GET', `${base}/console/api/conversations/console-carol?user=carol`)).status).toBe(403);
    expect((await alice.api('GET', `${base}/console/api/conversations/console-alice`)).status).toBe(200);
  });

  it('refuses state-changing requests without the right CSRF token, and audits it', async () => {
    const alice = new Browser();
    await alice.login(base, 'alice');
    const before = (await audit('csrf.refused')).length;
    const missing = await alice.api('POST', `${base}/console/api/messages`, { text: 'help' });
    expect(missing.status).toBe(403);
    expect(String(missing.json.error)).toMatch(/CSRF/);
    const wrong = await alice.api('POST', `${base}/console/api/messages`, { text: 'help' }, 'not-the-token');
    expect(wrong.status).toBe(403);
    // Another session's token is a wrong token.
    const erin = new Browser();
    await erin.login(base, 'erin');
    const erinToken = String((await erin.api('GET', `${base}/console/api/session`)).json.csrfToken);
    expect((await alice.api('POST', `${base}/console/api/actions`, { approvalId: 'x', decision: 'approve' }, erinToken)).status).toBe(403);
    expect((await alice.api('POST', `${base}/console/logout`, undefined)).status).toBe(403);
    const rows = (await audit('csrf.refused')).slice(before);
    expect(rows.map((r) => r.actor)).toEqual(['alice', 'alice', 'alice', 'alice']);
    // Nothing was handled: no inbox event from any of them.
    const handled = await t.app.db.query(`SELECT count(*)::int AS n FROM inbox WHERE channel = 'console' AND conversation_id = 'console-alice'`);
    expect(handled.rows[0]).toEqual({ n: 1 }); // the one "help" of the previous test
  });

  it('answers an unknown subject with a 403 page and an audit row, and no session', async () => {
    const mallory = new Browser();
    const landed = await mallory.login(base, 'mallory');
    expect(landed.url.startsWith(`${base}/console/callback`)).toBe(true);
    expect(landed.res.status).toBe(403);
    expect(await landed.res.text()).toMatch(/not enrolled/);
    expect(mallory.cookieFor(base, '__Host-switchboard-session')).toBeUndefined();
    expect((await mallory.api('GET', `${base}/console/api/session`)).status).toBe(401);
    expect((await audit('identity.unknown')).map((r) => r.actor)).toContain('oidc:u-mallory');
  });

  it('opens the operations endpoints by role, whatever the query names', async () => {
    const [alice, carol, erin] = [new Browser(), new Browser(), new Browser()];
    await Promise.all([alice.login(base, 'alice'), carol.login(base, 'carol'), erin.login(base, 'erin')]);
    expect((await alice.api('GET', `${base}/api/kpis?user=carol`)).status).toBe(403);
    expect((await carol.api('GET', `${base}/api/kpis`)).status).toBe(200);
    expect((await carol.api('GET', `${base}/api/audit/verify?user=erin`)).status).toBe(403);
    const verdict = await erin.api('GET', `${base}/api/audit/verify`);
    expect(verdict.status).toBe(200);
    expect(verdict.json.ok).toBe(true);
    expect((await audit('access.refused')).map((r) => [r.actor, r.subject])).toEqual(
      expect.arrayContaining([
        ['alice', '/api/kpis'],
        ['carol', '/api/audit/verify'],
      ]),
    );
  });

  // The write flow drives Chromium (slow); once is enough, the session code is the same on both.
  it.runIf(kind === kinds[0])("approves only as the logged-in manager: Alice posting Carol's name cannot approve her own write", async () => {
    const [alice, carol] = [new Browser(), new Browser()];
    await Promise.all([alice.login(base, 'alice'), carol.login(base, 'carol')]);
    const aliceCsrf = String((await alice.api('GET', `${base}/console/api/session`)).json.csrfToken);
    const carolCsrf = String((await carol.api('GET', `${base}/console/api/session`)).json.csrfToken);
    const asked = await alice.api('POST', `${base}/console/api/messages?wait=1`, { text: '补全工单 T20261124-0012' }, aliceCsrf);
    const card = cardOf(asked.json.replies as Reply[]);
    expect(card?.approvalId).toBeTruthy();
    const forged = await alice.api('POST', `${base}/console/api/actions?wait=1`, { user: 'carol', approvalId: card!.approvalId, decision: 'approve' }, aliceCsrf);
    expect(forged.status).toBe(200);
    expect(forged.json).toMatchObject({ status: 'refused', reason: 'self_approval' });
    const approved = await carol.api('POST', `${base}/console/api/actions?wait=1`, { approvalId: card!.approvalId, decision: 'approve' }, carolCsrf);
    expect(approved.json.status).toBe('approved');
    const decided = await t.app.db.query('SELECT status, decided_by FROM approvals WHERE id = $1', [card!.approvalId]);
    expect(decided.rows[0]).toMatchObject({ status: 'approved', decided_by: 'carol' });
  });

  // The page itself in a real browser: the provider's forms, the page as the logged-in person
  // (persona picker locked), a turn whose POST carries the CSRF header, logout.
  it.runIf(kind === kinds[0])('works in a real browser from the login form to logout', async () => {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
    try {
      const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
      page.setDefaultTimeout(15_000);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${base}/console`);
      await page.fill('input[name=login]', 'u-carol');
      await page.fill('input[name=password]', 'any');
      await page.click('button[type=submit]');
      await page.click('button[type=submit]'); // the consent page's "Continue"
      await page.waitForURL(`${base}/console`);
      await page.waitForFunction(() => document.querySelector('[data-testid=conversation]')?.textContent === 'console-carol');
      expect(await page.getByTestId('persona').isDisabled()).toBe(true);
      await page.getByTestId('composer').fill('help');
      await page.getByTestId('send').click();
      await expect.poll(async () => (await page.getByTestId('transcript').textContent()) ?? '', { timeout: 15_000 }).toContain('I can help with');
      await page.getByTestId('logout').click();
      await page.waitForURL((u) => u.href.startsWith(provider.issuer));
      expect(errors).toEqual([]);
      const after = await fetch(`${base}/console/api/session`, { headers: { cookie: (await page.context().cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ') } });
      expect(after.status).toBe(401);
    } finally {
      await browser.close();
    }
  });

  it('ends the session at logout, even for a copy of the cookie', async () => {
    const carol = new Browser();
    await carol.login(base, 'carol');
    const csrf = String((await carol.api('GET', `${base}/console/api/session`)).json.csrfToken);
    const stolen = carol.cookieFor(base, '__Host-switchboard-session')!;
    const out = await carol.api('POST', `${base}/console/logout`, undefined, csrf);
    expect(out.status).toBe(200);
    expect(String(out.json.redirect).startsWith(provider.issuer)).toBe(true); // the provider's end-session endpoint
    expect(carol.cookieFor(base, '__Host-switchboard-session')).toBeUndefined();
    expect((await carol.api('GET', `${base}/console/api/session`)).status).toBe(401);
    const replay = new Browser();
    replay.jar.set(new URL(base).host, new Map([['__Host-switchboard-session', stolen]]));
    expect((await replay.api('GET', `${base}/console/api/session`)).status).toBe(401);
    expect((await replay.request(`${base}/console`)).status).toBe(302);
    expect((await audit('console.logout')).map((r) => r.actor)).toContain('carol');
  });
});
