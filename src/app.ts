/**
 * The composition root: config -> db -> tools -> policies -> agent -> channels -> http.
 * main.ts runs it from the command line; tests and benchmarks start it in-process.
 */
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { usesSandbox, type Config } from './config.js';
import { isDatabaseBusy, openDb, type Db } from './store/db.js';
import { migrate } from './store/migrate.js';
import { Directory, seedDirectory } from './store/directory.js';
import { seedDepartments, seedIdentities, seedPrincipals } from './policies/principals.js';
import { maskDeep } from './policies/masking.js';
import type { BrowserPool } from './tools/browser-pool.js';
import { pruneEvidence } from './tools/evidence.js';
import { createToolRuntime } from './tools/runtime.js';
import { Agent, type ChannelDirectory } from './agents/agent.js';
import { approvalView } from './agents/approval-view.js';
import { CommandPlanner } from './agents/commands.js';
import { createFreeForm } from './agents/llm/index.js';
import type { Channel, ChannelName, CardAction, InboundMessage } from './bot/channel.js';
import { Inbox } from './bot/inbox.js';
import { ConsoleChannel } from './bot/console/channel.js';
import { registerConsoleRoutes } from './bot/console/routes.js';
import type { FeishuAdapter } from './bot/feishu/index.js';
import { createTeams } from './bot/teams/index.js';
import { getApproval } from './store/approvals-repo.js';
import type { InboxRow } from './store/inbox-repo.js';
import { verifyAuditChain } from './store/audit.js';
import { computeKpis } from './store/runs-repo.js';

export interface AppOptions {
  /** PGlite in memory instead of DATA_DIR (tests). */
  inMemoryDb?: boolean;
  /** Skip the HTTP listener (tests drive app.http.inject()). */
  listen?: boolean;
  log?: boolean;
}

export interface App {
  config: Config;
  db: Db;
  agent: Agent;
  inbox: Inbox;
  pool: BrowserPool;
  http: FastifyInstance;
  /** http://host:port once listening. */
  url: string;
  /** The in-process sandbox, when no real legacy URLs are configured. */
  sandbox?: { url: string; close(): Promise<void>; state: unknown };
  /** The Feishu adapter, when FEISHU_APP_ID is set. */
  feishu?: FeishuAdapter;
  close(): Promise<void>;
}

