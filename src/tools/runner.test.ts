import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BrowserPool, gotoPage } from './browser-pool.js';
import { defineTool, type LegacySystem, type WithPage } from './define.js';
import { BusinessError, SystemError } from './errors.js';
import { ToolRegistry } from './registry.js';
import { ToolRunner, recordOf, type ToolCallRecord } from './runner.js';
import { systemCaller } from './scope.js';
import { fixtureLogin, startTestPortal, type TestPortal } from '../../tests/helpers/fixture-portal.js';

const SYS = systemCaller('test');

let portal: TestPortal;
let pool: BrowserPool;
let dataDir: string;
let browserTasks = 0;
const countingPool: { withPage: WithPage } = {
  withPage: (system, fn, hooks) => {
    browserTasks++;
    return pool.withPage(system, fn, hooks);
  },
};

const counters = { flaky: 0, business: 0, write: 0, badOutput: 0 };

const readPort = defineTool({
  name: 'crm.readPort',
  effect: 'read',
  system: 'crm',
  description: '查询端口状态 / read a port status',
  input: z.object({ portId: z.string().regex(/^P\d+$/), mobile: z.string().optional() }),
  output: z.object({ portId: z.string(), status: z.enum(['UP', 'DOWN']) }),
  scope: { none: 'a test tool: carries no owned data' },
  async run(input, ctx) {
    ctx.step('open port page', { portId: input.portId, mobile: input.mobile });
    return ctx.withPage('crm', async (page, baseUrl) => {
      await gotoPage(page, `${baseUrl}/ports/${input.portId}`, 'crm');
      const status = await page.textContent('#status');
      return { portId: (await page.textContent('#port')) ?? '', status: status as 'UP' | 'DOWN' };
    });
  },
});

const flaky = defineTool({
  name: 'crm.flaky',
  effect: 'read',
  system: 'crm',
  description: 'fails twice, then answers',
  input: z.object({}),
  output: z.object({ ok: z.boolean() }),
  scope: { none: 'a test tool: carries no owned data' },
  async run() {
    counters.flaky++;
    if (counters.flaky <= 2) throw new SystemError('unavailable', 'crm', 'portal 502');
    return { ok: true };
  },
});

const notFound = defineTool({
  name: 'crm.notFound',
  effect: 'read',
  system: 'crm',
  description: 'always a business error',
  input: z.object({}),
  output: z.object({}),
  scope: { none: 'a test tool: carries no owned data' },
  async run() {
    counters.business++;
    throw new BusinessError('not_found', '客户不存在 / no such customer');
  },
});

const dispatch = defineTool({
  name: 'ticket.dispatch',
  effect: 'write',
  system: 'ticket',
  description: 'a write that fails with a system error',
  input: z.object({ ticketId: z.string() }),
  output: z.object({ done: z.boolean() }),
  scope: { none: 'a test tool: carries no owned data' },
  async run() {
    counters.write++;
    throw new SystemError('timeout', 'ticket', 'submit timed out');
  },
  async verify(input, output) {
    return { ok: output === null, lines: [{ label: '工单 / Ticket', value: input.ticketId }] };
  },
  summarize: (input) => [{ label: '工单 / Ticket', value: input.ticketId }],
});

const badOutput = defineTool({
  name: 'nms.badOutput',
  effect: 'read',
  system: 'nms',
  description: 'the portal changed its page',
  input: z.object({}),
  output: z.object({ severity: z.enum(['critical', 'major']) }),
  scope: { none: 'a test tool: carries no owned data' },
  async run() {
    counters.badOutput++;
    return { severity: 'SIDEWAYS' } as unknown as { severity: 'critical' };
  },
});

const registry = new ToolRegistry().register(readPort).register(flaky).register(notFound).register(dispatch).register(badOutput);
const delays: number[] = [];
let runner: ToolRunner;

beforeAll(async () => {
  portal = await startTestPortal();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sb-runner-'));
  const baseUrl = (s: LegacySystem) => `${portal.url}/${s}`;
  pool = new BrowserPool({ executablePath: '/usr/bin/chromium', baseUrl, login: () => fixtureLogin, taskTimeoutMs: 3000 });
  await pool.start();
  runner = new ToolRunner({
    registry,
    pool: countingPool,
    baseUrl,
    dataDir,
    retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 150 },
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.999,
  });
});

