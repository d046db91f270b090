/**
 * The composition root: config -> db -> tools -> policies -> agent -> channels -> http.
 * main.ts runs it from the command line; tests and benchmarks start it in-process.
 */
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { demoMode, usesSandbox, webhookHost, type Config } from './config.js';
import { isDatabaseBusy, openDb, type Db } from './store/db.js';
import { applyDirectory, Directory, seedDirectory } from './store/directory.js';
import { seedDepartments, seedIdentities, seedPrincipals } from './policies/principals.js';
import { maskDeep } from './policies/masking.js';
import type { BrowserPool } from './tools/browser-pool.js';
import { databaseEvidenceStore, pruneEvidence } from './tools/evidence.js';
import { pruneEvidenceFiles } from './store/evidence-repo.js';
import { createToolRuntime, type ToolRuntimeOptions } from './tools/runtime.js';
import { installJobs, startBoss } from './jobs/boss.js';
import { JobToolInvoker } from './jobs/job-invoker.js';
import { startRpaWorker } from './jobs/rpa-worker.js';
import { startScheduled } from './jobs/scheduled.js';
import { pruneRpaResults } from './jobs/rpa-done.js';
import type { BrowserBinary } from './tools/browser-binary.js';
import { Agent } from './agents/agent.js';
import type { ChannelDirectory } from './agents/outbound.js';
import { approvalView } from './agents/approval-view.js';
import { CommandPlanner } from './skills/planner.js';
import { createFreeForm } from './agents/llm/index.js';
import type { Channel, ChannelName, CardAction, InboundMessage } from './chat/channel.js';
import { Inbox, InboxFullError } from './bot/inbox.js';
import { ConsoleChannel } from './bot/console/channel.js';
import { registerConsole } from './bot/console/index.js';
import { readDirectoryFile } from './store/directory-file.js';
import type { FeishuAdapter } from './bot/feishu/index.js';
import { createTeams } from './bot/teams/index.js';
import { getApproval } from './store/approvals-repo.js';
import { isBulkCardId } from './store/bulk-approvals-repo.js';
import { deadInbox, inboxBacklog, type InboxRow } from './store/inbox-repo.js';
import { describePageError, pageQuery } from './lib/paging.js';
import { appendAudit, auditHead, sealAuditChain, useAuditKeys, verifyAuditChain } from './store/audit.js';
import { resolveAuditKeys } from './store/audit-keys.js';
import { AUDIT_ANCHORS_FILE, startAuditAnchoring, type Anchorer } from './store/audit-anchor.js';
import { prepareDatabase } from './store/db-roles.js';
import { computeKpis } from './store/runs-repo.js';
import { installDataKeys, resolveDataKeys } from './store/data-keys.js';
import { checkDataKeys, purgeRawData } from './store/data-at-rest.js';
import { EncryptingSerde } from './store/checkpoint-serde.js';
import { installLogMasking } from './log-masking.js';
import { bundledPolicyFile, readPolicyFile, readPolicyText, setActivePolicy } from './policies/policy.js';
import { checkedPolicy, watchPolicy } from './policies/policy-watcher.js';
import { callDeadlineMs } from './tools/runner.js';

export interface AppOptions {
  /** PGlite in memory instead of DATA_DIR (tests). */
  inMemoryDb?: boolean;
  /** Skip the HTTP listener (tests drive app.http.inject()). */
  listen?: boolean;
  log?: boolean;
  /** Which browsers to look for (tests hide the machine's Chromium to get the bundled one). */
  browser?: Pick<ToolRuntimeOptions, 'browserCandidates' | 'browserCacheDir'>;
}

