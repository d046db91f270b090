/**
 * The policy document is reloaded while the app runs: a change takes effect within seconds, a
 * broken file is refused with its line and the policy in force stays, both audited.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPolicyFile } from '../src/policies/policy.js';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { TEST_AUDIT_KEY, TEST_DATA_KEYS } from './helpers/audit-key.js';
import { createTestDatabase, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('policy reload', () => {
  let db: TestDatabase;
  let t: TestApp;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-policy-'));
  const file = path.join(dir, 'policy.yaml');
  const shipped = fs.readFileSync(bundledPolicyFile, 'utf8');
  const audits = async (action: string) =>
    (await t.app.db.query<{ details: Record<string, unknown> }>('SELECT details FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows;

  beforeAll(async () => {
    fs.writeFileSync(file, shipped);
    db = await createTestDatabase('pglite');
    t = await startTestApp({ ...db.env, POLICY_FILE: file, POLICY_POLL_MS: '100' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes a changed rule within seconds, without a restart', async () => {
    expect(textOf(await t.client.say('alice', '查客户 C000123'))).toContain('客户 C000123（杭州）');
    // Compliance takes customer records away from front-line agents.
    fs.writeFileSync(file, shipped.replace('crm.getCustomer:\n    roles: [cs_agent, field_tech, manager]', 'crm.getCustomer:\n    roles: [manager]'));
    const denied = await eventually(
      async () => textOf(await t.client.say('alice', '查客户 C000123')),
      (x) => x.includes('无权'),
    );
    expect(denied).toContain('你的角色无权执行此操作（crm.getCustomer）');
    expect((await audits('policy.reloaded')).length).toBe(1);
    // Carol, a manager, still may.
    expect(textOf(await t.client.say('carol', '查客户 C000123'))).toContain('客户 C000123（杭州）');
  });

  it('refuses a broken file with its line, keeps the policy in force, and says so in the audit', async () => {
    const before = fs.readFileSync(file, 'utf8');
    const broken = before.replace('ticket.get: { roles: [cs_agent, field_tech, manager] }', 'ticket.get: { roles: [cs_agent, janitor] }');
    expect(broken).not.toBe(before);
    fs.writeFileSync(file, broken);
    const rejected = await eventually(() => audits('policy.reload_rejected'), (rows) => rows.length > 0);
    expect(rejected).toHaveLength(1);
    const problems = rejected[0]!.details.problems as { line: number; field: string }[];
    const line = before.split('\n').findIndex((l) => l.includes('ticket.get:')) + 1;
    expect(problems).toEqual([expect.objectContaining({ line, field: 'tools.ticket.get.roles.1' })]);
    // The policy in force is the last good one: Bob (field tech) still reads tickets, Alice still may not read customers.
    expect(textOf(await t.client.say('bob', '查工单 T20261124-0012'))).toContain('工单 T20261124-0012');
    expect(textOf(await t.client.say('alice', '查客户 C000123'))).toContain('无权');
    // Fixed again: taken at once.
    fs.writeFileSync(file, shipped);
    await eventually(() => audits('policy.reloaded'), (rows) => rows.length === 2);
    expect(textOf(await t.client.say('alice', '查客户 C000123'))).toContain('客户 C000123（杭州）');
  });

  it("takes a data-scope rule and a masking pattern within seconds: a technician's reach, an operator's own numbers", async () => {
    fs.writeFileSync(file, shipped);
    await eventually(() => audits('policy.reloaded'), (rows) => rows.length >= 2);
    const before = (await audits('policy.reloaded')).length;
    expect(textOf(await t.client.say('bob', '查告警 OLT-NB-01'))).toContain('不在你的数据权限范围内');
    // Field technicians now also cover Ningbo; the operator's staff numbers (GH + 6 digits) are personal.
    fs.writeFileSync(
      file,
      shipped
        .replace('  roles: {}\n  departments: {}', '  roles:\n    field_tech: { regions: [hangzhou, ningbo] }\n  departments: {}')
        .replace("  patterns:\n", "  patterns:\n    - { name: staff number, regex: 'GH[0-9]{6}', keepStart: 2, keepEnd: 0 }\n"),
    );
    await eventually(() => audits('policy.reloaded'), (rows) => rows.length > before);
    const nb = textOf(await t.client.say('bob', '查告警 OLT-NB-01'));
    expect(nb).not.toContain('数据权限');
    expect(nb).toContain('OLT-NB-01');
    // Dave, a manager with the default rule, still sees only Hangzhou.
    expect(textOf(await t.client.say('dave', '查告警 OLT-NB-01'))).toContain('不在你的数据权限范围内');
    // The staff number is masked in the stored transcript, the inbox is encrypted, and no row holds it in clear.
    await t.client.say('bob', '工号 GH123456 查工单 T20261124-0012');
    const rows = await t.app.db.query<{ text: string }>(`SELECT text FROM console_messages WHERE text LIKE '%GH%'`);
    expect(rows.rows.map((r) => r.text)).toContain('工号 GH****** 查工单 T20261124-0012');
    const clear = await t.app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE details::text LIKE '%GH123456%'`);
    expect(clear.rows[0]!.n).toBe(0);
    fs.writeFileSync(file, shipped);
    await eventually(() => audits('policy.reloaded'), (rows) => rows.length > before + 1);
  });

  it('refuses to start on a broken policy file, naming the line', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, shipped.replace('rollout:\n  default: writes', 'rollout:\n  default: sometimes'));
    const other = await createTestDatabase('pglite');
    try {
      const config = loadConfig({ ...other.env, PORT: '0', SANDBOX_PORT: '0', HOST: '127.0.0.1', AUDIT_KEY: TEST_AUDIT_KEY, DATA_KEYS: TEST_DATA_KEYS, POLICY_FILE: bad });
      const line = shipped.split('\n').findIndex((l) => l.startsWith('  default: writes')) + 1;
      await expect(startApp(config)).rejects.toThrow(`line ${line}: rollout.default`);
    } finally {
      await other.drop();
    }
  });
});
