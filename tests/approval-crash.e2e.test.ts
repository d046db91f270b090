/**
 * kill -9 at each point between an approve click and the verified write (issue 10 §8), on both
 * databases. The app runs as a real child process (`tsx src/main.ts`) with the crash-point test
 * hook (SWITCHBOARD_CRASH_AT, src/agents/approvals/crash-points.ts), which SIGKILLs the process at
 * that point. The legacy portals run here, in the test process, so they outlive the app as real
 * systems would, and their own state says how often each ticket was written.
 *
 * One chain per database kind, the two kinds side by side: each process is started with the next
 * crash point, first recovers what the previous one left (asserted), then takes a click that kills
 * it. A last process without a crash point recovers the last one. Then: the used approvals are
 * refused by a second click and by the tool CLI, and the database holds nothing unfinished.
 * Along the way, an approval tampered with in the database (while no process runs) is approved
 * and refused at execution: audited, the requester told, nothing written.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../src/sandbox/server.js';
import type { Ticket } from '../src/sandbox/state.js';
import { openDb } from '../src/store/db.js';
import { verifyAuditChain } from '../src/store/audit.js';
import { LEGACY_SYSTEMS } from '../src/tools/systems.js';
import { CRASH_POINTS, type CrashPoint } from '../src/agents/approvals/crash-points.js';
import { TEST_AUDIT_KEY } from './helpers/audit-key.js';
import { TestClient, cardOf, createTestDatabase, dbKinds, type DbKind, type Reply, type TestDatabase } from './helpers/test-app.js';

const kinds = await dbKinds();
const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

/** Points after which the portal already holds the write. */
const WRITTEN_AT: readonly CrashPoint[] = ['tool.saved', 'write.verified'];

