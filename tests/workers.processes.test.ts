/**
 * Issue 14: bot replicas without a browser and RPA workers as processes of their own, on one
 * PostgreSQL. Two replicas (RPA_WORKERS=external) answer port queries from many people at once
 * through two `npm run worker` processes; a worker killed with -9 before an approved write, or
 * after the portal saved it and before it answered, leaves the write done exactly once (checked
 * in the sandbox's own state) by a worker started after it, and nothing pending or running.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../src/sandbox/server.js';
import { LEGACY_SYSTEMS } from '../src/tools/systems.js';
import { startWorkerProcess } from './helpers/processes.js';
import { cardOf, createTestDatabase, postgresAvailable, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

// In CI PostgreSQL must answer: the test runs and fails there rather than shrink.
const pgOnly = (await postgresAvailable()) || process.env.CI ? describe : describe.skip;

type WorkerProc = Awaited<ReturnType<typeof startWorkerProcess>>;

async function jobsDone(w: WorkerProc): Promise<number> {
  const h = (await (await fetch(`${w.url}/healthz`)).json()) as { jobs: { done: number; failed: number } };
  return h.jobs.done + h.jobs.failed;
}

pgOnly('replicas and workers on one PostgreSQL', () => {
  let sandbox: SandboxHandle;
  let db: TestDatabase;
  let env: Record<string, string>;
  let admin: pg.Client;
  const replicas: TestApp[] = [];
  const workers: WorkerProc[] = [];

  const writesOf = async (ticketId: string) =>
    ((await (await fetch(`${sandbox.url}/admin/writes`)).json()) as { ticketId: string; idempotencyKey: string | null }[]).filter((w) => w.ticketId === ticketId);
  const unfinishedJobs = async () =>
    (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'rpa-call' AND state IN ('created', 'retry', 'active')`)).rows[0]!.n;
  const stopWorker = async (w: WorkerProc) => {
    w.child.kill('SIGTERM');
    await w.exited;
    workers.splice(workers.indexOf(w), 1);
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    // A runtime role apart from the owner: the workers and replicas use pg-boss's tables by grant.
    db = await createTestDatabase('postgres', { runtimeRole: true });
    env = {
      ...db.env,
      ...Object.fromEntries(LEGACY_SYSTEMS.map((s) => [s.env, `${sandbox.url}${s.sandboxPath}`])),
      JOBS_SUPERVISE_SECONDS: '1',
      LOG_LEVEL: 'warn',
    };
    admin = new pg.Client({ connectionString: db.env.DATABASE_OWNER_URL });
    await admin.connect();
    // Replicas with 3 connections each, for more people at once than connections.
    for (let i = 0; i < 2; i++) replicas.push(await startTestApp({ ...env, RPA_WORKERS: 'external', DATABASE_POOL_SIZE: '3' }));
    for (let i = 0; i < 2; i++) workers.push(await startWorkerProcess({ ...env, RPA_WORKER_SLOTS: '4' }));
  }, 120_000);
  afterAll(async () => {
    for (const r of replicas) await r.close().catch(() => undefined);
    for (const w of workers) {
      w.child.kill('SIGKILL');
      await w.exited;
    }
    await admin?.end();
    await db?.drop();
    await sandbox?.close();
  });

  it('answers port queries from 12 people at once on two replicas, through both workers, with no browser in the replicas', async () => {
    for (const r of replicas) expect(r.app.pool.ready).toBe(false);
    const before = await Promise.all(workers.map(jobsDone));
    const ports = ['0/1/3', '0/1/4', '0/2/1'];
    const asks = Array.from({ length: 24 }, (_, i) => ({ replica: replicas[i % 2]!, port: ports[i % 3]!, conversation: `ports-${i % 12}` }));
    const answers = await Promise.all(asks.map((a) => a.replica.client.say('bob', `查端口 OLT-HZ-01 ${a.port}`, a.conversation).then(textOf)));
    answers.forEach((text, i) => expect(text, `ask ${i}`).toContain(asks[i]!.port));
    for (const text of answers) expect(text).not.toMatch(/失败|unavailable|不可用/);
    const after = await Promise.all(workers.map(jobsDone));
    // Both workers took a share (each has 4 slots; 12 conversations at once need both).
    after.forEach((n, i) => expect(n, `worker ${i}`).toBeGreaterThan(before[i]!));
    expect(await unfinishedJobs()).toBe(0);
    // Requests and answers are sealed at rest: no port's customer in clear in the job rows.
    const rows = await admin.query<{ data: unknown }>(`SELECT data FROM pgboss.job WHERE name = 'rpa-call'`);
    expect(rows.rows.length).toBeGreaterThan(0);
    for (const r of rows.rows) expect(JSON.stringify(r.data)).toMatch(/^\{"sealed":\{"\$enc":"[^"]+"\}\}$/);
    expect((await admin.query(`SELECT 1 FROM rpa_results`)).rowCount).toBe(0);
  }, 180_000);

  for (const point of ['write.before', 'write.saved'] as const) {
    it(`a worker killed with -9 at ${point}: the approved write happens once, done by the next worker`, async () => {
      // Only the crashing worker is alive when the write is approved.
      for (const w of [...workers]) await stopWorker(w);
      const crashing = await startWorkerProcess({ ...env, RPA_WORKER_SLOTS: '2', SWITCHBOARD_WORKER_CRASH_AT: point });
      workers.push(crashing);
      const ticket = point === 'write.before' ? 'T20261124-0012' : 'T20261124-0013';
      const [asker, approver] = point === 'write.before' ? [replicas[0]!, replicas[1]!] : [replicas[1]!, replicas[0]!];
      const ask = point === 'write.before' ? `补全工单 ${ticket}` : `更新工单 ${ticket} 地址 杭州市西湖区文一西路 100 号`;
      const card = cardOf(await asker.client.say('alice', ask));
      expect(card?.approvalId, 'a card to approve').toBeDefined();
      const decision = approver.client.act('carol', card!.approvalId!, 'approve');
      expect(await crashing.exited).toBe(null); // killed by its own signal
      workers.splice(workers.indexOf(crashing), 1);
      expect(crashing.output()).toContain(`worker SIGKILL at ${point}`);
      // A worker started afterwards takes the job again.
      workers.push(await startWorkerProcess({ ...env, RPA_WORKER_SLOTS: '2' }));
      const approved = await decision;
      expect(approved.status).toBe('approved');
      expect(await writesOf(ticket)).toEqual([expect.objectContaining({ idempotencyKey: card!.approvalId })]);
      const outcome = await admin.query<{ status: string; outcome: { state: string } | null }>(`SELECT status, outcome FROM approvals WHERE id = $1`, [card!.approvalId]);
      expect(outcome.rows[0]!.outcome?.state).toBe('verified');
      const told = textOf((await asker.client.transcript('console-alice')).filter((m) => m.from !== 'alice'));
      expect(told).toMatch(/已写入并核验|written and verified/);
      expect(await unfinishedJobs()).toBe(0);
      const outbox = await admin.query(`SELECT status FROM outbox WHERE approval_id = $1`, [card!.approvalId]);
      expect(outbox.rows).toEqual([{ status: 'done' }]);
    }, 180_000);
  }
});
