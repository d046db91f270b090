/**
 * One RPA worker process (`npm run worker`, src/worker/main.ts). It owns one browser and its page pool (and the
 * HTTP-API clients and circuit breakers of its own connections to the legacy systems), takes RPA
 * jobs from pg-boss on DATABASE_URL and answers them; bot replicas run with RPA_WORKERS=external.
 * Add workers to add pages. With embedded PGlite there is no worker process: the bot runs one.
 *
 * It stores nothing of its own but evidence files (sealed, in the database, servable by every
 * replica): a call's record and audit go back to the bot that asked (jobs/rpa-call.ts); it needs the same DATA_KEYS (requests and answers are sealed)
 * and the same policy file (the data-scope rules the runner checks outputs against).
 */
import Fastify from 'fastify';
import { ConfigError, usesSandbox, type Config } from '../config.js';
import { openDb } from '../store/db.js';
import { prepareDatabase } from '../store/db-roles.js';
import { installDataKeys, resolveDataKeys } from '../store/data-keys.js';
import { installLogMasking } from '../log-masking.js';
import { bundledPolicyFile, readPolicyText, setActivePolicy } from '../policies/policy.js';
import { checkedPolicy, watchPolicy } from '../policies/policy-watcher.js';
import { createToolRuntime } from '../tools/runtime.js';
import { callDeadlineMs } from '../tools/runner.js';
import { databaseEvidenceStore } from '../tools/evidence.js';
import { installJobs, startBoss } from '../jobs/boss.js';
import { startRpaWorker } from '../jobs/rpa-worker.js';
import { pruneRpaResults } from '../jobs/rpa-done.js';

export interface WorkerProcess {
  url?: string;
  close(): Promise<void>;
}

export async function startWorkerProcess(config: Config, opts: { port?: number } = {}): Promise<WorkerProcess> {
  if (!config.DATABASE_URL) throw new ConfigError('npm run worker needs DATABASE_URL: with embedded PGlite the bot runs its own worker (RPA_WORKERS=embedded)');
  if (usesSandbox(config)) throw new ConfigError('npm run worker needs the legacy systems\' URLs (LEGACY_CRM_URL …): a worker does not start a sandbox of its own');
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch((e: Error) => console.error('[worker shutdown]', e.message));
  };
  try {
    installLogMasking();
    installDataKeys(resolveDataKeys({ spec: config.DATA_KEYS, databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR }).keyring);
    const db = await openDb({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolSize: Math.min(config.DATABASE_POOL_SIZE, 6),
      acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTxTimeoutMs: config.DATABASE_IDLE_IN_TX_TIMEOUT_MS,
    });
    closers.push(() => db.close());
    const deadlineMs = callDeadlineMs(config);
    await prepareDatabase(db, { ownerUrl: config.DATABASE_OWNER_URL }, (owner) => installJobs(owner, { rpaExpireSeconds: Math.ceil(deadlineMs / 1000) + 30 }));

    // Evidence into the database, so any replica serves it (GET /console/api/evidence/…).
    const runtime = await createToolRuntime(config, { evidenceStore: databaseEvidenceStore(db) });
    closers.push(() => runtime.close());
    const policyFile = config.POLICY_FILE ?? bundledPolicyFile;
    const registered = new Set(runtime.registry.list().map((t) => t.name));
    setActivePolicy(checkedPolicy(readPolicyText(policyFile), policyFile, registered, deadlineMs));
    const policyWatch = watchPolicy({
      file: policyFile,
      registered,
      callDeadlineMs: deadlineMs,
      intervalMs: config.POLICY_POLL_MS,
      onReloaded: async ({ file }) => console.log(`[policy] reloaded ${file}`),
      onRejected: async ({ error }) => console.warn(`[policy] ${error.message} — the policy in force is kept`),
    });
    closers.push(async () => policyWatch.close());

    const boss = await startBoss(db, { superviseSeconds: config.JOBS_SUPERVISE_SECONDS });
    closers.push(() => boss.stop({ graceful: false, close: false }));
    const worker = await startRpaWorker({ db, boss, runner: runtime.runner, slots: config.RPA_WORKER_SLOTS });
    closers.push(() => worker.stop());
    const pruner = setInterval(() => void pruneRpaResults(db).catch(() => undefined), 600_000);
    pruner.unref();
    closers.push(async () => clearInterval(pruner));

    let url: string | undefined;
    if (opts.port !== undefined) {
      const http = Fastify({ logger: false });
      http.get('/healthz', async () => {
        const { memory, systems } = runtime.pool.stats();
        return { ok: true, role: 'worker', jobs: worker.stats(), breakers: runtime.runner.breakers(), browser: { memory, pages: systems } };
      });
      url = await http.listen({ port: opts.port, host: '127.0.0.1' });
      closers.push(() => http.close());
    }
    return { ...(url && { url }), close };
  } catch (err) {
    await close();
    throw err;
  }
}
