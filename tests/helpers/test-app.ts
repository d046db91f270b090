/**
 * Starts the real application for end-to-end tests: real HTTP, real Chromium, the sandbox
 * portals, and either embedded PGlite or a fresh database on the local PostgreSQL server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { TEST_AUDIT_KEY } from './audit-key.js';

export type DbKind = 'pglite' | 'postgres';

/** A fixed data key for tests (personal data at rest is sealed with it; DATA_KEYS is required with PostgreSQL). */
export { TEST_DATA_KEYS } from './audit-key.js';
import { TEST_DATA_KEYS } from './audit-key.js';

/** The server the CI machine runs; override with TEST_PG_URL. */
export const adminPgUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let pgAvailable: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: adminPgUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  })();
  return pgAvailable;
}

/** Both databases in CI (PostgreSQL must answer there); locally PostgreSQL only when it answers. */
export async function dbKinds(): Promise<DbKind[]> {
  if (await postgresAvailable()) return ['pglite', 'postgres'];
  if (process.env.CI) throw new Error(`CI needs PostgreSQL at ${adminPgUrl}`);
  return ['pglite'];
}

export interface TestDatabase {
  env: Record<string, string>;
  /** PostgreSQL with `runtimeRole`: the role DATABASE_URL logs in as (DATABASE_OWNER_URL is the owner). */
  runtimeRole?: string;
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /**
   * PostgreSQL only: a unique LOGIN role for the app (DATABASE_URL), the database's owner in
   * DATABASE_OWNER_URL for migrations; dropped with the database.
   */
  runtimeRole?: boolean;
}

/** A fresh database: a new PostgreSQL database, or a new PGlite data dir. */
export async function createTestDatabase(kind: DbKind, opts: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-test-'));
  if (kind === 'pglite') {
    return { env: { DATA_DIR: dataDir }, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `sb_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  // Roles are cluster-wide: one per test database, named after it, so parallel runs never collide.
  const role = opts.runtimeRole ? `${name}_app` : undefined;
  const admin = new pg.Client({ connectionString: adminPgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  if (role) await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${role}'`);
  await admin.end();
  const url = new URL(adminPgUrl);
  url.pathname = `/${name}`;
  const env: Record<string, string> = { DATA_DIR: dataDir, DATABASE_URL: url.toString() };
  if (role) {
    const runtime = new URL(url);
    runtime.username = role;
    runtime.password = role;
    env.DATABASE_URL = runtime.toString();
    env.DATABASE_OWNER_URL = url.toString();
  }
  return {
    env: { ...env, DATA_KEYS: TEST_DATA_KEYS, AUDIT_KEY: TEST_AUDIT_KEY },
    ...(role ? { runtimeRole: role } : {}),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminPgUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      if (role) await c.query(`DROP ROLE IF EXISTS ${role}`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  kind: 'text' | 'card';
  text?: string;
  /** A text's suggested commands (buttons on the page). */
  suggestions?: string[];
  approvalId?: string;
  card?: Record<string, unknown> & { fallbackText?: string; actions?: unknown[] };
}

export interface ActionResponse {
  status: 'approved' | 'rejected' | 'refused';
  reason?: string;
  message: string;
  replies: Reply[];
}

export class TestClient {
  /** Who spoke in each conversation through this client: a transcript is read as its owner. */
  private readonly speakers = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async post(pathname: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.baseUrl}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (res.ok && body && typeof body === 'object') {
      const { user, conversation } = body as { user?: unknown; conversation?: unknown };
      if (typeof user === 'string' && typeof conversation === 'string' && !this.speakers.has(conversation)) this.speakers.set(conversation, user);
    }
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  async get(pathname: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.baseUrl}${pathname}`);
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  /** Send a chat message and wait for the turn's replies. */
  async say(user: string, text: string, conversation?: string): Promise<Reply[]> {
    const res = await this.post('/console/api/messages?wait=1', { user, text, ...(conversation ? { conversation } : {}) });
    if (res.status !== 200) throw new Error(`say failed: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json.replies as Reply[];
  }

  /** Click a card button as a user, and wait until the decision's work is done. */
  async act(user: string, approvalId: string, decision: 'approve' | 'reject', comment?: string): Promise<ActionResponse> {
    const res = await this.post('/console/api/actions?wait=1', { user, approvalId, decision, ...(comment !== undefined ? { comment } : {}) });
    if (res.status !== 200) throw new Error(`act failed: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json as unknown as ActionResponse;
  }

  /** A conversation as its participant sees it (demo mode: ?user=; default: console-<user>'s person, or who spoke in it). */
  async transcript(conversation: string, user?: string): Promise<(Reply & { from: string })[]> {
    const as = user ?? (conversation.startsWith('console-') ? conversation.slice('console-'.length) : (this.speakers.get(conversation) ?? ''));
    const res = await this.get(`/console/api/conversations/${conversation}?user=${encodeURIComponent(as)}`);
    if (res.status !== 200) throw new Error(`transcript failed: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json.messages as (Reply & { from: string })[];
  }
}

export interface TestApp {
  app: App;
  client: TestClient;
  close(): Promise<void>;
}

/** Start the app on random ports. `env` adds or overrides environment variables; `opts` goes to startApp. */
export async function startTestApp(env: Record<string, string>, opts: AppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ PORT: '0', SANDBOX_PORT: '0', HOST: '127.0.0.1', APPROVAL_SWEEP_MS: '200', AUDIT_KEY: TEST_AUDIT_KEY, DATA_KEYS: TEST_DATA_KEYS, ...env });
  const app = await startApp(config, opts);
  return { app, client: new TestClient(app.url), close: () => app.close() };
}

export const textOf = (replies: Reply[]) => replies.filter((r) => r.kind === 'text').map((r) => r.text ?? '').join('\n');
export const cardOf = (replies: Reply[]) => replies.find((r) => r.kind === 'card');
