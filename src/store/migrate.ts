/**
 * Applies migrations/NNN_name.sql in order, each once, under an advisory lock so two replicas
 * starting together cannot both apply one. LangGraph's checkpoint tables are created under the
 * same lock because PostgresSaver.setup() is not safe to run concurrently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

const MIGRATION_LOCK = 7_202_611_240;
export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface MigrationResult {
  applied: string[];
}

export async function migrate(db: Db, afterMigrations?: () => Promise<void>): Promise<MigrationResult> {
  const files = fs
    .readdirSync(migrationsDir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort();
  // PostgreSQL: the migration lock is held on a connection of its own, not a pooled one, so
  // LangGraph's setup() below (which takes pool connections) can run even on a pool of one, and
  // a replica waiting for another's migrations pins nothing in its pool. Its DDL has no
  // statement_timeout (an index build on a big table may take long). PGlite: its one connection.
  const dedicated = db.openDedicated ? await db.openDedicated() : undefined;
  const pooled = dedicated ? undefined : await db.pool.connect();
  const client = dedicated ?? pooled!;
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const file of files) {
        if (done.has(file)) continue;
        const sql = fs.readFileSync(path.join(migrationsDir, file), 'utf8');
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
          await client.query('COMMIT');
          applied.push(file);
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
        }
      }
      // Runs on other connections: with PGlite's single connection it must not wait for this one.
      if (afterMigrations && db.kind === 'postgres') await afterMigrations();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    pooled?.release();
    await dedicated?.end();
  }
  // PGlite: one process per data dir, so nobody can race us here.
  if (afterMigrations && db.kind === 'pglite') await afterMigrations();
  return { applied };
}
