/**
 * A test app that reads its policy document from a file of its own (POLICY_FILE), on a fresh
 * database: for the tests of rules, stages, limits and tiers. close() removes all of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db, DbKind } from '../../src/store/db.js';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from './test-app.js';

export interface PolicyApp extends TestApp {
  db: TestDatabase;
  /** The policy file the app watches. */
  file: string;
}

export async function startPolicyApp(kind: DbKind, policy: string, env: Record<string, string> = {}): Promise<PolicyApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-policy-app-'));
  const file = path.join(dir, 'policy.yaml');
  fs.writeFileSync(file, policy);
  const db = await createTestDatabase(kind);
  const t = await startTestApp({ ...db.env, POLICY_FILE: file, ...env });
  return {
    ...t,
    db,
    file,
    close: async () => {
      await t.close();
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The audit rows of one action, oldest first. */
export async function auditRows(db: Db, action: string): Promise<{ actor: string; subject: string; details: Record<string, unknown> }[]> {
  return (await db.query<{ actor: string; subject: string; details: Record<string, unknown> }>('SELECT actor, subject, details FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows;
}
