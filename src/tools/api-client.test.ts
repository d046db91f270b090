/** The HTTP-API carrier against the real sandbox (risk, sms) and, for the edge cases, a scripted fetch. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startSandbox, type SandboxHandle } from '../sandbox/server.js';
import { ApiClients, callApi } from './api-client.js';
import { defineTool, type LegacySystem } from './define.js';
import { SystemError } from './errors.js';
import { ToolRegistry } from './registry.js';
import { ToolRunner, recordOf } from './runner.js';
import { systemCaller } from './scope.js';
import { legacyBaseUrls } from './systems.js';

const SYS = systemCaller('test');

let sandbox: SandboxHandle;
let dataDir: string;
const creds = { username: 'rpa_bot', password: 'sandbox' };
const open: ApiClients[] = [];

function clients(opts: Partial<ConstructorParameters<typeof ApiClients>[0]> = {}): ApiClients {
  const urls = legacyBaseUrls({ sandboxUrl: sandbox.url });
  const c = new ApiClients({ baseUrl: (s) => urls[s], credentials: creds, ...opts });
  open.push(c);
  return c;
}
const live = () => new AbortController().signal;

/** A fetch that answers from a script; records every request. */
function scriptedFetch(answer: (url: string, init: RequestInit, n: number) => Promise<Response> | Response) {
  const calls: Array<{ url: string; auth: string | undefined }> = [];
  const fn = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input);
    calls.push({ url, auth: (init.headers as Record<string, string> | undefined)?.authorization });
    return answer(url, init, calls.length);
  }) as typeof fetch;
  return { fn, calls };
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
/** Never answers: waits for the request's signal, like a portal that hangs. */
const hanging = ((_url: string | URL | Request, init: RequestInit = {}) =>
  new Promise<Response>((_resolve, reject) => {
    const signal = init.signal!;
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  })) as typeof fetch;
const loginOk = (url: string) => (url.endsWith('/api/login') ? json(200, { token: `tok-${Math.random()}`, expiresInSeconds: 1800 }) : null);

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dataDir = await mkdtemp(path.join(tmpdir(), 'sb-api-'));
});
afterEach(async () => {
  sandbox.faults.reset();
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await sandbox.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('ApiClients', () => {
  it('logs in once and shares the token between concurrent calls', async () => {
    const c = clients();
    const answers = await Promise.all(Array.from({ length: 8 }, () => c.for('risk', live()).request('GET', '/api/health')));
    expect(answers.every((a) => a.status === 200 && (a.body as { ok: boolean }).ok)).toBe(true);
    expect(c.stats('risk')).toEqual({ logins: 1, loggedIn: true });
    await c.for('risk', live()).request('GET', '/api/health');
    expect(c.stats('risk').logins).toBe(1);
    // Each system has its own session.
    await c.for('sms', live()).request('GET', '/api/templates');
    expect(c.stats('sms').logins).toBe(1);
  });

  it('a dropped session: logs in again and retries once, transparently', async () => {
    const c = clients();
    await c.for('sms', live()).request('GET', '/api/templates');
    sandbox.faults.set({ system: 'sms', expireSessions: true, sessionExpiryRate: 0 }); // drops every sms token now
    const res = await c.for('sms', live()).request('GET', '/api/templates');
    expect(res.status).toBe(200);
    expect(c.stats('sms').logins).toBe(2);
  });

  it('401 again after a fresh login: SystemError session_expired', async () => {
    const { fn, calls } = scriptedFetch((url) => loginOk(url) ?? json(401, { error: 'session_expired' }));
    const c = clients({ fetch: fn });
    const err = await c.for('risk', live()).request('GET', '/api/health').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SystemError);
    expect(err).toMatchObject({ code: 'session_expired', system: 'risk' });
    expect(calls.map((x) => new URL(x.url).pathname)).toEqual(['/risk/api/login', '/risk/api/health', '/risk/api/login', '/risk/api/health']);
    // The second attempt carried the new token.
    expect(calls[3]?.auth).not.toBe(calls[1]?.auth);
  });

  it('5xx is unavailable, other 4xx come back as an answer, a non-JSON body is unexpected_page', async () => {
    const c = clients();
    sandbox.faults.set({ system: 'risk', errorRate: 1 });
    await expect(c.for('risk', live()).request('GET', '/api/health')).rejects.toMatchObject({ name: 'SystemError', code: 'unavailable' });
    sandbox.faults.reset('risk');
    const refused = await c.for('risk', live()).request('GET', '/api/blacklist');
    expect(refused).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_request' }) });

    const { fn } = scriptedFetch((url) => loginOk(url) ?? new Response('<html>proxy says hi</html>', { status: 200 }));
    await expect(clients({ fetch: fn }).for('risk', live()).request('GET', '/api/health')).rejects.toMatchObject({ code: 'unexpected_page' });
  });

  it('refused robot credentials and a dead host are unavailable', async () => {
    const wrong = clients({ credentials: { username: 'rpa_bot', password: 'wrong' } });
    await expect(wrong.for('sms', live()).request('GET', '/api/templates')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/login refused/) });

    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const dead = new ApiClients({ baseUrl: () => `http://127.0.0.1:${port}/risk`, credentials: creds });
    open.push(dead);
    await expect(dead.for('risk', live()).request('GET', '/api/health')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('abort (the call deadline) and the per-request timeout are SystemError timeout', async () => {
    const c = clients({ fetch: hanging });
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 100);
    await expect(c.for('risk', ac.signal).request('GET', '/api/health')).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);

    const short = clients({ fetch: hanging, requestTimeoutMs: 150 });
    await expect(short.for('risk', live()).request('GET', '/api/health')).rejects.toMatchObject({ code: 'timeout', message: expect.stringMatching(/within 150 ms/) });
  });
});

