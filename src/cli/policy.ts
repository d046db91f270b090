/**
 * `npm run policy -- …`: the policy document from the operator's terminal.
 *
 *   check [FILE]                                   the file's problems, each with its line and field
 *   stage DEPARTMENT off|read_only|writes [--tool TOOL] --actor PRINCIPAL
 *                                                  gray release: one department's stage, for all its
 *                                                  tools or one; only an admin of the directory may
 *
 * `stage` edits POLICY_FILE (default config/policy.yaml) in place, keeping its comments, checks the
 * result like the app does, writes it atomically and audits `policy.stage_changed` under the
 * OS account that ran it, with the admin it acts for; every running app reloads it within POLICY_POLL_MS. A refused change
 * writes nothing and is audited too. Exit codes: 0 done; 1 refused; 2 usage or configuration.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMap, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.js';
import { PolicyFileError, bundledPolicyFile, parsePolicy, readPolicyText, rolloutStage, stageSchema, type RolloutStage } from '../policies/policy.js';
import { checkedPolicy, sha256 } from '../policies/policy-watcher.js';
import { legacyTools } from '../tools/catalog.js';
import { callDeadlineMs } from '../tools/runner.js';
import { AuditKeyError, resolveAuditKeys } from '../store/audit-keys.js';
import { appendAudit, useAuditKeys } from '../store/audit.js';
import { Directory } from '../store/directory.js';
import type { Db } from '../store/db.js';
import { openOperatorDb, type CliIo } from './open-db.js';

const USAGE = [
  'usage: npm run policy -- <command>',
  '  check [FILE]                                          default: POLICY_FILE or config/policy.yaml',
  '  stage DEPARTMENT off|read_only|writes [--tool TOOL] --actor PRINCIPAL   (an admin of the directory)',
].join('\n');

class UsageError extends Error {}

const departmentArg = z.string().regex(/^[\w.@-]{1,128}$/, 'a department id: letters, digits and . @ - _ only');
const principalArg = z.string().regex(/^[\w.@-]{1,128}$/, 'a principal id');
const toolArg = z.string().regex(/^[a-z]+\.[a-zA-Z]+$/, 'a tool name like system.verb');

function arg<T>(schema: z.ZodType<T>, value: string | undefined, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`${what} "${value ?? ''}": ${r.error.issues[0]?.message}\n${USAGE}`);
  return r.data;
}

export async function runPolicyCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let db: Db | undefined;
  try {
    const [command, ...rest] = argv;
    const config = loadConfig(env);
    const registered = new Set(legacyTools.map((t) => t.name));
    const deadline = callDeadlineMs(config);
    if (command === 'check') {
      const file = rest[0] ?? config.POLICY_FILE ?? bundledPolicyFile;
      const policy = checkedPolicy(readPolicyText(file), file, registered, deadline);
      io.out(`${file}: OK — ${Object.keys(policy.tools).length} tools, ${Object.keys(policy.rollout.departments).length} departments staged, default stage ${policy.rollout.default}`);
      return 0;
    }
    if (command !== 'stage') throw new UsageError(USAGE);
    const flags = new Map<string, string>();
    const positional: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (a === '--tool' || a === '--actor') flags.set(a, rest[++i] ?? '');
      else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}\n${USAGE}`);
      else positional.push(a);
    }
    const department = arg(departmentArg, positional[0], 'department');
    const stage = arg(stageSchema, positional[1], 'stage');
    const tool = flags.has('--tool') ? arg(toolArg, flags.get('--tool'), 'tool') : undefined;
    const actorId = arg(principalArg, flags.get('--actor'), '--actor');
    if (tool && !registered.has(tool)) throw new UsageError(`tool "${tool}": no such tool`);
    const file = config.POLICY_FILE ?? bundledPolicyFile;

    useAuditKeys(resolveAuditKeys(config, { create: false, log: io.err }));
    const opened = await openOperatorDb(config, io, { migration: '012_rate_limits.sql', applyingTo: 'the policy' });
    if (typeof opened === 'number') return opened;
    db = opened;
    const directory = await new Directory(db).reload();
    const actor = directory.get(actorId);
    // A terminal has no signed identity: the audit names the OS account that ran the command, and
    // the admin it said it acts for (checked against the directory, a guard, not a login).
    const cliActor = `cli:${os.userInfo().username}`;
    const target = { department, tool: tool ?? '*', to: stage, admin: actorId };
    if (!actor?.roles.includes('admin')) {
      await appendAudit(db, { actor: cliActor, action: 'policy.change_refused', subject: path.basename(file), details: { ...target, reason: actor ? 'not_admin' : 'not_enrolled' } });
      io.err(`refused, nothing was changed: ${actor ? `${actorId} is not an admin` : `${actorId} is not an active person in the directory`} (only an admin changes the policy)`);
      return 1;
    }

    const before = readPolicyText(file);
    const current = parsePolicy(before, file);
    const known = current.rollout.departments[department];
    const from: RolloutStage = tool ? rolloutStage(current, department, tool) : (known?.stage ?? current.rollout.default);
    const doc = parseDocument(before);
    const deptPath = ['rollout', 'departments', department];
    if (!isMap(doc.getIn(deptPath))) doc.setIn(deptPath, doc.createNode({ stage: tool ? current.rollout.default : stage, tools: {} }));
    // Block style for what this command writes, so a reviewer reads one department per line group.
    for (const node of [doc.getIn(['rollout', 'departments'], true), doc.getIn(deptPath, true)]) if (isMap(node)) node.flow = false;
    if (tool) doc.setIn([...deptPath, 'tools', tool], stage);
    else doc.setIn([...deptPath, 'stage'], stage);
    const after = doc.toString();
    checkedPolicy(after, file, registered, deadline);
    // Atomic: a running app's watcher never reads a half-written file.
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, after);
    fs.renameSync(tmp, file);
    await appendAudit(db, { actor: cliActor, action: 'policy.stage_changed', subject: path.basename(file), details: { ...target, from, sha256: sha256(after) } });
    io.out(`${department} ${tool ?? '(all tools)'}: ${from} → ${stage}; every running app takes it within POLICY_POLL_MS`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof AuditKeyError) {
      io.err(err.message);
      return 2;
    }
    if (err instanceof PolicyFileError) {
      io.err(`refused: ${err.message}`);
      return 1;
    }
    io.err(`failed: ${(err as Error).message}`);
    return 2;
  } finally {
    await db?.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runPolicyCli(process.argv.slice(2), process.env, { out: (l) => console.log(l), err: (l) => console.error(l) }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
