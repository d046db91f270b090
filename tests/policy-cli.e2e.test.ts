/**
 * `npm run policy`: an admin moves a department's rollout stage while the app runs on PostgreSQL;
 * the app takes it within seconds, the change is audited under the admin, and nobody else may.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPolicyCli } from '../src/cli/policy.js';
import { bundledPolicyFile, readPolicyFile } from '../src/policies/policy.js';
import { applyDirectory } from '../src/store/directory.js';
import { parseDirectoryText } from '../src/store/directory-file.js';
import { TEST_AUDIT_KEY } from './helpers/audit-key.js';
import { cardOf, createTestDatabase, dbKinds, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

const pgOnly = (await dbKinds()).includes('postgres') ? describe : describe.skip;

pgOnly('changing a rollout stage from the command line', () => {
  let db: TestDatabase;
  let t: TestApp;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-policy-cli-'));
  const file = path.join(dir, 'policy.yaml');
  let env: Record<string, string>;
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runPolicyCli(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const audits = async (action: string) =>
    (await t.app.db.query<{ actor: string; details: Record<string, unknown> }>('SELECT actor, details FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows;

  beforeAll(async () => {
    fs.writeFileSync(file, fs.readFileSync(bundledPolicyFile, 'utf8'));
    db = await createTestDatabase('postgres');
    t = await startTestApp({ ...db.env, POLICY_FILE: file, POLICY_POLL_MS: '100' });
    env = { ...db.env, AUDIT_KEY: TEST_AUDIT_KEY, POLICY_FILE: file };
    await applyDirectory(
      t.app.db,
      parseDirectoryText('departments:\n  - { id: it, name: { zh: 信息技术部, en: IT } }\npeople:\n  - { id: frank, name: Frank, roles: [admin], department: it, regions: [hangzhou] }\n', 'yaml', 'people.yaml'),
      { actor: 'cli:ops', source: 'people.yaml' },
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('checks a file and names the line of a problem', async () => {
    const tools = Object.keys(readPolicyFile(file).tools).length;
    expect(tools).toBeGreaterThanOrEqual(18);
    expect(await cli('check')).toMatchObject({ code: 0, out: expect.stringContaining(`OK — ${tools} tools`) });
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, fs.readFileSync(file, 'utf8').replace('default: writes', 'default: maybe'));
    const r = await cli('check', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/line \d+: rollout\.default/);
  });

  it('lets an admin put a department at read_only, keeping the comments, and the running app takes it', async () => {
    expect(cardOf(await t.client.say('bob', '工单备注 T20261124-0012 已到场'))).toBeDefined();
    const r = await cli('stage', 'field-hangzhou', 'read_only', '--actor', 'frank');
    expect(r).toMatchObject({ code: 0, out: 'field-hangzhou (all tools): writes → read_only; every running app takes it within POLICY_POLL_MS' });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('# Gray release per department and tool');
    expect(text).toMatch(/field-hangzhou:\s*\n\s*stage: read_only/);
    await vi.waitFor(async () => expect((await audits('policy.reloaded')).length).toBeGreaterThan(0), { timeout: 8000 });
    const refused = await t.client.say('bob', '工单备注 T20261124-0013 已到场');
    expect(cardOf(refused)).toBeUndefined();
    expect(textOf(refused)).toBe('此操作尚未对你所在部门开放（ticket.addNote），未提交审批。');
    expect(textOf(await t.client.say('bob', '查工单 T20261124-0013'))).toContain('工单 T20261124-0013');
    // The OS account that ran it, and the admin it acted for (a terminal has no signed identity).
    expect(await audits('policy.stage_changed')).toEqual([
      { actor: `cli:${os.userInfo().username}`, details: expect.objectContaining({ department: 'field-hangzhou', tool: '*', from: 'writes', to: 'read_only', admin: 'frank' }) },
    ]);
    // One tool back on for them.
    expect((await cli('stage', 'field-hangzhou', 'writes', '--tool', 'ticket.addNote', '--actor', 'frank')).code).toBe(0);
    await vi.waitFor(async () => expect(cardOf(await t.client.say('bob', '工单备注 T20261124-0014 已到场'))).toBeDefined(), { timeout: 8000 });
  });

  it('refuses anyone who is not an admin, and a stage or tool that does not exist, writing nothing', async () => {
    const before = fs.readFileSync(file, 'utf8');
    expect(await cli('stage', 'cs-hangzhou', 'off', '--actor', 'carol')).toMatchObject({ code: 1, err: expect.stringContaining('carol is not an admin') });
    expect(await cli('stage', 'cs-hangzhou', 'off', '--actor', 'nobody')).toMatchObject({ code: 1, err: expect.stringContaining('not an active person') });
    expect((await cli('stage', 'cs-hangzhou', 'sometimes', '--actor', 'frank')).code).toBe(2);
    expect((await cli('stage', 'cs-hangzhou', 'off', '--tool', 'ticket.delete', '--actor', 'frank')).code).toBe(2);
    expect((await cli('stage', 'cs-hangzhou', 'off')).code).toBe(2);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect((await audits('policy.change_refused')).map((r) => [r.actor, r.details.admin, r.details.reason])).toEqual([
      [`cli:${os.userInfo().username}`, 'carol', 'not_admin'],
      [`cli:${os.userInfo().username}`, 'nobody', 'not_enrolled'],
    ]);
  });
});