describe('through the ToolRunner', () => {
  let hits = 0;
  const probe = defineTool({
    name: 'risk.probe',
    effect: 'read',
    system: 'risk',
    description: 'test probe',
    input: z.object({ mobile: z.string() }),
    output: z.object({ ok: z.boolean() }),
    scope: { none: 'a test tool: carries no owned data' },
    async run(input, ctx) {
      hits++;
      const res = await callApi(ctx, 'risk', 'GET', `/api/blacklist?mobile=${input.mobile}`);
      return { ok: res.status === 200 };
    },
  });

  function runner(api: ApiClients): ToolRunner {
    const registry = new ToolRegistry();
    registry.register(probe);
    const urls = legacyBaseUrls({ sandboxUrl: sandbox.url });
    return new ToolRunner({
      registry,
      pool: { withPage: () => Promise.reject(new Error('no browser here')) },
      api: api.for,
      baseUrl: (s: LegacySystem) => urls[s],
      dataDir,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
  }

  it('a 5xx is retried by the runner and the call succeeds; evidence names the path, never the number', async () => {
    let n = 0;
    const { fn } = scriptedFetch((url) => loginOk(url) ?? (++n === 1 ? new Response('oops', { status: 502 }) : json(200, { hits: [], riskLevel: 'low' })));
    hits = 0;
    const { output, record } = await runner(clients({ fetch: fn })).run('risk.probe', { mobile: '13857101234' }, { caller: SYS });
    expect(output).toEqual({ ok: true });
    expect(record.attempts).toBe(2);
    expect(hits).toBe(2);
    const steps = JSON.stringify(record.evidence.steps);
    expect(steps).toContain('GET /api/blacklist');
    expect(steps).toContain('attempt 1 failed: unavailable');
    expect(steps).not.toContain('13857101234');
  });

  it('the runner deadline aborts a hanging request: timeout', async () => {
    const r = runner(clients({ fetch: hanging }));
    const err = await r.run('risk.probe', { mobile: '13857101234' }, { caller: SYS, deadlineMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SystemError', code: 'timeout' });
    expect(recordOf(err)?.status).toBe('system_error');
  });
});