interface Child {
  proc: ChildProcess;
  client: TestClient;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

function startChild(env: Record<string, string>, crashAt?: CrashPoint): Promise<Child> {
  const proc = spawn(tsx, ['src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      PLANNER: 'commands',
      RPA_PAGES_PER_SYSTEM: '1',
      DATABASE_POOL_SIZE: '4',
      APPROVAL_SWEEP_MS: '1000',
      OUTBOX_RECOVERY_MS: '500',
      // Short, so a claim left by a killed process on PostgreSQL lapses quickly.
      OUTBOX_LEASE_MS: '2000',
      ...env,
      ...(crashAt ? { SWITCHBOARD_CRASH_AT: crashAt } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    // Generous: a new PGlite data dir on a loaded 2-core machine can take long to open.
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`app did not start:\n${out}`));
    }, 240_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /console:\s+(http:\/\/\S+)\/console/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, client: new TestClient(m[1]!.replace('localhost', '127.0.0.1')), exited, output: () => out });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code ?? signal}) before it was up:\n${out}`));
    });
  });
}

async function stopChild(child: Child): Promise<void> {
  child.proc.kill('SIGTERM');
  await child.exited;
}

function cli(env: Record<string, string>, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tsx, ['src/cli/tool.ts', ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 90_000 }, (err, _stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stderr }),
    );
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** Progress on stderr (a slow machine shows where the time goes). */
const step = (kind: string, what: string) => process.stderr.write(`[approval-crash ${kind}] ${new Date().toISOString().slice(11, 19)} ${what}\n`);

const texts = (replies: Reply[]) => replies.filter((r) => r.kind === 'text').map((r) => r.text ?? '');

describe('kill -9 between the approve click and the verified write', () => {
  const sandboxes = new Map<DbKind, SandboxHandle>();
  const dbs = new Map<DbKind, TestDatabase>();

  beforeAll(async () => {
    for (const kind of kinds) {
      sandboxes.set(kind, await startSandbox({ port: 0 }));
      dbs.set(kind, await createTestDatabase(kind));
    }
  });
  afterAll(async () => {
    for (const db of dbs.values()) await db.drop();
    for (const sb of sandboxes.values()) await sb.close();
  });

  it.concurrent.each(kinds)('on %s: every crash point recovers to exactly one verified write, a finished run and told requester', async (kind) => {
    const sandbox = sandboxes.get(kind)!;
    const db = dbs.get(kind)!;
    const env: Record<string, string> = { ...db.env, AUDIT_KEY: TEST_AUDIT_KEY, ...Object.fromEntries(LEGACY_SYSTEMS.map((s) => [s.env, `${sandbox.url}${s.sandboxPath}`])) };
    const writesOf = (ticketId: string) => sandbox.state.writes.filter((w) => w.ticketId === ticketId);
    const tickets = sandbox.state.tickets
      .filter((tk: Ticket) => tk.region === 'hangzhou' && (tk.status === 'open' || tk.status === 'in_progress') && tk.customerId && (tk.broadbandAccount === '' || tk.address === ''))
      .map((tk) => tk.id);
    expect(tickets.length).toBeGreaterThanOrEqual(CRASH_POINTS.length + 1);
    const tamperTicket = tickets.pop()!;

    /** Everything a finished approval shows to the people involved. */
    const assertRecovered = async (client: TestClient, ticketId: string, approvalId: string) => {
      await until(`the requester told about ${ticketId}`, async () =>
        texts(await client.transcript('console-alice')).some((t) => t.includes(ticketId) && t.includes('written and verified')),
      );
      // Alice asked in English; Carol reads her copy in her own language (Chinese).
      for (const [conversation, done] of [['console-alice', 'Written and verified'], ['console-carol', '已写入并核验']] as const) {
        const copies = await until(`every card copy of ${ticketId} final in ${conversation}`, async () => {
          const c = (await client.transcript(conversation)).filter((m) => m.approvalId === approvalId);
          return c.length > 0 && c.every((m) => JSON.stringify(m.card).includes(done)) && c;
        });
        for (const copy of copies) expect(copy.card!.actions ?? []).toEqual([]);
      }
      expect(writesOf(ticketId)).toHaveLength(1);
      expect(writesOf(ticketId)[0]!.idempotencyKey).toBe(approvalId);
    };

    const approvals: { point: CrashPoint; ticketId: string; approvalId: string }[] = [];
    let tamperedId = '';
    for (const [i, point] of CRASH_POINTS.entries()) {
      step(kind, `start with SWITCHBOARD_CRASH_AT=${point}`);
      const child = await startChild(env, point);
      const prev = approvals[i - 1];
      step(kind, 'up');
      if (prev) await assertRecovered(child.client, prev.ticketId, prev.approvalId);
      if (prev) step(kind, `recovered ${prev.point}`);
      if (i === 1) {
        // Approve the approval tampered with while no process ran: refused at execution.
        const res = await child.client.act('carol', tamperedId, 'approve');
        expect(res.status).toBe('approved');
        const told = texts(await child.client.transcript('console-alice')).filter((t) => t.includes(tamperTicket));
        expect(told.join('\n')).toContain('what would run differs from what was approved');
        expect(writesOf(tamperTicket)).toHaveLength(0);
      }
      const ticketId = tickets[i]!;
      const card = cardOf(await child.client.say('alice', `complete ticket ${ticketId}`));
      expect(card?.approvalId, `a card for ${ticketId}`).toBeTruthy();
      approvals.push({ point, ticketId, approvalId: card!.approvalId! });
      if (i === 0) {
        const tamper = cardOf(await child.client.say('alice', `complete ticket ${tamperTicket}`));
        tamperedId = tamper!.approvalId!;
      }
      // The click kills the process at `point`, before the answer.
      step(kind, `click, expecting a crash at ${point}`);
      await expect(child.client.act('carol', card!.approvalId!, 'approve')).rejects.toThrow();
      // tsx relays its node child's SIGKILL as exit code 128 + 9.
      const exit = await child.exited;
      expect(exit.signal === 'SIGKILL' || exit.code === 137, child.output()).toBe(true);
      expect(child.output()).toContain(`SIGKILL at ${point}`);
      expect(writesOf(ticketId)).toHaveLength(WRITTEN_AT.includes(point) ? 1 : 0);
      if (i === 0) {
        // An attacker with database access widens the pending approval's input and re-hashes it
        // with a hash of their own; the outbox copy and the proposal no longer match.
        const raw = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR!, poolSize: 1 });
        await raw.query(`UPDATE approvals SET action_hash = repeat('0', 64) WHERE id = $1`, [tamperedId]);
        await raw.close();
      }
    }

    step(kind, 'start without a crash point');
    const last = await startChild(env);
    try {
      const final = approvals.at(-1)!;
      await assertRecovered(last.client, final.ticketId, final.approvalId);
      // A used approval: a second click is refused, nothing runs again.
      const again = await last.client.act('carol', approvals[0]!.approvalId, 'approve');
      expect(again).toMatchObject({ status: 'refused', reason: 'already_decided' });
    } finally {
      await stopChild(last);
    }
    for (const a of approvals) expect(writesOf(a.ticketId), a.point).toHaveLength(1);
    expect(writesOf(tamperTicket)).toHaveLength(0);

    step(kind, 'all recovered; the CLI');
    // And by hand: the tool CLI refuses the used approval (exit 2), writing nothing.
    const used = approvals[0]!;
    const raw = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR!, poolSize: 1 });
    let usedInput: unknown;
    try {
      usedInput = (await raw.query<{ input: unknown }>('SELECT input FROM approvals WHERE id = $1', [used.approvalId])).rows[0]!.input;
    } finally {
      await raw.close();
    }
    const byHand = await cli(env, ['ticket.updateFields', JSON.stringify(usedInput), '--approval', used.approvalId]);
    expect(byHand.code, byHand.stderr).toBe(2);
    expect(byHand.stderr).toMatch(/already used/);
    expect(writesOf(used.ticketId)).toHaveLength(1);

    const check = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR!, poolSize: 1 });
    try {
      const ids = approvals.map((a) => a.approvalId);
      const rows = await check.query<{ id: string; outbox: string; outcome: { state: string }; run: string }>(
        `SELECT a.id, o.status AS outbox, a.outcome, r.status AS run FROM approvals a JOIN outbox o ON o.approval_id = a.id JOIN runs r ON r.id = a.run_id WHERE a.id = ANY($1)`,
        [ids],
      );
      expect(rows.rows).toHaveLength(approvals.length);
      for (const r of rows.rows) expect({ outbox: r.outbox, outcome: r.outcome.state, run: r.run }).toEqual({ outbox: 'done', outcome: 'verified', run: 'succeeded' });
      const tampered = await check.query<{ outbox: string; run: string }>(
        `SELECT o.status AS outbox, r.status AS run FROM approvals a JOIN outbox o ON o.approval_id = a.id JOIN runs r ON r.id = a.run_id WHERE a.id = $1`,
        [tamperedId],
      );
      expect(tampered.rows).toEqual([{ outbox: 'failed', run: 'failed' }]);
      const refused = await check.query<{ details: { reason: string } }>(`SELECT details FROM audit_log WHERE action = 'write.refused' AND subject = $1`, [tamperedId]);
      expect(refused.rows.map((r) => r.details.reason)).toEqual(['hash_mismatch']);
      expect((await check.query(`SELECT 1 FROM outbox WHERE status IN ('pending', 'running')`)).rows).toHaveLength(0);
      expect((await check.query(`SELECT 1 FROM runs WHERE status IN ('running', 'awaiting_approval')`)).rows).toHaveLength(0);
      expect(await verifyAuditChain(check)).toMatchObject({ ok: true });
    } finally {
      await check.close();
    }
  }, 600_000);
});
