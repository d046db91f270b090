/** The JSON-API systems (risk service, SMS gateway): bearer-token login, fault hooks, routes; and the CRM number status page. */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultController } from './faults.js';
import { RISK_DEMO, SMS_TEMPLATES } from './seed-risk-sms.js';
import { buildSandboxApp } from './server.js';
import type { SandboxState } from './state.js';
import { decodeHtml, field, login, resultOf } from '../../tests/helpers/sandbox-testkit.js';

let app: FastifyInstance;
let state: SandboxState;
let faults: FaultController;
let clock = Date.parse('2026-11-24T12:00:00Z');
beforeEach(async () => {
  clock = Date.parse('2026-11-24T12:00:00Z');
  ({ app, state, faults } = await buildSandboxApp({ now: () => new Date(clock) }));
});
afterEach(() => app.close());

async function token(prefix: '/sms' | '/risk'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: `${prefix}/api/login`, payload: { username: 'rpa_bot', password: 'sandbox' } });
  expect(res.statusCode).toBe(200);
  return (res.json() as { token: string }).token;
}
const get = (url: string, tok?: string) => app.inject({ url, headers: tok ? { authorization: `Bearer ${tok}` } : {} });
const customer = (id: string) => state.customers.find((c) => c.id === id)!;

describe('API login (sms, risk)', () => {
  it('answers a bearer token, and every other route wants it', async () => {
    const login = await app.inject({ method: 'POST', url: '/risk/api/login', payload: { username: 'rpa_bot', password: 'sandbox' } });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual({ token: expect.any(String), expiresInSeconds: 1800 });
    const tok = (login.json() as { token: string }).token;
    expect((await get('/risk/api/health', tok)).json()).toEqual({ ok: true });

    const none = await get('/risk/api/health');
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: 'unauthorized' });
    expect((await get('/risk/api/health', 'made-up')).json()).toEqual({ error: 'unauthorized' });
    // A risk token does not open the SMS gateway.
    expect((await get('/sms/api/templates', tok)).statusCode).toBe(401);
    // No redirect to an HTML login page, unlike the portals.
    expect(none.headers.location).toBeUndefined();
  });

  it('refuses wrong credentials and malformed logins', async () => {
    const bad = await app.inject({ method: 'POST', url: '/sms/api/login', payload: { username: 'rpa_bot', password: 'nope' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual({ error: 'invalid_credentials' });
    const empty = await app.inject({ method: 'POST', url: '/sms/api/login', payload: {} });
    expect(empty.statusCode).toBe(400);
  });

  it('a dropped or idle token answers session_expired', async () => {
    const tok = await token('/sms');
    faults.set({ system: 'sms', expireSessions: true, sessionExpiryRate: 0 });
    const dropped = await get('/sms/api/templates', tok);
    expect(dropped.statusCode).toBe(401);
    expect(dropped.json()).toEqual({ error: 'session_expired' });
    faults.reset('sms');

    const tok2 = await token('/sms');
    clock += 31 * 60_000;
    expect((await get('/sms/api/templates', tok2)).json()).toEqual({ error: 'session_expired' });
    // A fresh login works again.
    expect((await get('/sms/api/templates', await token('/sms'))).statusCode).toBe(200);
  });

  it('fault hooks apply to API paths: errors, maintenance, per-request session loss', async () => {
    const tok = await token('/risk');
    faults.set({ system: 'risk', errorRate: 1 });
    expect((await get('/risk/api/health', tok)).statusCode).toBe(500);
    faults.set({ system: 'risk', errorRate: 0, unavailable: true });
    expect((await get('/risk/api/health', tok)).statusCode).toBe(503);
    faults.set({ system: 'risk', unavailable: false, expireSessions: true, sessionExpiryRate: 1 });
    const tok2 = await token('/risk');
    expect((await get('/risk/api/health', tok2)).json()).toEqual({ error: 'session_expired' });
    // Other systems are untouched.
    expect((await get('/sms/api/templates', await token('/sms'))).statusCode).toBe(200);
  });
});

describe('risk service: GET /risk/api/blacklist', () => {
  it('C000123 is clean: no hits, risk low', async () => {
    const c = customer(RISK_DEMO.cleanCustomer);
    const res = await get(`/risk/api/blacklist?mobile=${c.mobile}&residentId=${c.residentId}`, await token('/risk'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ hits: [], riskLevel: 'low', checkedAt: '2026-11-24T12:00:00.000Z' });
  });

  it('lists each seeded entry with its full value, reason, since and source', async () => {
    const tok = await token('/risk');
    const fraud = (await get(`/risk/api/blacklist?mobile=${customer(RISK_DEMO.fraudMobileOf).mobile}`, tok)).json();
    expect(fraud.riskLevel).toBe('high');
    expect(fraud.hits).toEqual([
      { list: 'fraud', subject: 'mobile', value: customer(RISK_DEMO.fraudMobileOf).mobile, reason: expect.stringContaining('fraud'), since: '2026-03-18', source: expect.any(String) },
    ]);
    const black = (await get(`/risk/api/blacklist?residentId=${customer(RISK_DEMO.blacklistedIdOf).residentId}`, tok)).json();
    expect(black).toMatchObject({ riskLevel: 'high', hits: [{ list: 'blacklist', subject: 'residentId' }] });
    const watch = (await get(`/risk/api/blacklist?mobile=${customer(RISK_DEMO.watchMobileOf).mobile}`, tok)).json();
    expect(watch).toMatchObject({ riskLevel: 'medium', hits: [{ list: 'watch' }] });
    const arrears = state.risk.entries.find((e) => e.list === 'arrears_risk')!;
    const holder = state.customers.find((c) => c.residentId === arrears.value)!;
    expect(holder.status).toBe('ARREARS');
    expect((await get(`/risk/api/blacklist?residentId=${arrears.value}`, tok)).json()).toMatchObject({ riskLevel: 'medium', hits: [{ list: 'arrears_risk' }] });
  });

  it('takes +86, spaces, full-width digits and both subjects at once', async () => {
    const tok = await token('/risk');
    const m = customer(RISK_DEMO.fraudMobileOf).mobile;
    const id = customer(RISK_DEMO.blacklistedIdOf).residentId;
    const wide = [...id].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');
    const res = await get(`/risk/api/blacklist?mobile=${encodeURIComponent(`+86 ${m.slice(0, 3)} ${m.slice(3)}`)}&residentId=${encodeURIComponent(wide)}`, tok);
    expect(res.json().hits.map((h: { list: string }) => h.list).sort()).toEqual(['blacklist', 'fraud']);
  });

  it('400 without a subject, 422 naming a malformed one', async () => {
    const tok = await token('/risk');
    expect((await get('/risk/api/blacklist', tok)).statusCode).toBe(400);
    const bad = await get('/risk/api/blacklist?mobile=12345&residentId=abc', tok);
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ error: 'invalid_params', params: ['mobile', 'residentId'] });
  });
});

