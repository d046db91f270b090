/**
 * `npm run directory -- …`: the operator's tool for the people Switchboard knows (README "Adding
 * real people").
 *
 *   import FILE [--dry-run]                      upsert people from YAML (.yaml/.yml), CSV (.csv) or JSON
 *   list [--json]                                everyone, leavers included, with their identities
 *   map PRINCIPAL KIND PLATFORM_ID               KIND: teams | feishu-open | feishu-union | oidc
 *   unmap KIND PLATFORM_ID                       remove a mistaken mapping
 *   disable PRINCIPAL [--reason TEXT]            a leaver: refused everywhere within seconds
 *   enable PRINCIPAL
 *   every change: [--actor NAME]                 audited as cli:NAME (default: the OS user)
 *
 * Works on the database the app uses (DATABASE_URL), while the app runs: every process sees a
 * change within DIRECTORY_POLL_MS at most (at once where it hears the NOTIFY). With embedded
 * PGlite (no DATABASE_URL) the running app holds DATA_DIR and nothing else may open it: the CLI
 * says so and how to proceed (stop the app, or use PostgreSQL).
 *
 * Exit codes: 0 done; 1 the change was refused (a bad file, an unknown person) and nothing was
 * written; 2 usage or configuration error.
 *
 * A composition root like src/main.ts, so it may import config and store. Names are printed
 * (an operator reads them on their own terminal) but never logged or audited.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.js';
import { AuditKeyError, resolveAuditKeys } from '../store/audit-keys.js';
import { useAuditKeys } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { openOperatorDb, type CliIo } from './open-db.js';
import { applyDirectory, DirectoryChangeError, listDirectory, mapIdentity, setPrincipalActive, unmapIdentity, type ImportReport } from '../store/directory.js';
import { DirectoryFileError, IDENTITY_KINDS, normalizePlatformId, readDirectoryFile, type IdentityKind } from '../store/directory-file.js';
import { formatRoster } from '../policies/roster.js';

const USAGE = [
  'usage: npm run directory -- <command>',
  '  import FILE [--dry-run]             FILE: .yaml/.yml, .csv or .json',
  '  list [--json]',
  '  map PRINCIPAL teams|feishu-open|feishu-union|oidc PLATFORM_ID',
  '  unmap teams|feishu-open|feishu-union|oidc PLATFORM_ID',
  '  disable PRINCIPAL [--reason TEXT]',
  '  enable PRINCIPAL',
  '  changes take --actor NAME (audited as cli:NAME; default: your OS user name)',
].join('\n');


const KINDS: Record<string, IdentityKind> = { teams: 'teams_object_id', 'feishu-open': 'feishu_open_id', 'feishu-union': 'feishu_union_id', oidc: 'oidc_subject' };
const principalArg = z.string().regex(/^[\w.@-]{1,128}$/, 'a principal id: letters, digits and . @ - _ only');
const actorArg = z.string().regex(/^[\w.@-]{1,64}$/, 'letters, digits and . @ - _ only');

class UsageError extends Error {}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`${what} "${String(value)}": ${r.error.issues[0]?.message}`);
  return r.data;
}

interface Parsed {
  command: string;
  args: string[];
  flags: { dryRun: boolean; json: boolean; reason?: string; actor?: string };
}

function parseArgs(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError(USAGE);
  const args: string[] = [];
  const flags: Parsed['flags'] = { dryRun: false, json: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--dry-run') flags.dryRun = true;
    else if (a === '--json') flags.json = true;
    else if ((a === '--reason' || a === '--actor') && rest[i + 1] !== undefined) flags[a === '--reason' ? 'reason' : 'actor'] = rest[++i]!;
    else if (a.startsWith('--')) throw new UsageError(`unknown option "${a}"\n${USAGE}`);
    else args.push(a);
  }
  const arity: Record<string, number> = { import: 1, list: 0, map: 3, unmap: 2, disable: 1, enable: 1 };
  const n = arity[command];
  if (n === undefined) throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  if (args.length !== n) throw new UsageError(`${command} takes ${n} argument${n === 1 ? '' : 's'}, got ${args.length}\n${USAGE}`);
  return { command, args, flags };
}

function actorOf(flag: string | undefined): string {
  const name = flag ?? process.env.SUDO_USER ?? safeUserName();
  return `cli:${check(actorArg, name, '--actor')}`;
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

function kindOf(arg: string): IdentityKind {
  const kind = KINDS[arg];
  if (!kind) throw new UsageError(`unknown identity kind "${arg}" (teams, feishu-open, feishu-union, oidc)`);
  return kind;
}

function platformIdOf(kind: IdentityKind, raw: string): string {
  const id = normalizePlatformId(kind, raw);
  if (!IDENTITY_KINDS[kind].shape.test(id)) throw new DirectoryChangeError(`${raw}: not a ${kind} (expected ${IDENTITY_KINDS[kind].hint})`);
  return id;
}

export async function runDirectoryCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let parsed: Parsed;
  let db: Db | undefined;
  try {
    parsed = parseArgs(argv);
    // A bad file is refused before the database is even opened.
    const seed = parsed.command === 'import' ? readDirectoryFile(parsed.args[0]!, parsed.args[0]!) : undefined;
    const config = loadConfig(env);
    if (parsed.command !== 'list') useAuditKeys(resolveAuditKeys(config, { create: false, log: io.err }));
    const opened = await openOperatorDb(config, io, { migration: '011_directory.sql', applyingTo: 'the directory' });
    if (typeof opened === 'number') return opened;
    db = opened;
    return await run(db, parsed, seed, io);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof AuditKeyError) {
      io.err(err.message);
      return 2;
    }
    if (err instanceof DirectoryFileError) {
      io.err(`${err.label}: refused, nothing was imported:`);
      for (const p of err.problems) io.err(`  ${p}`);
      return 1;
    }
    if (err instanceof DirectoryChangeError) {
      io.err(`refused, nothing was changed: ${err.message}`);
      return 1;
    }
    io.err(`failed: ${(err as Error).message}`);
    return 2;
  } finally {
    await db?.close();
  }
}

async function run(db: Db, p: Parsed, seed: ReturnType<typeof readDirectoryFile> | undefined, io: CliIo): Promise<number> {
  const [a0, a1, a2] = p.args;
  switch (p.command) {
    case 'import': {
      const actor = actorOf(p.flags.actor);
      const report = await applyDirectory(db, seed!, { actor, source: path.basename(a0!), dryRun: p.flags.dryRun, audit: 'always' });
      for (const line of importSummary(report)) io.out(line);
      return 0;
    }
    case 'list':
      return list(db, p.flags.json, io);
    case 'map': {
      const id = check(principalArg, a0, 'principal');
      const kind = kindOf(a1!);
      const platformUserId = platformIdOf(kind, a2!);
      const r = await mapIdentity(db, { principalId: id, channel: IDENTITY_KINDS[kind].channel, platformUserId }, { actor: actorOf(p.flags.actor) });
      io.out(!r.changed ? `${id} already has ${kind} ${platformUserId}: nothing changed` : `mapped ${kind} ${platformUserId} to ${id}${r.movedFrom ? ` (moved from ${r.movedFrom})` : ''}`);
      return 0;
    }
    case 'unmap': {
      const kind = kindOf(a0!);
      const platformUserId = platformIdOf(kind, a1!);
      const r = await unmapIdentity(db, { channel: IDENTITY_KINDS[kind].channel, platformUserId }, { actor: actorOf(p.flags.actor) });
      io.out(r.removedFrom ? `removed ${kind} ${platformUserId} from ${r.removedFrom}` : `nobody has ${kind} ${platformUserId}: nothing changed`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const id = check(principalArg, a0, 'principal');
      const active = p.command === 'enable';
      const r = await setPrincipalActive(db, id, active, { actor: actorOf(p.flags.actor), ...(p.flags.reason !== undefined ? { reason: p.flags.reason } : {}) });
      io.out(!r.changed ? `${id} is already ${active ? 'active' : 'disabled'}: nothing changed` : active ? `enabled ${id}` : `disabled ${id}: refused on every channel within seconds; their console sessions are ended`);
      return 0;
    }
  }
  throw new UsageError(USAGE);
}

export function importSummary(r: ImportReport): string[] {
  const ids = (xs: string[]) => (xs.length ? ` (${xs.slice(0, 20).join(', ')}${xs.length > 20 ? ', …' : ''})` : '');
  return [
    `${r.dryRun ? 'dry run, nothing written: would have ' : ''}added ${r.added.length}${ids(r.added)}, changed ${r.changed.length}${ids(r.changed.map((c) => `${c.id}: ${c.fields.join(',')}`))}, disabled ${r.disabled.length}${ids(r.disabled)}, enabled ${r.enabled.length}${ids(r.enabled)}, unchanged ${r.unchanged}`,
    `identities: ${r.identities.added} added, ${r.identities.moved.length} moved${ids(r.identities.moved.map((m) => `${m.channel}/${m.platformUserId} ${m.from} -> ${m.to}`))}; departments: ${r.departments.added.length} added, ${r.departments.changed.length} renamed`,
  ];
}

async function list(db: Db, json: boolean, io: CliIo): Promise<number> {
  const d = await listDirectory(db);
  if (json) {
    io.out(JSON.stringify({ version: d.version.toString(), departments: d.departments, people: d.people }));
    return 0;
  }
  const rows = d.people.map((p) => [
    p.id,
    p.name,
    p.active ? 'active' : `DISABLED${p.disabledAt ? ` ${p.disabledAt.toISOString().slice(0, 10)}` : ''}`,
    p.roles.join(','),
    p.department,
    p.regions.join(','),
    p.language ?? 'zh',
    p.manager ?? '',
    formatRoster(p.onDuty),
    p.identities.filter((i) => i.channel !== 'console').map((i) => `${i.kind ?? i.channel}=${i.platformUserId}`).join(' '),
  ]);
  const header = ['id', 'name', 'state', 'roles', 'department', 'regions', 'lang', 'manager', 'on duty', 'identities'];
  const width = header.map((h, k) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[k]!))));
  const line = (cells: string[]) => cells.map((c, k) => (k === cells.length - 1 ? c : c + ' '.repeat(width[k]! - displayWidth(c)))).join('  ').trimEnd();
  io.out(line(header));
  for (const r of rows) io.out(line(r));
  io.out(`${d.people.length} people (${d.people.filter((p) => !p.active).length} disabled), ${d.departments.length} departments, directory version ${d.version}`);
  return 0;
}

/** CJK characters take two columns in a terminal. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runDirectoryCli(process.argv.slice(2), process.env, { out: (l) => console.log(l), err: (l) => console.error(l) }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
