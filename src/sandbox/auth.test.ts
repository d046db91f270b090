import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSandboxApp, startSandbox } from './server.js';
import type { SandboxState } from './state.js';
import { field, form, login, resultOf } from '../../tests/helpers/sandbox-testkit.js';

describe('portal login', () => {
  let app: FastifyInstance;
  let state: SandboxState;
  let clock = Date.parse('2026-11-24T12:00:00Z');
  beforeEach(async () => {
    clock = Date.parse('2026-11-24T12:00:00Z');
    ({ app, state } = await buildSandboxApp({ now: () => new Date(clock) }));
  });
  afterEach(() => app.close());

  it.each([
    ['/crm/customers/C000123', '/crm/login'],
    ['/resource/ports/OLT-HZ-01/0/1/3', '/resource/login'],
    ['/nms/alarms?ne=OLT-HZ-01&object=0/1/3', '/nms/login'],
    ['/tickets/T20261124-0012', '/tickets/login'],
  ])('%s without a session redirects to %s with next=', async (url, loginPath) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(302);
    const loc = new URL(res.headers.location as string, 'http://x');
    expect(loc.pathname).toBe(loginPath);
    expect(loc.searchParams.get('next')).toBe(url);
  });

  it('logs in, sets an HttpOnly cookie scoped to the prefix, and lands on next', async () => {
    const page = await app.inject({ url: '/tickets/login?next=/tickets/T20261124-0012' });
    expect(page.body).toContain('<label for="f-username">用户名 Username</label>');
    expect(page.body).toContain('<label for="f-password">密码 Password</label>');
    expect(page.body).toContain('登录 Login</button>');
    const res = await app.inject({ method: 'POST', url: '/tickets/login', ...form({ username: 'rpa_bot', password: 'sandbox', next: '/tickets/T20261124-0012' }) });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/tickets/T20261124-0012');
    expect(res.headers['set-cookie']).toMatch(/^TKT_SESSION=[^;]+; Path=\/tickets; HttpOnly/);
    const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
    const detail = await app.inject({ url: '/tickets/T20261124-0012', headers: { cookie } });
    expect(detail.statusCode).toBe(200);
    expect(field(detail.body, 'ticket_id')).toBe('T20261124-0012');
  });

  it('wrong password: the login page again with an alert, and no cookie', async () => {
    const res = await app.inject({ method: 'POST', url: '/crm/login', ...form({ username: 'rpa_bot', password: 'nope', next: '/crm/customers' }) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toMatch(/role="alert"[^>]*>用户名或密码错误 \/ Wrong username or password/);
  });

  it('a session of one system does not open another', async () => {
    const crm = await login(app, '/crm');
    const res = await app.inject({ url: '/nms/alarms', headers: { cookie: crm.replace('CRM_SESSION', 'NMS_SESSION') } });
    expect(res.statusCode).toBe(302);
  });

  it('expires after 30 minutes idle, but not while in use', async () => {
    const cookie = await login(app, '/resource');
    const open = () => app.inject({ url: '/resource/ports', headers: { cookie } });
    clock += 29 * 60_000;
    expect((await open()).statusCode).toBe(200);
    clock += 29 * 60_000;
    expect((await open()).statusCode).toBe(200);
    clock += 31 * 60_000;
    const res = await open();
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toContain('expired=1');
    const loginPage = await app.inject({ url: res.headers.location as string });
    expect(resultOf(loginPage.body)).toBe('session_expired');
  });

  it('logout ends the session', async () => {
    const cookie = await login(app, '/nms');
    const out = await app.inject({ method: 'POST', url: '/nms/logout', headers: { cookie } });
    expect(out.statusCode).toBe(302);
    expect((await app.inject({ url: '/nms/alarms', headers: { cookie } })).statusCode).toBe(302);
  });

  it('refuses to redirect outside the system after login', async () => {
    for (const next of ['https://evil.example/', '//evil.example/', '/crm/customers', '/tickets/../crm']) {
      const res = await app.inject({ method: 'POST', url: '/tickets/login', ...form({ username: 'rpa_bot', password: 'sandbox', next }) });
      expect(res.headers.location).toBe('/tickets');
    }
  });

  it('fault injection: an unavailable system answers 503 while the others work', async () => {
    state.faults.nms.unavailable = true;
    const res = await app.inject({ url: '/nms/alarms' });
    expect(res.statusCode).toBe(503);
    expect(resultOf(res.body)).toBe('unavailable');
    expect((await app.inject({ url: '/crm/customers' })).statusCode).toBe(302);
  });

  it('serves health, the index and the admin JSON without login', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
    const index = await app.inject({ url: '/' });
    for (const href of ['/crm/customers', '/resource/ports', '/nms/alarms', '/tickets']) expect(index.body).toContain(`href="${href}"`);
    expect((await app.inject({ url: '/admin/writes' })).json()).toEqual([]);
    expect((await app.inject({ url: '/admin/state/tickets/T20261124-0012' })).json()).toMatchObject({ id: 'T20261124-0012', version: 1 });
    expect((await app.inject({ url: '/admin/state/tickets/T19990101-0001' })).statusCode).toBe(404);
  });
});

describe('startSandbox', () => {
  it('listens on a random loopback port and serves real HTTP with cookies', async () => {
    const sb = await startSandbox({ port: 0 });
    try {
      expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const first = await fetch(`${sb.url}/crm/customers/C000123`, { redirect: 'manual' });
      expect(first.status).toBe(302);
      const res = await fetch(`${sb.url}/crm/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'rpa_bot', password: 'sandbox', next: '/crm/customers/C000123' }),
      });
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const page = await fetch(`${sb.url}${res.headers.get('location')}`, { headers: { cookie } });
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(field(await page.text(), 'mobile')).toBe('13857101234');
    } finally {
      await sb.close();
    }
  });
});
