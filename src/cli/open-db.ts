/**
 * How an operator command opens the database the app uses: PostgreSQL (DATABASE_URL) works while
 * the app runs; embedded PGlite is held by the running app, and the command says so and how to
 * proceed rather than failing with a lock error.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { DataDirLockedError, openDb, type Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { bundledPolicyFile, readPolicyFile, setActivePolicy } from '../policies/policy.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** The database, or the exit code (2) after telling why it cannot be opened. */
export async function openOperatorDb(config: Config, io: CliIo, needs: { migration: string; applyingTo: string }): Promise<Db | number> {
  // What the command writes is masked as the app masks it: the policy's own patterns too.
  try {
    setActivePolicy(readPolicyFile(config.POLICY_FILE ?? bundledPolicyFile));
  } catch (err) {
    io.err(`${(err as Error).message}\n(the policy file cannot be read: masking uses the built-in shapes only; \`npm run policy -- check\` names the problems)`);
  }
  if (!config.DATABASE_URL && !fs.existsSync(path.join(config.DATA_DIR, 'pglite'))) {
    io.err(`no embedded database in ${path.resolve(config.DATA_DIR)}: start Switchboard once (it creates it), or set DATA_DIR, or DATABASE_URL for PostgreSQL`);
    return 2;
  }
  let db: Db;
  try {
    db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 2 });
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    io.err(
      [
        `The running app holds the embedded database in ${path.resolve(config.DATA_DIR)} (PGlite: one process per data dir), so this command cannot open it.`,
        '运行中的 Switchboard 独占了内嵌数据库（PGlite 只允许一个进程打开），此命令无法同时打开它。',
        `Either stop the app, run this command again and start the app (it reads ${needs.applyingTo} at start),`,
        'or run Switchboard on PostgreSQL (DATABASE_URL): there this command works while the app runs and every process sees the change within seconds.',
        '请先停止应用、重新运行此命令后再启动应用；或改用 PostgreSQL（设置 DATABASE_URL），即可在应用运行时修改，数秒内各进程生效。',
      ].join('\n'),
    );
    return 2;
  }
  if (db.kind === 'pglite') await migrate(db);
  else if (!(await db.query('SELECT 1 FROM schema_migrations WHERE version = $1', [needs.migration]).catch(() => ({ rows: [] }))).rows.length) {
    await db.close();
    io.err(`the database is not migrated to this version of Switchboard (${needs.migration}): start the app once, it migrates at start`);
    return 2;
  }
  return db;
}
