/**
 * Who may do what to the schema (invariant 12). On PostgreSQL the app runs as a runtime role
 * (DATABASE_URL) that neither owns the tables nor may UPDATE, DELETE or TRUNCATE audit_log, so it
 * cannot alter the audit table, drop or disable its triggers, or rewrite rows. Migrations run as
 * the owner (DATABASE_OWNER_URL), which then grants the runtime role what it needs — after every
 * migration run, so tables added later are covered. Without an owner URL the runtime role is the
 * owner, and a loud warning says the audit is not protected from the app's own role.
 *
 * PGlite is exempt: one embedded process, one superuser; the data dir's file permissions are the
 * boundary there.
 */
import type { Db, Queryable } from './db.js';
import { openDb } from './db.js';
import { migrate, type MigrationResult } from './migrate.js';

/** Tables the runtime role may only read and append to. */
export const APPEND_ONLY_TABLES = ['audit_log'] as const;

export interface AuditProtection {
  protected: boolean;
  role: string;
  /** Why not, in words for the warning. */
  problems: string[];
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The migration owner's pool: small, for DDL and grants only; closed after start-up. */
export async function openOwnerDb(ownerUrl: string): Promise<Db> {
  // Two connections: migrate() holds its lock on one and runs the checkpoint setup on another.
  return openDb({ databaseUrl: ownerUrl, dataDir: '', poolSize: 2 });
}

/** Grant the runtime role its rights: read/write on ordinary tables, read + append on audit tables. */
export async function grantRuntimeRole(owner: Db, role: string): Promise<void> {
  const r = ident(role);
  await owner.tx(async (c) => {
    await c.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
    await c.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`);
    for (const t of APPEND_ONLY_TABLES) {
      await c.query(`REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON ${ident(t)} FROM ${r}`);
    }
    // pg-boss's tables (jobs/boss.ts installs them as the owner): the runtime role queues and takes jobs.
    const jobs = await c.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss'`);
    if (jobs.rowCount) {
      await c.query(`GRANT USAGE ON SCHEMA pgboss TO ${r}`);
      await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO ${r}`);
      await c.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA pgboss TO ${r}`);
      await c.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgboss TO ${r}`);
    }
    // The runtime role has no business with the migration ledger.
    await c.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${r}`);
  });
}

/** What the connected role could do to the audit tables. */
export async function auditProtection(db: Queryable): Promise<AuditProtection> {
  const res = await db.query<{ role: string; superuser: boolean; owner: boolean; upd: boolean; del: boolean; trunc: boolean; trig: boolean }>(
    `SELECT current_user AS role,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'audit_log'::regclass), 'USAGE') AS owner,
            has_table_privilege('audit_log', 'UPDATE') AS upd,
            has_table_privilege('audit_log', 'DELETE') AS del,
            has_table_privilege('audit_log', 'TRUNCATE') AS trunc,
            has_table_privilege('audit_log', 'TRIGGER') AS trig`,
  );
  const p = res.rows[0]!;
  const problems: string[] = [];
  if (p.superuser) problems.push('it is a superuser');
  if (p.owner) problems.push('it owns audit_log (it can disable or drop the triggers)');
  const rights = [p.upd && 'UPDATE', p.del && 'DELETE', p.trunc && 'TRUNCATE', p.trig && 'TRIGGER'].filter(Boolean);
  if (rights.length && !p.superuser && !p.owner) problems.push(`it holds ${rights.join(', ')} on audit_log`);
  return { protected: problems.length === 0, role: p.role, problems };
}

export interface PrepareOptions {
  /** DATABASE_OWNER_URL: migrations and grants run as this role. */
  ownerUrl?: string | undefined;
  log?: (line: string) => void;
}

/**
 * Migrate (as the owner when one is configured), run `afterMigrations` under the migration lock
 * with the owner's Db (the checkpoint tables are created there), grant the runtime role, and
 * report whether the audit is protected from the runtime role.
 */
export async function prepareDatabase(
  db: Db,
  opts: PrepareOptions,
  afterMigrations: (owner: Db) => Promise<void>,
): Promise<{ migrations: MigrationResult; protection: AuditProtection | undefined }> {
  const log = opts.log ?? ((line: string) => console.warn(line));
  if (db.kind !== 'postgres') {
    return { migrations: await migrate(db, () => afterMigrations(db)), protection: undefined };
  }
  const runtimeRole = (await db.query<{ role: string }>('SELECT current_user AS role')).rows[0]!.role;
  const owner = opts.ownerUrl ? await openOwnerDb(opts.ownerUrl) : db;
  let migrations: MigrationResult;
  try {
    const ownerRole = owner === db ? runtimeRole : (await owner.query<{ role: string }>('SELECT current_user AS role')).rows[0]!.role;
    migrations = await migrate(owner, async () => {
      await afterMigrations(owner);
      // Under the migration lock: two replicas granting at once would collide in the catalog.
      if (ownerRole !== runtimeRole) await grantRuntimeRole(owner, runtimeRole);
    });
  } finally {
    if (owner !== db) await owner.close();
  }
  const protection = await auditProtection(db);
  if (!protection.protected) {
    log(
      [
        '!!! WARNING: the audit log is NOT protected from the app\'s own database role.',
        `!!! The runtime role "${protection.role}" can rewrite audit_log: ${protection.problems.join('; ')}.`,
        '!!! Set DATABASE_URL to a role without those rights and DATABASE_OWNER_URL to the schema owner (migrations run as the owner;',
        '!!! the runtime role is granted INSERT/SELECT on audit_log only). The keyed chain and its anchors still detect tampering.',
      ].join('\n'),
    );
  }
  return { migrations, protection };
}
