/**
 * The write preconditions the runner enforces once for every write tool: an idempotency key, and
 * the approved approval whose id it is. A refused write never reaches the tool's run().
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from './define.js';
import { BusinessError } from './errors.js';
import { ToolRegistry } from './registry.js';
import { ToolRunner, recordOf, type ApprovedWrite, type RunToolOptions, type ToolCallRecord } from './runner.js';
import { systemCaller } from './scope.js';

const SYS = systemCaller('runner write test');
const runs = { write: 0, read: 0 };
const keys: string[] = [];

const write = defineTool({
  name: 'ticket.touch',
  effect: 'write',
  system: 'ticket',
  description: 'a write that succeeds and remembers its key',
  input: z.object({ ticketId: z.string() }).strict(),
  output: z.object({ ticketId: z.string(), key: z.string() }),
  scope: { none: 'a test tool: carries no owned data' },
  async run(input, ctx) {
    runs.write++;
    keys.push(ctx.idempotencyKey);
    return { ticketId: input.ticketId, key: ctx.idempotencyKey };
  },
  async verify() {
    return { ok: true, lines: [] };
  },
  summarize: (input) => [{ label: 'Ticket', value: input.ticketId }],
});

const read = defineTool({
  name: 'ticket.peek',
  effect: 'read',
  system: 'ticket',
  description: 'a read',
  input: z.object({ ticketId: z.string() }).strict(),
  output: z.object({ ticketId: z.string() }),
  scope: { none: 'a test tool: carries no owned data' },
  async run(input) {
    runs.read++;
    return { ticketId: input.ticketId };
  },
});

let dataDir: string;
let runner: ToolRunner;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sb-runner-writes-'));
  runner = new ToolRunner({
    registry: new ToolRegistry().register(write).register(read),
    pool: { withPage: () => Promise.reject(new Error('no browser in this test')) },
    baseUrl: () => 'http://127.0.0.1:9',
    dataDir,
    screenshots: 'off',
  });
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const approved = (id: string): ApprovedWrite => ({ id, status: 'approved' });

async function refused(opts: RunToolOptions): Promise<{ err: BusinessError; record: ToolCallRecord | undefined; records: ToolCallRecord[] }> {
  const before = runs.write;
  const records: ToolCallRecord[] = [];
  const err = await runner.run('ticket.touch', { ticketId: 'T1' }, { caller: SYS, ...opts, onRecord: (r) => void records.push(r) }).then(
    () => {
      throw new Error('the write ran; a refusal was expected');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BusinessError);
  expect(runs.write).toBe(before);
  return { err: err as BusinessError, record: recordOf(err), records };
}

describe('ToolRunner write preconditions', () => {
  it('refuses a write without an idempotency key before the tool runs, with the bilingual reason', async () => {
    const { err, record, records } = await refused({ approval: approved('appr-1') });
    expect(err).toMatchObject({ code: 'invalid_input', message: 'a write needs an approval id as idempotency key', details: { zh: '写操作需要审批单号作为幂等键' } });
    // Refused like any other refusal: a record of the call, no attempt made.
    expect(record).toMatchObject({ tool: 'ticket.touch', effect: 'write', status: 'business_error', attempts: 0 });
    expect(records).toHaveLength(1);
  });

  it('refuses a write with a key but no approval, or one not approved', async () => {
    const none = await refused({ idempotencyKey: 'appr-2' });
    expect(none.err.code).toBe('invalid_input');
    expect(none.err.message).toContain('approved approval');
    expect(none.err.details).toHaveProperty('zh');
    expect(none.record).toMatchObject({ status: 'business_error', attempts: 0, idempotencyKey: 'appr-2' });
    // The type says 'approved'; a caller that cast its way past it is refused all the same.
    const pending = await refused({ idempotencyKey: 'appr-2', approval: { id: 'appr-2', status: 'pending' } as unknown as ApprovedWrite });
    expect(pending.err.message).toBe(none.err.message);
  });

  it('refuses a write whose key is not the id of the approval it executes', async () => {
    const { err, record } = await refused({ idempotencyKey: 'appr-3', approval: approved('appr-other') });
    expect(err.code).toBe('invalid_input');
    expect(err.message).toBe("a write's idempotency key must be the id of the approval it executes");
    expect(err.details).toHaveProperty('zh');
    expect(record).toMatchObject({ status: 'business_error', attempts: 0 });
  });

  it('runs a write with its key and its approval; the tool sees the key', async () => {
    const before = runs.write;
    const { output, record } = await runner.run('ticket.touch', { ticketId: 'T4' }, { caller: SYS, idempotencyKey: 'appr-4', approval: approved('appr-4') });
    expect(output).toEqual({ ticketId: 'T4', key: 'appr-4' });
    expect(runs.write).toBe(before + 1);
    expect(keys.at(-1)).toBe('appr-4');
    expect(record).toMatchObject({ status: 'ok', attempts: 1, idempotencyKey: 'appr-4' });
  });

  it('checks the input first: a bad input is refused as such, not as a missing key', async () => {
    const before = runs.write;
    const bad = await runner.run('ticket.touch', { ticketId: 5 }, { caller: SYS }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BusinessError);
    expect(bad).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('Invalid input') });
    expect(runs.write).toBe(before);
  });

  it('leaves reads and verify() alone: no key, no approval needed', async () => {
    const before = runs.read;
    expect((await runner.run('ticket.peek', { ticketId: 'T6' }, { caller: SYS })).output).toEqual({ ticketId: 'T6' });
    expect(runs.read).toBe(before + 1);
    expect(await runner.verify('ticket.touch', { ticketId: 'T6' }, null, { caller: SYS })).toEqual({ ok: true, lines: [] });
  });
});
