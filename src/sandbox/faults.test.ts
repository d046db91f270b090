import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultController } from './faults.js';
import { buildSandboxApp } from './server.js';
import type { SandboxState } from './state.js';
import { field, login } from '../../tests/helpers/sandbox-testkit.js';

let app: FastifyInstance;
let state: SandboxState;
let faults: FaultController;
beforeEach(async () => {
  ({ app, state, faults } = await buildSandboxApp());
});
afterEach(() => app.close());

const post = (body: unknown) => app.inject({ method: 'POST', url: '/admin/faults', payload: body as Record<string, unknown> });
const getAs = (url: string, cookie: string) => app.inject({ url, headers: { cookie } });

describe('/admin/faults', () => {
  it('switches faults at run time, shows them, and resets them', async () => {
    const res = await post({ system: 'resource', latencyMs: 5, errorRate: 0.2, timeoutRate: 0.1, expireSessions: true, layout: 'b' });
    expect(res.statusCode).toBe(200);
    expect(res.json().settings).toMatchObject({ latencyMs: 5, errorRate: 0.2, timeoutRate: 0.1, expireSessions: true, layout: 'b' });
    const shown = (await app.inject({ url: '/admin/faults' })).json();
    expect(shown.resource).toMatchObject({ errorRate: 0.2, layout: 'b' });
    expect(shown.nms).toMatchObject({ errorRate: 0, layout: 'a' });

    // "ticket" (the tools' name) and "tickets" (the sandbox's) are the same system.
    expect((await post({ system: 'ticket', slowAfterSaveMs: 10 })).statusCode).toBe(200);
    expect(state.faults.tickets.slowAfterSaveMs).toBe(10);

    expect((await app.inject({ method: 'DELETE', url: '/admin/faults?system=resource' })).statusCode).toBe(200);
    expect(state.faults.resource.errorRate).toBe(0);
    expect(state.faults.tickets.slowAfterSaveMs).toBe(10);
    await app.inject({ method: 'DELETE', url: '/admin/faults' });
    expect(state.faults.tickets.slowAfterSaveMs).toBe(0);
  });

  it('refuses bad settings with a message naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ system: 'payroll', errorRate: 0.1 }, /system/],
      [{ system: 'nms', errorRate: 1.5 }, /errorRate/],
      [{ system: 'nms', layout: 'c' }, /layout/],
      [{ system: 'nms', latencyMs: -1 }, /latencyMs/],
      [{ system: 'nms', errorRate: 0.7, timeoutRate: 0.5 }, /at most 1/],
      [{ system: 'nms', flakiness: 1 }, /flakiness|Unrecognized/i],
    ];
    for (const [body, msg] of cases) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().message).toMatch(msg);
    }
    expect(state.faults.nms.errorRate).toBe(0);
  });
});