export async function startApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch((err) => console.error('[shutdown]', (err as Error).message));
  };
  try {
    const db = await openDb({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolSize: config.DATABASE_POOL_SIZE,
      inMemory: opts.inMemoryDb,
      acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTxTimeoutMs: config.DATABASE_IDLE_IN_TX_TIMEOUT_MS,
    });
    closers.push(() => db.close());
    const checkpointer = new PostgresSaver(db.pool);
    await migrate(db, () => checkpointer.setup());
    await seedDirectory(db, { departments: seedDepartments, principals: seedPrincipals, identities: seedIdentities });
    const directory = await new Directory(db).reload();

    let sandbox: App['sandbox'];
    if (usesSandbox(config)) {
      // Imported only here: the rest of src/ never depends on the simulated portals.
      const { startSandbox } = await import('./sandbox/server.js');
      const sb = await startSandbox({ port: config.SANDBOX_PORT, username: config.LEGACY_USERNAME, password: config.LEGACY_PASSWORD });
      sandbox = sb;
      closers.push(() => sb.close());
    }
    const { pool, registry, runner } = await createToolRuntime(config, sandbox ? { sandboxUrl: sandbox.url } : {}).then((rt) => {
      closers.push(() => rt.close());
      return rt;
    });

    const consoleChannel = new ConsoleChannel(db);
    const channelMap = new Map<ChannelName, Channel>([['console', consoleChannel]]);
    const teams = createTeams({ config, db, directory });
    if (teams.mode !== 'off') channelMap.set('teams', teams.channel);
    const channels: ChannelDirectory = { get: (name) => channelMap.get(name) };

    const agent = new Agent({
      db,
      directory,
      planner: new CommandPlanner(),
      freeForm: createFreeForm(config, db, () => registry.list()),
      tools: runner,
      toolDefs: registry,
      channels,
      checkpointer,
      approvalTtlSeconds: config.APPROVAL_TTL_SECONDS,
      threadLock: { leaseTtlMs: config.THREAD_LEASE_TTL_MS, waitMs: config.THREAD_LOCK_WAIT_MS },
    });
    closers.push(() => agent.idle());

    const inbox = new Inbox(db, (row) => handleInboxRow(agent, row), (msg, data) => console.error(`[inbox] ${msg}`, data ?? ''));
    closers.push(() => inbox.close());

    const http = Fastify({ logger: opts.log ? { level: config.LOG_LEVEL } : false, bodyLimit: 64 * 1024 });
    http.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
      // The database could not serve this request in time: this request fails alone, and says so.
      if (isDatabaseBusy(err)) {
        console.error('[http] database busy:', err.message);
        return void reply.code(503).header('retry-after', '5').send({ error: BUSY_TEXT });
      }
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
      const message =
        err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.name === 'SyntaxError'
          ? `malformed JSON: ${err.message}`
          : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
            ? 'request body too large (limit 64 KB)'
            : status >= 500
              ? 'internal error'
              : err.message;
      if (status >= 500) console.error('[http]', err);
      void reply.code(status).send({ error: message });
    });
    registerConsoleRoutes(http, { db, directory, inbox, viewOf: (row) => approvalView(row, directory) });

    let feishu: FeishuAdapter | undefined;
    if (config.FEISHU_APP_ID && config.FEISHU_APP_SECRET) {
      // Loaded only when configured: the SDK is large.
      const { startFeishu } = await import('./bot/feishu/index.js');
      const adapter = startFeishu(
        {
          appId: config.FEISHU_APP_ID,
          appSecret: config.FEISHU_APP_SECRET,
          domain: config.FEISHU_DOMAIN,
          mode: config.FEISHU_MODE,
          approvalChats: config.FEISHU_APPROVAL_CHATS,
          ...(config.FEISHU_ENCRYPT_KEY ? { encryptKey: config.FEISHU_ENCRYPT_KEY } : {}),
          ...(config.FEISHU_VERIFICATION_TOKEN ? { verificationToken: config.FEISHU_VERIFICATION_TOKEN } : {}),
        },
        { http, inbox, directory, db, viewOf: (row) => approvalView(row, directory) },
      );
      feishu = adapter;
      channelMap.set('feishu', adapter.channel);
      closers.push(() => adapter.close());
    }

    teams.register(http, {
      inbox,
      viewOf: async (approvalId) => {
        const row = await getApproval(db, approvalId);
        return row ? approvalView(row, directory) : undefined;
      },
    });

    http.get('/healthz', async (_req, reply) => {
      const checks: Record<string, string> = {};
      checks.teams = teams.health();
      checks.database = await db.query('SELECT 1').then(() => 'ok', (e: Error) => `error: ${e.message}`);
      checks.browser = pool.ready ? 'ok' : 'starting';
      checks.legacy = sandbox
        ? await fetch(`${sandbox.url}/healthz`).then((r) => (r.ok ? 'ok (sandbox)' : `sandbox ${r.status}`), (e: Error) => `error: ${e.message}`)
        : 'external';
      const ok = Object.values(checks).every((v) => v.startsWith('ok') || v === 'external');
      // An open breaker is a legacy system's trouble, not ours: shown here, not failing the check.
      const { memory, systems } = pool.stats();
      const browser = { memory, pages: Object.fromEntries(Object.entries(systems).map(([k, v]) => [k, { open: v.open, busy: v.busy, waiting: v.waiting }])) };
      return reply.code(ok ? 200 : 503).send({ ok, checks, db: db.kind, dbPool: db.poolStats(), breakers: runner.breakers(), browser, ...(feishu ? { feishu: feishu.health() } : {}) });
    });
    http.get('/api/kpis', async () => ({ kpis: await computeKpis(db) }));
    http.get('/api/audit/verify', async () => verifyAuditChain(db));

    closers.push(() => http.close());
    let url = '';
    if (opts.listen !== false) url = await http.listen({ port: config.PORT, host: config.HOST });
    else await http.ready();

    // Pick up what a previous process accepted but did not finish.
    await inbox.replay();
    await agent.recover();
    await agent.sweepExpired();
    const sweeper = setInterval(() => void agent.sweepExpired().catch((e: Error) => console.error('[expiry]', e.message)), config.APPROVAL_SWEEP_MS);
    sweeper.unref();
    closers.push(async () => clearInterval(sweeper));
    const dataDir = path.resolve(config.DATA_DIR);
    const prune = () =>
      void pruneEvidence(dataDir, { maxFiles: config.EVIDENCE_MAX_FILES, maxAgeDays: config.EVIDENCE_MAX_AGE_DAYS }).catch((e: Error) =>
        console.error('[evidence]', e.message),
      );
    prune();
    const pruner = setInterval(prune, config.EVIDENCE_PRUNE_MS);
    pruner.unref();
    closers.push(async () => clearInterval(pruner));

    return { config, db, agent, inbox, pool, http, url, ...(sandbox ? { sandbox } : {}), ...(feishu ? { feishu } : {}), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Bilingual, because a failed request's language is not known here. */
const BUSY_TEXT = '系统繁忙，请稍后重试 / The system is busy, please retry in a moment.';

function handleInboxRow(agent: Agent, row: InboxRow): Promise<unknown> {
  if (row.kind === 'message') {
    const p = row.payload as unknown as InboundMessage & { receivedAt: string };
    return agent.handleMessage({ ...p, receivedAt: new Date(p.receivedAt) });
  }
  return agent.decide(row.payload as unknown as CardAction);
}
