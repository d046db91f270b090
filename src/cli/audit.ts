/**
 * `npm run audit -- verify`: check the audit chain against the key and the anchored heads.
 *
 *   npm run audit -- verify                      DATA_DIR/audit-anchors.jsonl as the anchors
 *   npm run audit -- verify --anchors FILE       anchors from elsewhere (e.g. the webhook's copy)
 *   npm run audit -- verify --json               the verdict as one JSON object
 *
 * Reads the same configuration as the app (DATABASE_URL or DATA_DIR's PGlite, AUDIT_KEY or the
 * demo key file, AUDIT_PREVIOUS_KEYS). Read-only: it never creates a key or writes a row. With
 * embedded PGlite the app must be stopped first (one process per data dir).
 *
 * Exit codes: 0 the chain is intact; 1 it is broken (the first bad row is named); 2 usage or
 * configuration error (nothing was verified).
 *
 * A composition root like src/main.ts, so it may import config and store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../config.js';
import { AuditKeyError, resolveAuditKeys } from '../store/audit-keys.js';
import { AUDIT_ANCHORS_FILE } from '../store/audit-anchor.js';
import { verifyAuditChain, type AuditVerdict } from '../store/audit.js';
import { DataDirLockedError, openDb } from '../store/db.js';

const USAGE = 'usage: npm run audit -- verify [--anchors FILE] [--json]';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export async function runAuditCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'verify') {
    io.err(command === undefined ? USAGE : `unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  let anchorsPath: string | undefined;
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--json') json = true;
    else if (a === '--anchors' && rest[i + 1]) anchorsPath = rest[++i];
    else {
      io.err(`unknown option "${a}"\n${USAGE}`);
      return 2;
    }
  }

  let verdict: AuditVerdict;
  try {
    const config = loadConfig(env);
    const keys = resolveAuditKeys(config, { create: false, log: io.err });
    const anchors = path.resolve(anchorsPath ?? path.join(config.DATA_DIR, AUDIT_ANCHORS_FILE));
    // Opening PGlite on an empty directory would create a database: verify only what exists.
    if (!config.DATABASE_URL && !fs.existsSync(path.join(config.DATA_DIR, 'pglite'))) {
      io.err(`no embedded database in ${path.resolve(config.DATA_DIR)} (set DATA_DIR, or DATABASE_URL for PostgreSQL)`);
      return 2;
    }
    const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 1 });
    try {
      verdict = await verifyAuditChain(db, { keys, anchors });
    } finally {
      await db.close();
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AuditKeyError || err instanceof DataDirLockedError) {
      io.err(err.message);
      return 2;
    }
    io.err(`cannot verify: ${(err as Error).message}`);
    return 2;
  }

  if (json) io.out(JSON.stringify(verdict));
  else if (verdict.ok) {
    const a = verdict.anchors;
    io.out(
      `audit chain OK: ${verdict.rows} rows (chain entries #1..#${verdict.lastSeq}${verdict.unkeyedRows ? `, ${verdict.unkeyedRows} unkeyed from before the key` : ''}); ` +
        (a.newest ? `${a.checked} anchors checked, newest #${a.newest.lastSeq} at ${a.newest.at}` : 'no anchors to check against (a cut-off tail cannot be detected)') +
        (a.unreadable ? `; ${a.unreadable} unreadable anchor lines ignored` : ''),
    );
  } else {
    io.out(`audit chain BROKEN${verdict.brokenAt ? ` at row ${verdict.brokenAt}` : ''} (${verdict.kind}): ${verdict.reason}`);
  }
  return verdict.ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runAuditCli(process.argv.slice(2), process.env, { out: (l) => console.log(l), err: (l) => console.error(l) }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