export interface App {
  config: Config;
  db: Db;
  agent: Agent;
  /** The directory of principals (reload() after changing principals in the database). */
  directory: Directory;
  inbox: Inbox;
  pool: BrowserPool;
  /** The Chromium the pool runs (which one, from where), once launched. */
  browser(): BrowserBinary | null;
  http: FastifyInstance;
  /** http://host:port once listening. */
  url: string;
  /** The webhooks' own listener (WEBHOOK_PORT), when configured. */
  webhookUrl?: string;
  /** The in-process sandbox, when no real legacy URLs are configured. */
  sandbox?: { url: string; close(): Promise<void>; state: unknown };
  /** The Feishu adapter, when FEISHU_APP_ID is set. */
  feishu?: FeishuAdapter;
  /** Anchors the audit chain's signed head under DATA_DIR (at AUDIT_ANCHOR_MS, at start and close, or now). */
  auditAnchor: Anchorer;
  close(): Promise<void>;
}


export async function startApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch((err) => console.error('[shutdown]', (err as Error).message));
  };
  try {
    // Personal data at rest (store/data-keys.ts): logs masked, the keyring installed before anything is stored.
    installLogMasking();
    // The policy's masking settings apply to every line from here on; the full check against the
    // tool registry follows once the tools exist (a bad file stops the start either way, with its lines).
    const policyFile = config.POLICY_FILE ?? bundledPolicyFile;
    setActivePolicy(readPolicyFile(policyFile));
    const dataKeys = resolveDataKeys({ spec: config.DATA_KEYS, databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
    installDataKeys(dataKeys.keyring);
    if (dataKeys.demoKeyFile) {
      console.log(`[data-keys] demo mode: personal data at rest is encrypted with ${dataKeys.created ? 'a newly generated' : 'the generated'} key in ${dataKeys.demoKeyFile} (mode 0600); set DATA_KEYS in production`);
    }
    // The audit chain's key (outside the database; a bad one stops start-up before anything else)
    // and its signed heads under DATA_DIR.
    const anchorsFile = path.resolve(config.DATA_DIR, AUDIT_ANCHORS_FILE);
    const auditKeys = resolveAuditKeys(config, { create: true, log: (line) => console.warn(line) });
    useAuditKeys(auditKeys, { anchorsFile });
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
    const checkpointer = new PostgresSaver(db.sharedPool, new EncryptingSerde());
    // Migrations (and the checkpoint tables) as the schema owner; the app then runs as DATABASE_URL's role.
    const rpaExpireSeconds = Math.ceil(callDeadlineMs(config) / 1000) + 30;
    await prepareDatabase(db, { ownerUrl: config.DATABASE_OWNER_URL }, async (owner) => {
      await (owner === db ? checkpointer.setup() : new PostgresSaver(owner.sharedPool, new EncryptingSerde()).setup());
      await installJobs(owner, { rpaExpireSeconds });
    });
    const { unknownKids } = await checkDataKeys(db, dataKeys.keyring);
    if (unknownKids.length > 0) console.warn(`[data-keys] data sealed with key id(s) ${unknownKids.join(', ')} cannot be read: DATA_KEYS does not list them`);
    await sealAuditChain(db);
    const anchorer = startAuditAnchoring({
      db,
      key: auditKeys.current,
      file: anchorsFile,
      intervalMs: config.AUDIT_ANCHOR_MS,
      url: config.AUDIT_ANCHOR_URL,
      head: () => auditHead(db),
    });
    closers.push(() => anchorer.close());
    await anchorer.anchorNow();
    // The demo people (alice … erin, with test identities on every channel) only in demo mode;
    // a deployment lists its own people in DIRECTORY_FILE (README "Console login").
    if (demoMode(config)) await seedDirectory(db, { departments: seedDepartments, principals: seedPrincipals, identities: seedIdentities });
    if (config.DIRECTORY_FILE) {
      await applyDirectory(db, readDirectoryFile(config.DIRECTORY_FILE), { actor: 'switchboard', source: `DIRECTORY_FILE ${path.basename(config.DIRECTORY_FILE)}`, audit: 'changes' });
    }
    // Changes made later (npm run directory, another replica) are picked up within seconds.
    const directory = (await new Directory(db).reload()).watch({ pollMs: config.DIRECTORY_POLL_MS, log: (level, msg, data) => console[level](`[directory] ${msg}`, data ?? '') });

    let sandbox: App['sandbox'];
    if (usesSandbox(config)) {
      // Imported only here: the rest of src/ never depends on the simulated portals.
      const { startSandbox } = await import('./sandbox/server.js');
      const sb = await startSandbox({ port: config.SANDBOX_PORT, username: config.LEGACY_USERNAME, password: config.LEGACY_PASSWORD });
      sandbox = sb;
      closers.push(() => sb.close());
    }
    // An external-worker replica starts no browser: its runtime only knows the tools (registry).
    // Evidence files in the database: every replica serves every call's (GET /console/api/evidence/…).
    const embeddedWorker = config.RPA_WORKERS === 'embedded';
    const { pool, registry, runner, browser: browserInUse } = await createToolRuntime(config, {
      ...opts.browser,
      ...(sandbox && { sandboxUrl: sandbox.url }),
      ...(!embeddedWorker && { launchBrowser: false }),
      evidenceStore: databaseEvidenceStore(db),
    }).then((rt) => {
      closers.push(() => rt.close());
      return rt;
    });
    // Every tool call is a pg-boss job (jobs/): run by this process's worker, or by `npm run worker`s.
    const boss = await startBoss(db, { superviseSeconds: config.JOBS_SUPERVISE_SECONDS });
    closers.push(() => boss.stop({ graceful: false, close: false }));
    const worker = embeddedWorker ? await startRpaWorker({ db, boss, runner, slots: config.RPA_WORKER_SLOTS }) : undefined;
    const tools = new JobToolInvoker({
      db,
      boss,
      systemOf: (tool) => registry.get(tool)?.system ?? 'rpa',
      maxWaitMs: callDeadlineMs(config) + 30_000,
      ...(worker && { wakeLocal: () => worker.wake(), circuitOpen: (system: string) => runner.circuitOpen(system) }),
    });
    closers.push(async () => tools.close());
    if (worker) closers.push(() => worker.stop());

    // The policy document: checked against the registry at start (a bad file stops the start with
    // its lines), then reloaded on change; a bad reload keeps the policy in force and says why.
    const registered = new Set(registry.list().map((t) => t.name));
    const deadlineMs = callDeadlineMs(config);
    setActivePolicy(checkedPolicy(readPolicyText(policyFile), policyFile, registered, deadlineMs));
    const policyWatch = watchPolicy({
      file: policyFile,
      registered,
      callDeadlineMs: deadlineMs,
      intervalMs: config.POLICY_POLL_MS,
      onReloaded: async ({ file, sha256 }) => {
        console.log(`[policy] reloaded ${file}`);
        await appendAudit(db, { actor: 'switchboard', action: 'policy.reloaded', subject: path.basename(file), details: { sha256 } });
      },
      onRejected: async ({ file, error }) => {
        console.warn(`[policy] ${error.message} — the policy in force is kept`);
        await appendAudit(db, { actor: 'switchboard', action: 'policy.reload_rejected', subject: path.basename(file), details: { problems: error.problems } });
      },
    });
    closers.push(async () => policyWatch.close());

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
      tools,
      toolDefs: registry,
      channels,
      checkpointer,
      approvalTtlSeconds: config.APPROVAL_TTL_SECONDS,
      conflictWindowMinutes: config.APPROVAL_CONFLICT_WINDOW_MINUTES,
      outboxLeaseMs: config.OUTBOX_LEASE_MS,
      threadLock: { leaseTtlMs: config.THREAD_LEASE_TTL_MS, waitMs: config.THREAD_LOCK_WAIT_MS },
    });
    closers.push(() => agent.idle());

    const inbox = new Inbox(db, (row) => handleInboxRow(agent, row), (msg, data) => console.error(`[inbox] ${msg}`, data ?? ''), {
      retry: { maxAttempts: config.INBOX_MAX_ATTEMPTS, baseMs: config.INBOX_RETRY_BASE_MS, maxMs: config.INBOX_RETRY_MAX_MS, sweepMs: config.INBOX_SWEEP_MS },
      leaseMs: config.INBOX_LEASE_MS,
      maxConcurrentTurns: config.INBOX_CONCURRENCY,
      maxBacklog: config.INBOX_MAX_BACKLOG,
      queuedNoticeMs: config.INBOX_QUEUED_NOTICE_MS,
      soleProcess: db.kind === 'pglite',
      // Dead-letter and "could not read" notices; looked up at send time (Feishu joins the map later).
      notify: async (name, conversationId, text) => channelMap.get(name as ChannelName)?.send(conversationId, { kind: 'text', text }),
    });
    closers.push(() => inbox.close());

    const http = Fastify({ logger: opts.log ? { level: config.LOG_LEVEL } : false, bodyLimit: 64 * 1024 });
    http.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
      // The database could not serve this request in time: this request fails alone, and says so.
      if (isDatabaseBusy(err) || err instanceof InboxFullError) {
        console.error(`[http] ${err instanceof InboxFullError ? 'overloaded' : 'database busy'}:`, err.message);
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
    // The chat-platform webhooks on a listener of their own (WEBHOOK_PORT), so the console can stay internal.
    const webhookHttp = config.WEBHOOK_PORT !== undefined ? Fastify({ logger: opts.log ? { level: config.LOG_LEVEL } : false, bodyLimit: 64 * 1024 }) : http;
    if (webhookHttp !== http) webhookHttp.setErrorHandler(http.errorHandler);
    const consoleAccess = registerConsole(http, config, { db, directory, inbox, viewOf: (row, readerId) => approvalView(row, directory, readerId), bulkViewOf: (id, readerId) => agent.bulkView(id, readerId), bulkKinds: (p) => agent.bulkKinds(p), delegations: agent.delegations });

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
        { http: webhookHttp, inbox, directory, db, viewOf: (row, readerId) => approvalView(row, directory, readerId), bulkViewOf: (id, readerId) => agent.bulkView(id, readerId) },
      );
      feishu = adapter;
      channelMap.set('feishu', adapter.channel);
      closers.push(() => adapter.close());
    }

    teams.register(webhookHttp, {
      inbox,
      viewOf: async (approvalId, aadObjectId) => {
        const reader = aadObjectId ? directory.byPlatformUser('teams', aadObjectId)?.id : undefined;
        // A bulk card's id names its snapshot (agents/approvals/bulk.ts), not an approval row.
        if (isBulkCardId(approvalId)) return agent.bulkView(approvalId, reader);
        const row = await getApproval(db, approvalId);
        return row ? approvalView(row, directory, reader) : undefined;
      },
    });

    const healthz = async (_req: unknown, reply: import('fastify').FastifyReply) => {
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
      const browser = { source: browserInUse()?.source ?? null, memory, pages: Object.fromEntries(Object.entries(systems).map(([k, v]) => [k, { open: v.open, busy: v.busy, waiting: v.waiting }])) };
      // Inbound events that could not be read, were refused, retried or dead-lettered (invariant 13).
      const inbound = { ...inbox.stats(), ...inbox.ownership(), backlog: await inboxBacklog(db).catch(() => undefined) };
      return reply.code(ok ? 200 : 503).send({ ok, checks, db: db.kind, dbPool: db.poolStats(), breakers: runner.breakers(), jobs: { ...tools.stats(), worker: worker ? worker.stats() : 'external' }, rateLimited: agent.rateLimits.counts(), browser, inbound, directory: directory.stats(), console: consoleAccess.describe, ...(feishu ? { feishu: feishu.health() } : {}) });
    };
    http.get('/healthz', healthz);
    if (webhookHttp !== http) webhookHttp.get('/healthz', healthz);
    // Operations endpoints: behind the console's login (or demo persona), by role; gone with CONSOLE=off.
    consoleAccess.operation(http, '/api/kpis', ['manager', 'auditor'], async () => ({ kpis: await computeKpis(db) }));
    consoleAccess.operation(http, '/api/audit/verify', ['auditor'], async () => verifyAuditChain(db));
    // Events that kept failing (inbox dead letters), newest first, paged; their words are not shown.
    consoleAccess.operation(http, '/api/inbox/dead', ['manager', 'auditor'], async (req) => {
      const q = pageQuery.safeParse(req.query);
      if (!q.success) throw Object.assign(new Error(describePageError(q.error)), { statusCode: 400 });
      const page = await deadInbox(db, q.data);
      return {
        total: (await inboxBacklog(db)).dead,
        deadLetters: page.items.map((r) => ({ id: r.id, channel: r.channel, kind: r.kind, attempts: r.attempts, error: r.error, receivedAt: new Date(r.received_at).toISOString(), deadAt: r.processed_at ? new Date(r.processed_at).toISOString() : null })),
        next: page.next,
      };
    });

    closers.push(() => http.close());
    if (webhookHttp !== http) closers.push(() => webhookHttp.close());
    let url = '';
    let webhookUrl: string | undefined;
    if (opts.listen !== false) {
      url = await http.listen({ port: config.PORT, host: config.HOST });
      if (webhookHttp !== http) webhookUrl = await webhookHttp.listen({ port: config.WEBHOOK_PORT ?? 0, host: webhookHost(config) });
    } else {
      await http.ready();
      if (webhookHttp !== http) await webhookHttp.ready();
    }
    console.log(`[console] ${consoleAccess.describe}`);
    if (teams.mode === 'unauthenticated') {
      console.warn(`[teams] UNAUTHENTICATED TEST MODE (TEAMS_ALLOW_UNAUTHENTICATED=1): unsigned activities accepted, anyone can act as anyone; loopback only (${webhookHost(config)})`);
    }

    // Pick up what a previous process accepted but did not finish.
    await inbox.replay();
    // Approved writes are recovered from the outbox, in the background (agent.idle() waits for it).
    void agent.recover();
    await agent.sweepExpired();
    const dataDir = path.resolve(config.DATA_DIR);
    // The table by SQL (any replica may run it); the folder for files written before (or by the tool CLI).
    const limits = { maxFiles: config.EVIDENCE_MAX_FILES, maxAgeDays: config.EVIDENCE_MAX_AGE_DAYS };
    const prune = () => Promise.all([pruneEvidenceFiles(db, limits), pruneEvidence(dataDir, limits)]);
    await prune().catch((e: Error) => console.error('[evidence]', e.message));
    // Raw personal data kept for a run (sealed) goes RAW_RETENTION_DAYS after the run ended.
    await purgeRawData(db, config.RAW_RETENTION_DAYS).catch((e: Error) => console.error('[retention]', e.message));
    // From here on, once per interval across every replica (jobs/scheduled.ts).
    const scheduled = await startScheduled(boss, db, {
      'recover-outbox': { everyMs: config.OUTBOX_RECOVERY_MS, run: () => agent.recover() },
      'sweep-approvals': {
        everyMs: config.APPROVAL_SWEEP_MS,
        run: async () => {
          await agent.sweepExpired().catch((e: Error) => console.error('[expiry]', e.message));
          await agent.escalateDue().catch((e: Error) => console.error('[escalation]', e.message));
        },
      },
      'prune-evidence': { everyMs: config.EVIDENCE_PRUNE_MS, run: async () => Promise.all([prune(), pruneRpaResults(db)]) },
      'purge-raw': { everyMs: config.RAW_PURGE_MS, run: () => purgeRawData(db, config.RAW_RETENTION_DAYS) },
    });
    closers.push(() => scheduled.stop());

    return { config, db, agent, directory, inbox, pool, browser: browserInUse, http, url, auditAnchor: anchorer, ...(webhookUrl ? { webhookUrl } : {}), ...(sandbox ? { sandbox } : {}), ...(feishu ? { feishu } : {}), close };
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
