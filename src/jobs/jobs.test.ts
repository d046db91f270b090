/**
 * The jobs room on both databases: a tool call through a job gives the caller what the runner
 * gives (output, typed errors with their records, every record to onRecord), sealed at rest; a
 * lost job is sent again; a scheduled task offered by two replicas runs once per slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { DataKeyring, installDataKeys, parseDataKeys } from '../store/data-keys.js';
import { BusinessError, SystemError } from '../tools/errors.js';
import { ScopeDenied } from '../tools/scope.js';
import type { ToolCallRecord } from '../tools/runner.js';
import { TEST_DATA_KEYS } from '../../tests/helpers/audit-key.js';
import { createTestDatabase, dbKinds, type TestDatabase } from '../../tests/helpers/test-app.js';
import { installJobs, startBoss } from './boss.js';
import { errorFromJson, errorToJson } from './rpa-call.js';
import { JobToolInvoker } from './job-invoker.js';
import { startRpaWorker } from './rpa-worker.js';
import { startScheduled } from './scheduled.js';

installDataKeys(new DataKeyring(parseDataKeys(TEST_DATA_KEYS)));

const record = (tool: string, status: ToolCallRecord['status'] = 'ok'): ToolCallRecord =>
  ({ callId: `c-${Math.random()}`, tool, phase: 'run', system: 'crm', effect: 'read', input: {}, status, startedAt: new Date(), endedAt: new Date(), durationMs: 1, attempts: 1, evidence: { steps: [], files: [] } }) as unknown as ToolCallRecord;

describe('errors keep their class through a job', () => {
  it('round-trips business, scope, system and other errors with their fields', () => {
    const scope = errorFromJson(errorToJson(new ScopeDenied('crm.getCustomer', 'output', 'out_of_scope', [{ kind: 'region', id: 'ningbo' }])));
    expect(scope).toBeInstanceOf(ScopeDenied);
    expect(scope).toMatchObject({ tool: 'crm.getCustomer', phase: 'output', code: 'out_of_scope', owners: [{ kind: 'region', id: 'ningbo' }] });
    const biz = errorFromJson(errorToJson(new BusinessError('not_found', '没有这个工单 / No such ticket', { id: 'T1' })));
    expect(biz).toBeInstanceOf(BusinessError);
    expect(biz).toMatchObject({ code: 'not_found', details: { id: 'T1' } });
    const sys = errorFromJson(errorToJson(new SystemError('timeout', 'resource', 'portal timed out')), record('resource.getPort', 'system_error'));
    expect(sys).toBeInstanceOf(SystemError);
    expect(sys).toMatchObject({ code: 'timeout', system: 'resource' });
    expect((sys as Error & { record?: ToolCallRecord }).record?.tool).toBe('resource.getPort');
    expect(errorFromJson(errorToJson(new Error('boom'))).message).toBe('boom');
  });
});

for (const kind of await dbKinds()) {
  describe(`jobs on ${kind}`, () => {
    let tdb: TestDatabase;
    let db: Db;
    beforeAll(async () => {
      tdb = await createTestDatabase(kind);
      db = await openDb({ ...(tdb.env.DATABASE_URL ? { databaseUrl: tdb.env.DATABASE_URL } : {}), dataDir: tdb.env.DATA_DIR!, poolSize: 3 });
      await migrate(db, () => installJobs(db, { rpaExpireSeconds: 60 }));
    });
    afterAll(async () => {
      await db?.close();
      await tdb?.drop();
    });

    it('answers 30 concurrent calls through 3 worker slots and a 3-connection pool: outputs, errors, records, nothing in clear at rest', async () => {
      const boss = await startBoss(db, { superviseSeconds: 1 });
      const seenAtRest: string[] = [];
      const runner = {
        run: async (tool: string, input: unknown, opts: { onRecord?: (r: ToolCallRecord) => void; caller?: unknown }) => {
          const { mobile } = input as { mobile: string };
          // While the call runs, what does the job row hold?
          seenAtRest.push(JSON.stringify((await db.query(`SELECT data FROM pgboss.job WHERE name = 'rpa-call' AND state = 'active'`)).rows));
          if (mobile.endsWith('0')) {
            const r = record(tool, 'business_error');
            opts.onRecord?.(r);
            throw Object.defineProperty(new BusinessError('not_found', 'no such number'), 'record', { value: r });
          }
          const r = record(tool);
          opts.onRecord?.(r);
          return { output: { mobile, owner: (opts.caller as { principal: { id: string } }).principal.id }, record: r };
        },
        verify: async () => ({ ok: true, lines: [{ label: 'status', value: 'saved' }] }),
        scopeOf: async () => [{ kind: 'region' as const, id: 'hangzhou' }],
      };
      const worker = await startRpaWorker({ db, boss, runner: runner as never, slots: 3 });
      const invoker = new JobToolInvoker({ db, boss, systemOf: () => 'crm', maxWaitMs: 30_000, wakeLocal: () => worker.wake(), lookMs: 500 });
      try {
        const principal = { id: 'bob', name: 'Bob', roles: ['cs_agent'], department: 'cs-hz', regions: ['hangzhou'] };
        const logged: string[] = [];
        const calls = Array.from({ length: 30 }, (_, i) => `1385710${String(1000 + i)}`);
        const results = await Promise.allSettled(
          calls.map((mobile) => invoker.run('crm.getNumberStatus', { mobile }, { caller: { principal } as never, onRecord: (r) => void logged.push(r.status) })),
        );
        results.forEach((r, i) => {
          if (calls[i]!.endsWith('0')) {
            expect(r.status).toBe('rejected');
            expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BusinessError);
          } else {
            expect(r.status).toBe('fulfilled');
            expect((r as PromiseFulfilledResult<{ output: unknown }>).value.output).toEqual({ mobile: calls[i], owner: 'bob' });
          }
        });
        expect(logged.filter((s) => s === 'ok')).toHaveLength(27);
        expect(logged.filter((s) => s === 'business_error')).toHaveLength(3);
        expect(await invoker.verify('ticket.updateFields', {}, null, {})).toEqual({ ok: true, lines: [{ label: 'status', value: 'saved' }] });
        expect(await invoker.scopeOf('ticket.updateFields', {}, {})).toEqual([{ kind: 'region', id: 'hangzhou' }]);
        // No number in clear in any job row or answer, during the calls or after.
        const after = JSON.stringify((await db.query(`SELECT data, output FROM pgboss.job WHERE name = 'rpa-call'`)).rows);
        for (const text of [...seenAtRest, after]) expect(text).not.toMatch(/1385710\d{4}/);
        expect((await db.query('SELECT 1 FROM rpa_results')).rowCount).toBe(0);
        expect(worker.stats()).toMatchObject({ slots: 3, running: 0 });
      } finally {
        invoker.close();
        await worker.stop();
        await boss.stop({ graceful: false, close: false });
      }
    }, 120_000);

    it('sends a job again when its worker stops answering, and fails a call cleanly when no worker ever answers', async () => {
      const boss = await startBoss(db, { superviseSeconds: 1 });
      // A worker that takes the job and never answers: pg-boss fails it when its heartbeats stop
      // (emulated: the job is failed by hand, as the supervisor would).
      let taken = 0;
      const stuck = await boss.work('rpa-call', { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
        taken++;
        await boss.fail('rpa-call', job!.id, { reason: 'worker died' });
        return null;
      });
      const invoker = new JobToolInvoker({ db, boss, systemOf: () => 'resource', maxWaitMs: 20_000, lookMs: 200, resends: 1 });
      try {
        const err = await invoker.run('resource.getPort', { olt: 'OLT-HZ-01' }, {}).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(SystemError);
        expect((err as SystemError).message).toMatch(/stopped before it answered/);
        expect(taken).toBe(2); // the first send and one resend
        expect(invoker.stats()).toMatchObject({ lost: 1, waiting: 0 });
      } finally {
        invoker.close();
        await boss.offWork('rpa-call', { id: stuck, wait: false });
        await boss.stop({ graceful: false, close: false });
      }
    }, 60_000);

    it('runs a scheduled task once per slot when two replicas offer it', async () => {
      const a = await startBoss(db, { superviseSeconds: 5 });
      const b = kind === 'postgres' ? await startBoss(db, { superviseSeconds: 5 }) : a;
      let runs = 0;
      const task = { everyMs: 1000, run: async () => void runs++ };
      const sa = await startScheduled(a, db, { 'purge-raw': task });
      const sb = await startScheduled(b, db, { 'purge-raw': task });
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 5_500));
      const seconds = (Date.now() - started) / 1000;
      await sa.stop();
      await sb.stop();
      await a.stop({ graceful: false, close: false });
      if (b !== a) await b.stop({ graceful: false, close: false });
      // Two offers a second, at most one run a second (slot), and at least one every other second.
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(runs).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
      expect(sa.counts()['purge-raw'] + sb.counts()['purge-raw']).toBe(runs);
    }, 60_000);
  });
}