describe('SMS gateway', () => {
  const send = (tok: string, body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/sms/api/messages', headers: { authorization: `Bearer ${tok}` }, payload: body });
  const fault = { mobile: '13857101234', templateId: 'SMS_FAULT_NOTICE', params: { ticketId: 'T20261124-0012', eta: '2026-11-25 18:00' } };

  it('lists the registered templates with their parameters', async () => {
    const res = (await get('/sms/api/templates', await token('/sms'))).json() as { templates: Array<{ id: string; params: string[] }> };
    expect(res.templates.map((t) => t.id)).toEqual(SMS_TEMPLATES.map((t) => t.id));
    expect(res.templates.find((t) => t.id === 'SMS_FAULT_NOTICE')?.params).toEqual(['ticketId', 'eta']);
  });

  it('queues a message once per idempotency key, and reads it back', async () => {
    const tok = await token('/sms');
    const first = await send(tok, { ...fault, idempotencyKey: 'appr-1' });
    expect(first.statusCode).toBe(201);
    const m = first.json();
    expect(m).toMatchObject({ status: 'queued', alreadyApplied: false, mobile: '13857101234', templateId: 'SMS_FAULT_NOTICE' });
    expect(m.messageId).toMatch(/^SM20261124\d{6}$/);
    expect(m.text).toContain('工单 T20261124-0012');
    expect(m.text).toContain('2026-11-25 18:00');
    expect(m.text).not.toContain('{');

    const again = await send(tok, { ...fault, idempotencyKey: 'appr-1' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...m, alreadyApplied: true });
    expect(state.sms.messages).toHaveLength(1);

    const reused = await send(tok, { ...fault, params: { ...fault.params, eta: '明天' }, idempotencyKey: 'appr-1' });
    expect(reused.statusCode).toBe(409);
    expect(reused.json().error).toBe('idempotency_key_reused');

    const byKey = (await get('/sms/api/messages?idempotencyKey=appr-1', tok)).json();
    expect(byKey.messages).toHaveLength(1);
    expect(byKey.messages[0]).toMatchObject({ messageId: m.messageId, text: m.text });
    expect((await get(`/sms/api/messages/${m.messageId}`, tok)).json()).toMatchObject({ messageId: m.messageId });
    expect((await get('/sms/api/messages/SM000', tok)).statusCode).toBe(404);
    expect((await get('/sms/api/messages?idempotencyKey=other', tok)).json()).toEqual({ messages: [] });
  });

  it('refuses: no key 400, unknown template 404, params 422 by name, bad number 422, opted out 409', async () => {
    const tok = await token('/sms');
    expect((await send(tok, fault)).json()).toMatchObject({ error: 'missing_idempotency_key' });
    expect((await send(tok, fault)).statusCode).toBe(400);

    const unknown = await send(tok, { ...fault, templateId: 'SMS_NOPE', idempotencyKey: 'k1' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'unknown_template', templateId: 'SMS_NOPE' });

    const params = await send(tok, { ...fault, params: { ticketId: 'T1', colour: 'red' }, idempotencyKey: 'k2' });
    expect(params.statusCode).toBe(422);
    expect(params.json()).toMatchObject({ error: 'invalid_params', missing: ['eta'], unexpected: ['colour'] });

    const number = await send(tok, { ...fault, mobile: '1234', idempotencyKey: 'k3' });
    expect(number.statusCode).toBe(422);
    expect(number.json().error).toBe('invalid_mobile');

    const optedOut = await send(tok, { ...fault, mobile: customer(RISK_DEMO.optedOutMobileOf).mobile, idempotencyKey: 'k4' });
    expect(optedOut.statusCode).toBe(409);
    expect(optedOut.json().error).toBe('opted_out');
    expect(state.sms.messages).toHaveLength(0);
  });
});

describe('CRM number status page', () => {
  it('shows the line status, holder, region and main plan; 空号 as status "unassigned"', async () => {
    const cookie = await login(app, '/crm');
    const page = await app.inject({ url: '/crm/numbers?mobile=138-5710-1234', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(field(page.body, 'line_status')).toBe('ACTIVE');
    expect(field(page.body, 'customer_id')).toBe('C000123');
    expect(field(page.body, 'region')).toBe('hangzhou');
    expect(field(page.body, 'main_plan')).toBe('5G 畅享 129 元套餐');
    expect(page.body).toContain('<th scope="row">号码状态 Line status</th>');

    const empty = await app.inject({ url: '/crm/numbers?mobile=13900000000', headers: { cookie } });
    expect(resultOf(empty.body)).toBe('unassigned');
    const bad = await app.inject({ url: '/crm/numbers?mobile=123', headers: { cookie } });
    expect(resultOf(bad.body)).toBe('validation_error');
    const form = await app.inject({ url: '/crm/numbers', headers: { cookie } });
    expect(resultOf(form.body)).toBeUndefined();
    expect(decodeHtml(form.body)).toContain('号码状态查询 Number status');
  });

  it('layout b: rows reversed, the answer before the form, labels kept', async () => {
    const cookie = await login(app, '/crm');
    faults.set({ system: 'crm', layout: 'b' });
    const page = await app.inject({ url: '/crm/numbers?mobile=13857101234', headers: { cookie } });
    const body = page.body;
    expect(body.indexOf('主套餐 Main plan')).toBeLessThan(body.indexOf('号码状态 Line status'));
    expect(body.indexOf('<caption>号码状态 Number status')).toBeLessThan(body.indexOf('role="search"'));
    expect(body).toContain('v2_number_status');
  });
});