afterAll(async () => {
  await pool?.close();
  await portal?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('ToolRunner', () => {
  it('refuses invalid input with a BusinessError naming the field, without touching the browser', async () => {
    const before = browserTasks;
    const records: ToolCallRecord[] = [];
    const err = await failure(runner.run('crm.readPort', { portId: 42 }, { caller: SYS, onRecord: (r) => void records.push(r) }));
    expect(err).toBeInstanceOf(BusinessError);
    expect((err as BusinessError).code).toBe('invalid_input');
    expect(err.message).toContain('portId');
    expect(browserTasks).toBe(before);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'business_error', attempts: 0, error: { code: 'invalid_input' } });
    expect(recordOf(err)).toBe(records[0]);
  });

  it('refuses an unknown tool as invalid input', async () => {
    const err = await failure(runner.run('crm.nope', {}, { caller: SYS }));
    expect((err as BusinessError).code).toBe('invalid_input');
    expect(recordOf(err)).toMatchObject({ tool: 'crm.nope', system: null, status: 'business_error' });
  });

  it('retries a read that meets SystemErrors, with capped backoff, and reports the attempts', async () => {
    counters.flaky = 0;
    delays.length = 0;
    const { output, record } = await runner.run('crm.flaky', {}, { caller: SYS });
    expect(output).toEqual({ ok: true });
    expect(record.status).toBe('ok');
    expect(record.attempts).toBe(3);
    // Full jitter under a cap that doubles from 100 ms but never exceeds 150 ms.
    expect(delays).toEqual([99, 149]);
    expect(record.evidence.steps.map((s) => s.step)).toEqual(['attempt 1 failed: unavailable', 'attempt 2 failed: unavailable']);
  });

  it('gives up after the configured attempts with the SystemError and its record', async () => {
    counters.flaky = -10;
    const records: ToolCallRecord[] = [];
    const err = await failure(runner.run('crm.flaky', {}, { caller: SYS, onRecord: (r) => void records.push(r) }));
    expect(err).toBeInstanceOf(SystemError);
    expect(counters.flaky).toBe(-7);
    expect(records).toEqual([recordOf(err)]);
    expect(records[0]).toMatchObject({ status: 'system_error', attempts: 3, error: { name: 'SystemError', code: 'unavailable', system: 'crm' } });
  });

  it('never retries a BusinessError', async () => {
    counters.business = 0;
    const err = await failure(runner.run('crm.notFound', {}, { caller: SYS }));
    expect(err).toBeInstanceOf(BusinessError);
    expect((err as BusinessError).code).toBe('not_found');
    expect(counters.business).toBe(1);
    expect(recordOf(err)?.attempts).toBe(1);
  });

  it('does not retry a write tool, even on a SystemError', async () => {
    counters.write = 0;
    const err = await failure(runner.run('ticket.dispatch', { ticketId: 'T1' }, { caller: SYS, idempotencyKey: 'appr-1', approval: { id: 'appr-1', status: 'approved' } }));
    expect(err).toBeInstanceOf(SystemError);
    expect(counters.write).toBe(1);
    expect(recordOf(err)).toMatchObject({ effect: 'write', attempts: 1, idempotencyKey: 'appr-1', status: 'system_error' });
  });

  it('verifies a write by read-back, also when the write result was lost', async () => {
    const records: ToolCallRecord[] = [];
    const result = await runner.verify('ticket.dispatch', { ticketId: 'T1' }, null, { caller: SYS, onRecord: (r) => void records.push(r) });
    expect(result.ok).toBe(true);
    expect(records[0]).toMatchObject({ phase: 'verify', status: 'ok', attempts: 1 });
  });

  it('turns an output that breaks the schema into SystemError unexpected_page', async () => {
    counters.badOutput = 0;
    const err = await failure(runner.run('nms.badOutput', {}, { caller: SYS }));
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).code).toBe('unexpected_page');
    expect(err.message).toContain('severity');
    expect(counters.badOutput).toBe(3);
  });

  it('stops at once when the caller aborts', async () => {
    counters.flaky = -10;
    const ac = new AbortController();
    ac.abort();
    const err = await failure(runner.run('crm.flaky', {}, { caller: SYS, signal: ac.signal }));
    expect(err).toBeInstanceOf(SystemError);
    expect(recordOf(err)?.attempts).toBe(0);
    expect(counters.flaky).toBe(-10);
  });

  it('runs a browser tool, keeps a screenshot of the final page and redacts personal data', async () => {
    const mask = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v).replace(/1[3-9]\d{9}/g, (m) => `${m.slice(0, 3)}****${m.slice(7)}`));
    const { output, record } = await runner.run(
      'crm.readPort',
      { portId: 'P7', mobile: '13812345678' },
      { caller: SYS, runId: 'run-1', redact: mask },
    );
    expect(output).toEqual({ portId: 'P7', status: 'UP' });
    expect(record).toMatchObject({ status: 'ok', runId: 'run-1', attempts: 1, system: 'crm', effect: 'read' });
    expect(record.durationMs).toBeGreaterThanOrEqual(0);

    const day = new Date().toISOString().slice(0, 10);
    expect(record.evidence.files).toEqual([`evidence/${day}/${record.callId}.png`]);
    const png = await readFile(path.join(dataDir, record.evidence.files[0]!));
    expect(png.subarray(1, 4).toString()).toBe('PNG');

    const all = JSON.stringify(record);
    expect(all).not.toContain('13812345678');
    expect(all).toContain('138****5678');
    expect(record.evidence.steps[0]).toMatchObject({ step: 'open port page', data: { portId: 'P7', mobile: '138****5678' } });
  });
});