describe('fault behaviour', () => {
  it('answers about errorRate of requests with HTTP 500, the same ones for the same seed', async () => {
    const cookie = await login(app, '/nms');
    const run = async () => {
      faults.set({ system: 'nms', errorRate: 0.2, seed: 42 });
      const codes: number[] = [];
      for (let i = 0; i < 200; i++) codes.push((await getAs('/nms/alarms?ne=OLT-HZ-01', cookie)).statusCode);
      return codes;
    };
    const first = await run();
    const errors = first.filter((c) => c === 500).length;
    expect(errors).toBeGreaterThan(20);
    expect(errors).toBeLessThan(60);
    expect(first.every((c) => c === 200 || c === 500)).toBe(true);
    expect(await run()).toEqual(first);
  });

  it('hangs a timeoutRate share of requests, then answers 504', async () => {
    const cookie = await login(app, '/crm');
    faults.set({ system: 'crm', timeoutRate: 1, hangMs: 300 });
    const t0 = Date.now();
    const res = await getAs('/crm/customers?q=C000123', cookie);
    expect(res.statusCode).toBe(504);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('drops sessions when expireSessions is switched on, so the next request lands on the login page', async () => {
    const cookie = await login(app, '/resource');
    expect((await getAs('/resource/ports/OLT-HZ-01/0/1/3', cookie)).statusCode).toBe(200);
    faults.set({ system: 'resource', expireSessions: true, sessionExpiryRate: 0 });
    const res = await getAs('/resource/ports/OLT-HZ-01/0/1/3', cookie);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toMatch(/^\/resource\/login\?next=.*expired=1/);
    // Logging in again works; with sessionExpiryRate 1 every later request loses its session.
    const again = await login(app, '/resource');
    expect((await getAs('/resource/ports/OLT-HZ-01/0/1/3', again)).statusCode).toBe(200);
    faults.set({ system: 'resource', sessionExpiryRate: 1 });
    expect((await getAs('/resource/ports/OLT-HZ-01/0/1/3', again)).statusCode).toBe(302);
  });

  it('layout b moves rows, reorders columns and renames classes and ids, keeping labels and values', async () => {
    const cookie = await login(app, '/resource');
    const a = (await getAs('/resource/ports/OLT-HZ-01/0/1/3', cookie)).body;
    faults.set({ system: 'resource', layout: 'b' });
    const b = (await getAs('/resource/ports/OLT-HZ-01/0/1/3', cookie)).body;
    expect(a).toContain('id="port-detail"');
    expect(b).not.toContain('id="port-detail"');
    expect(a).toContain('class="detail"');
    expect(b).not.toContain('class="detail"');
    const order = (html: string) => [...html.matchAll(/<th scope="row"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(order(b)).toEqual([...order(a)].reverse());
    expect(order(a)[0]).toBe('OLT');
    // Same values under the same labels.
    const cell = (html: string, name: string) => new RegExp(`data-field="${name}">([^<]*)</td>`).exec(html)?.[1];
    for (const f of ['olt', 'fsp', 'rx_power', 'onu_sn', 'broadband_account']) {
      expect(cell(b, f), f).toBe(field(a, f));
      expect(cell(b, f), f).not.toBeUndefined();
    }

    const listA = (await getAs('/nms/alarms?ne=OLT-HZ-01&state=all', await login(app, '/nms'))).body;
    faults.set({ system: 'nms', layout: 'b' });
    const listB = (await getAs('/nms/alarms?ne=OLT-HZ-01&state=all', await login(app, '/nms'))).body;
    const headers = (html: string) => [...html.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers(listB)).toEqual([...headers(listA)].reverse());
    expect(listA).toContain('id="alarms"');
    expect(listB).not.toContain('id="alarms"');
    expect(listA).toContain('rel="next"');
    expect(listB).not.toContain('rel="next"');
    expect(listB).toContain('下一页 Next');
    // The login form too: the label now follows its input.
    faults.set({ system: 'crm', layout: 'b' });
    const loginB = (await app.inject({ url: '/crm/login' })).body;
    expect(loginB).toMatch(/<input type="text" id="fld_username"[^>]*>\s*<label for="fld_username">/);
  });

  it('slowAfterSave commits the save, then answers late', async () => {
    const cookie = await login(app, '/tickets');
    const id = 'T20261124-0012';
    const form = (fields: Record<string, string>) => ({
      method: 'POST' as const,
      payload: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    });
    const edit = await app.inject({ url: `/tickets/${id}/edit`, ...form({ broadband_account: 'hz81000123', version: '1', idempotency_key: 'k-1' }) });
    const token = /name="confirm_token" value="([^"]+)"/.exec(edit.body)?.[1] ?? '';
    faults.set({ system: 'tickets', slowAfterSaveMs: 400 });
    const t0 = Date.now();
    const saving = app.inject({ url: `/tickets/${id}/edit/confirm`, ...form({ confirm_token: token }) });
    await new Promise((r) => setTimeout(r, 150));
    // Already written while the answer is still pending.
    expect(state.writes.map((w) => w.idempotencyKey)).toEqual(['k-1']);
    const res = await saving;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(res.body).toContain('保存成功 / Saved');
  });
});
