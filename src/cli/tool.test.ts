/**
 * `npm run tool` as a person runs it: a child process (tsx src/cli/tool.ts), its stdout JSON and
 * exit code, against the sandbox it starts in-process and an approvals table in PGlite.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDepartments, seedIdentities, seedPrincipals } from '../policies/principals.js';
import { actionHash } from '../policies/action-hash.js';
import { createApproval, decideApproval } from '../store/approvals-repo.js';
import { installDataKeys, resolveDataKeys } from '../store/data-keys.js';
import { openDb } from '../store/db.js';
import { seedDirectory } from '../store/directory.js';
import { migrate } from '../store/migrate.js';
import { createRun } from '../store/runs-repo.js';
import { legacyTools } from '../tools/catalog.js';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

let dataDir: string;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      tsx,
      ['src/cli/tool.ts', ...args],
      // No LEGACY_* URLs: the CLI starts the sandbox in its own process.
      { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir }, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 99) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const completion = { ticketId: 'T20261124-0012', fields: { broadbandAccount: 'hz81000123' }, expected: { broadbandAccount: null } };

/** An approval in the approvals table, for ticket.updateFields with `completion`, approved or not. */
async function makeApproval(approve: boolean): Promise<string> {
  // The approval's input is sealed with the data dir's demo key, which the CLI process reads too.
  installDataKeys(resolveDataKeys({ dataDir }).keyring);
  const db = await openDb({ dataDir });
  try {
    await migrate(db);
    await seedDirectory(db, { departments: seedDepartments, principals: seedPrincipals, identities: seedIdentities });
    const runId = randomUUID();
    await createRun(db, { id: runId, inboxId: null, channel: 'console', conversationId: 'c1', requesterId: 'alice', department: 'cs-hangzhou', lang: 'en' });
    const { row } = await createApproval(db, {
      id: randomUUID(),
      runId,
      threadId: runId,
      tool: 'ticket.updateFields',
      input: completion,
      actionHash: actionHash({ tool: 'ticket.updateFields', input: completion, requesterId: 'alice', threadId: runId }),
      requesterId: 'alice',
      department: 'cs-hangzhou',
      approverIds: ['carol'],
      title: 'complete ticket',
      lines: [],
      lang: 'en',
      ttlSeconds: 600,
      targetScope: [{ kind: 'region', id: 'hangzhou' }],
    });
    if (approve) {
      const d = await decideApproval(db, { id: row.id, status: 'approved', deciderId: 'carol', comment: null, auditDetails: {} });
      expect(d.won).toBe(true);
    }
    return row.id;
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sb-cli-'));
});
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('npm run tool', () => {
  it('--list prints every tool with its effect and input JSON schema', async () => {
    const { code, stdout } = await cli(['--list']);
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { name: string; effect: string; system: string; input: Record<string, unknown> }[];
    expect(list.map((t) => t.name)).toEqual(legacyTools.map((t) => t.name));
    const port = list.find((t) => t.name === 'resource.getPort')!;
    expect(port.effect).toBe('read');
    expect(JSON.stringify(port.input)).toContain('"pattern":"^OLT-[A-Z]{2}-\\\\d{1,3}$"');
    const write = list.find((t) => t.name === 'ticket.updateFields')!;
    expect(write.effect).toBe('write');
    expect(write.input).toMatchObject({ type: 'object', required: expect.arrayContaining(['ticketId', 'fields']) });
  });

  it('runs a read tool against the sandbox and prints its typed output with the evidence paths', async () => {
    const { code, stdout } = await cli(['resource.getPort', JSON.stringify({ olt: 'OLT-HZ-01', fsp: '0/1/3' })]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ tool: 'resource.getPort', ok: true, attempts: 1, output: { olt: 'OLT-HZ-01', fsp: '0/1/3', rxPowerDbm: -26.4, rxBand: 'marginal', onuId: 5 } });
    expect(out.evidence).toHaveLength(1);
    expect(out.evidence[0]).toMatch(/\.png$/);
    expect(existsSync(out.evidence[0])).toBe(true);
  });

  it('prints a typed error with exit code 1, and refuses bad usage with exit code 2', async () => {
    // Independent runs of read tools (no database involved): side by side.
    const [nf, bad, nope, notJson] = await Promise.all([
      cli(['resource.getPort', JSON.stringify({ olt: 'OLT-HZ-01', fsp: '0/9/9' })]),
      cli(['resource.getPort', '{"olt": 42}']),
      cli(['crm.nope', '{}']),
      cli(['resource.getPort', '{olt']),
    ]);
    expect(nf.code).toBe(1);
    expect(JSON.parse(nf.stdout)).toMatchObject({ ok: false, error: { name: 'BusinessError', code: 'not_found' } });

    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: 'invalid_input' }, attempts: 0, evidence: [] });

    expect(nope.stderr).toMatch(/refused: unknown tool crm.nope/);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/not valid JSON/);
  });

  it('refuses a write without an approved approval for exactly this input (exit 2), and runs it with one', async () => {
    const input = JSON.stringify(completion);
    const none = await cli(['ticket.updateFields', input]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs --approval/);

    const pending = await makeApproval(false);
    const p = await cli(['ticket.updateFields', input, '--approval', pending]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/is pending, not approved/);

    const approved = await makeApproval(true);
    const other = await cli(['ticket.updateFields', JSON.stringify({ ...completion, fields: { broadbandAccount: 'hz89999999' } }), '--approval', approved]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/different input/);

    const ok = await cli(['ticket.updateFields', input, '--approval', approved]);
    expect(ok.code, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout);
    expect(out).toMatchObject({ ok: true, output: { ticketId: 'T20261124-0012', updated: ['broadbandAccount'], alreadyApplied: false }, verify: { ok: true } });

    // The write went through the one approved-write path: outbox claimed and done, outcome
    // verified, a tool_calls row per call and an audit record naming the CLI as the executor.
    // A second run with the same approval is refused: an approval runs its write once.
    const again = await cli(['ticket.updateFields', input, '--approval', approved]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already used/);
    const db = await openDb({ dataDir });
    try {
      const outbox = await db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM outbox WHERE approval_id = $1', [approved]);
      expect(outbox.rows).toEqual([{ status: 'done', attempts: 1 }]);
      const approval = await db.query<{ outcome: { state: string } }>('SELECT outcome FROM approvals WHERE id = $1', [approved]);
      expect(approval.rows[0]!.outcome.state).toBe('verified');
      const calls = await db.query<{ tool: string; effect: string; status: string }>(
        'SELECT tool, effect, status FROM tool_calls WHERE run_id = (SELECT run_id FROM approvals WHERE id = $1) ORDER BY started_at',
        [approved],
      );
      // The write and its read-back; the target's region comes from the approval, not another read.
      expect(calls.rows.map((c) => `${c.tool}:${c.effect}:${c.status}`)).toEqual(['ticket.updateFields:write:ok', 'ticket.updateFields:write:ok']);
      const audit = await db.query<{ actor: string; action: string }>('SELECT actor, action FROM audit_log WHERE subject = $1 ORDER BY id', [approved]);
      const actions = audit.rows.map((r) => r.action);
      // The refused different input, the write, the refused reuse.
      expect(actions).toEqual(['approval.approved', 'write.refused', 'write.verified', 'write.refused']);
      expect(audit.rows[2]!.actor).toMatch(/^cli:/);
    } finally {
      await db.close();
    }
  });

  it('refuses an approval whose stored action hash does not match what would run, audits it and never runs it', async () => {
    const input = JSON.stringify(completion);
    const approved = await makeApproval(true);
    // Someone with database access widens the approved write after the decision.
    let db = await openDb({ dataDir });
    // The inputs are sealed at rest (AES-GCM), so an edit inside the ciphertext cannot be made:
    // the attacker replaces the whole value with a clear one of their own.
    const widened = JSON.stringify({ ...completion, fields: { ...completion.fields, broadbandAccount: 'hz89999999' } });
    await db.query(`UPDATE approvals SET input = $2::jsonb WHERE id = $1`, [approved, widened]);
    await db.query(`UPDATE outbox SET input = $2::jsonb WHERE approval_id = $1`, [approved, widened]);
    await db.close();
    const tampered = await cli(['ticket.updateFields', widened, '--approval', approved]);
    expect(tampered.code).toBe(2);
    expect(tampered.stderr).toMatch(/action hash mismatch/);
    // Nor does the originally approved input run any more: the approval is spent as failed.
    const original = await cli(['ticket.updateFields', input, '--approval', approved]);
    expect(original.code).toBe(2);
    expect(original.stderr).toMatch(/already used/);
    db = await openDb({ dataDir });
    try {
      expect((await db.query('SELECT status FROM outbox WHERE approval_id = $1', [approved])).rows).toEqual([{ status: 'failed' }]);
      const calls = await db.query('SELECT 1 FROM tool_calls WHERE run_id = (SELECT run_id FROM approvals WHERE id = $1)', [approved]);
      expect(calls.rows).toHaveLength(0);
      const refused = await db.query<{ details: { reason: string } }>(`SELECT details FROM audit_log WHERE subject = $1 AND action = 'write.refused' ORDER BY id`, [approved]);
      expect(refused.rows.map((r) => r.details.reason)).toEqual(['hash_mismatch', 'used']);
    } finally {
      await db.close();
    }
  });
});
