/**
 * Every environment variable Switchboard reads, in one zod schema. A wrong value stops start-up
 * with the variable's name and what was expected, instead of failing later somewhere deep.
 */
import { z } from 'zod';
import { isKey32 } from './lib/key32.js';

const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional())
  .optional();

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** An optional secret or name: empty means unset. */
const llmString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/** "dept=target,dept2=target2" -> { dept: target }: where a department's approval cards go. */
function departmentMap(target: RegExp, shape: string) {
  return z
    .string()
    .trim()
    .default('')
    .transform((v, ctx) => {
      const out: Record<string, string> = {};
      for (const pair of v.split(',').map((p) => p.trim()).filter(Boolean)) {
        const at = pair.indexOf('=');
        const dept = pair.slice(0, at).trim();
        const to = pair.slice(at + 1).trim();
        if (at <= 0 || !/^\S+$/.test(dept) || !target.test(to)) {
          ctx.addIssue({ code: 'custom', message: `expected ${shape}, got "${pair}"` });
          continue;
        }
        out[dept] = to;
      }
      return out;
    });
}

/** A PostgreSQL connection URL; empty counts as unset. */
const postgresUrl = z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional())
    .optional();

export const configSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_PORT: port.default(3100),
  DATA_DIR: z.string().min(1).default('.data'),
  /** Unset: embedded PGlite under DATA_DIR. Set: a real PostgreSQL. */
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Concurrency (store/db.ts, agents/thread-lock.ts): every wait on the database is bounded, so a slow turn fails alone. */
  /** Longest wait for a pool connection (PGlite's single connection too); past it the turn answers "busy, please retry". */
  DATABASE_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** PostgreSQL statement_timeout of every pool connection (PGlite ignores it, measured). */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** PostgreSQL idle_in_transaction_session_timeout: a transaction left open while its code awaits something else is ended. */
  DATABASE_IDLE_IN_TX_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** A thread's cross-process lease: renewed every third of this while held; a dead holder blocks the thread at most this long. */
  THREAD_LEASE_TTL_MS: z.coerce.number().int().min(1_000).max(600_000).default(15_000),
  /** Longest wait for another turn of the same thread (this process or another) before this one answers "busy". */
  THREAD_LOCK_WAIT_MS: z.coerce.number().int().min(100).max(3_600_000).default(180_000),
  /** A Chromium/Chrome binary; unset: the usual system paths, then the bundled @sparticuz/chromium (tools/browser-binary.ts). */
  CHROMIUM_PATH: optionalString,
  BROWSER_HEADLESS: boolish.default(true),
  RPA_PAGES_PER_SYSTEM: z.coerce.number().int().min(1).max(16).default(2),
  RPA_RECYCLE_AFTER: z.coerce.number().int().min(1).default(50),
  RPA_TASK_TIMEOUT_MS: z.coerce.number().int().min(1000).default(15_000),
  /**
   * A legacy system's circuit breaker (tools/circuit-breaker.ts): over the last
   * RPA_BREAKER_THRESHOLD calls that reached the system (within RPA_BREAKER_WINDOW_MS), it opens
   * when they are at least RPA_BREAKER_MIN_CALLS and RPA_BREAKER_FAILURE_RATE or more of them
   * failed after their retries.
   */
  RPA_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(6),
  /** The window's minimum volume; unset: half of RPA_BREAKER_THRESHOLD, rounded up. */
  RPA_BREAKER_MIN_CALLS: z.coerce.number().int().min(1).optional(),
  RPA_BREAKER_FAILURE_RATE: z.coerce.number().min(0.05).max(1).default(0.8),
  RPA_BREAKER_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  /** How long an open breaker refuses calls before letting one probe through. */
  RPA_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).default(30_000),
  /** Overall deadline of one tool call, retries included (capped below the approval expiry). */
  RPA_CALL_DEADLINE_MS: z.coerce.number().int().min(1000).default(60_000),
  /**
   * Where RPA work runs: 'embedded' (this process runs a worker with its own browser: one command
   * on one machine) or 'external' (`npm run worker` processes on the same PostgreSQL; this
   * replica starts no browser). Either way every call is a pg-boss job (jobs/).
   */
  RPA_WORKERS: z.enum(['embedded', 'external']).default('embedded'),
  /** `npm run worker`: the port of its /healthz (0 = any free port); unset: none. */
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** RPA jobs one worker process runs at once (about its pages: more only queue inside its pool). */
  RPA_WORKER_SLOTS: z.coerce.number().int().min(1).max(128).default(8),
  /** Seconds between pg-boss supervision passes: a dead worker's job is failed within about this plus its 10 s heartbeat. */
  JOBS_SUPERVISE_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  /** Playwright trace of a failed browser task ('failure') or none ('off'). */
  RPA_TRACES: z.enum(['failure', 'off']).default('failure'),
  /** Bound on the browser's memory (PSS of the Chromium process tree where the kernel reports it, else summed RSS; MB); 0 = measure only. */
  RPA_BROWSER_MAX_RSS_MB: z.coerce.number().int().min(0).default(1500),
  /** Encrypts portal sessions saved under DATA_DIR/sessions (32 bytes: 64 hex chars or base64). Unset: sessions in memory only. */
  RPA_SESSION_KEY: optionalString.refine(
    (v) => v === undefined || /^[0-9a-fA-F]{64}$/.test(v) || (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(v) && Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').length === 32),
    'must be 32 bytes: 64 hex characters or base64',
  ),
  /** Evidence retention under DATA_DIR/evidence: newest N files, none older than D days. */
  EVIDENCE_MAX_FILES: z.coerce.number().int().min(1).default(20_000),
  EVIDENCE_MAX_AGE_DAYS: z.coerce.number().int().min(1).default(90),
  EVIDENCE_PRUNE_MS: z.coerce.number().int().min(1000).default(3_600_000),
  /** Real legacy portals; when none is set the sandbox starts in-process. */
  LEGACY_CRM_URL: optionalUrl,
  LEGACY_RESOURCE_URL: optionalUrl,
  LEGACY_NMS_URL: optionalUrl,
  LEGACY_TICKET_URL: optionalUrl,
  LEGACY_BILLING_URL: optionalUrl,
  LEGACY_CHANNEL_URL: optionalUrl,
  LEGACY_SMS_URL: optionalUrl,
  LEGACY_RISK_URL: optionalUrl,
  LEGACY_USERNAME: z.string().min(1).default('rpa_bot'),
  LEGACY_PASSWORD: z.string().min(1).default('sandbox'),
  APPROVAL_TTL_SECONDS: z.coerce.number().int().min(5).max(7 * 24 * 3600).default(30 * 60),
  /** A write on the same target this recent is named as a conflict on the card; an unchanged rejected request this recent is answered with its rejection. */
  APPROVAL_CONFLICT_WINDOW_MINUTES: z.coerce.number().int().min(1).max(31 * 24 * 60).default(24 * 60),
  /** How often pending approvals are checked for expiry. */
  APPROVAL_SWEEP_MS: z.coerce.number().int().min(100).default(5_000),
  // -- approved-write executor and outbox recovery (issue 10 §7-8) --
  /** How often approved, unfinished outbox rows are executed or verified (and their runs ended). */
  OUTBOX_RECOVERY_MS: z.coerce.number().int().min(100).default(30_000),
  /** How long an executor's outbox claim holds without renewal; a lapsed claim is taken over and verified first. */
  OUTBOX_LEASE_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** commands: the deterministic planner only. llm: free-form requests go to the LLM (needs a key). auto: llm when a key is configured. */
  PLANNER: z.enum(['commands', 'llm', 'auto']).default('auto'),
  /** The LLM provider (src/agents/llm), named as the openai SDK names them. Any OpenAI-compatible endpoint via OPENAI_BASE_URL. */
  OPENAI_API_KEY: llmString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: z.string().trim().min(1).default('gpt-4o-mini'),
  /** Azure OpenAI instead: all three set. */
  AZURE_OPENAI_API_KEY: llmString,
  AZURE_OPENAI_ENDPOINT: optionalUrl,
  AZURE_OPENAI_DEPLOYMENT: llmString,
  OPENAI_API_VERSION: z.string().trim().min(1).default('2024-10-21'),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(20_000),
  LLM_RETRY_BACKOFF_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  /** Completion tokens per request. */
  LLM_MAX_TOKENS: z.coerce.number().int().min(16).max(32_000).default(800),
  /** Per turn: tool calls, requests to the provider, prompt + completion tokens. */
  LLM_MAX_TOOL_CALLS: z.coerce.number().int().min(1).max(50).default(6),
  LLM_MAX_CALLS: z.coerce.number().int().min(1).max(20).default(5),
  /** Wall-clock limit of one free-form turn; checked before each LLM call. */
  LLM_TURN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  LLM_TURN_TOKEN_BUDGET: z.coerce.number().int().min(500).default(16_000),
  /** Conversation memory kept for multi-turn requests, and how long an idle conversation keeps it. */
  LLM_MEMORY_TOKENS: z.coerce.number().int().min(0).default(1_500),
  LLM_MEMORY_TTL_MINUTES: z.coerce.number().int().min(1).default(60),
  /** Price per million prompt / completion tokens (any currency), for the cost figures. */
  LLM_PRICE_PROMPT_PER_M: z.coerce.number().min(0).default(0),
  LLM_PRICE_COMPLETION_PER_M: z.coerce.number().min(0).default(0),
  /** OpenAI strict function schemas; turn off for endpoints that refuse `strict`. */
  LLM_STRICT_TOOLS: boolish.default(true),
  /**
   * Personal data at rest (store/data-keys.ts): AES-256-GCM keys "kid:base64[,kid:base64…]"; the
   * first seals new data, every listed key opens what it sealed (rotation). Required with
   * DATABASE_URL; unset with embedded PGlite, a key is generated under DATA_DIR (demo mode).
   */
  DATA_KEYS: optionalString.refine(
    (v) => v === undefined || /^[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9+/=_-]{40,}(\s*,\s*[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9+/=_-]{40,})*$/.test(v),
    'expected kid:key pairs separated by commas, each key 32 bytes as base64 or 64 hex characters',
  ),
  /** Raw personal data kept for a run (inbox text, approval/outbox inputs, checkpoints, LLM vault) is purged this many days after the run ended. */
  RAW_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  RAW_PURGE_MS: z.coerce.number().int().min(1000).default(3_600_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Microsoft Teams (src/bot/teams): the Azure Bot's app registration. Unset: the endpoint is off. */
  MICROSOFT_APP_ID: optionalString,
  MICROSOFT_APP_PASSWORD: optionalString,
  MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MICROSOFT_APP_TENANT_ID: optionalString,
  /** Local testing only: accept unsigned Bot Framework requests when no app id is set. */
  TEAMS_ALLOW_UNAUTHENTICATED: boolish.default(false),
  /** Approval cards to a department's Teams channel instead of each approver's 1:1 chat: "dept=19:…@thread.tacv2,dept2=…". */
  TEAMS_APPROVAL_CHANNELS: departmentMap(/^\S+$/, 'department=conversationId'),
  /** Overrides of the Bot Framework's OpenID metadata and token issuer (sovereign clouds, tests). */
  TEAMS_OPENID_METADATA_URL: optionalUrl,
  TEAMS_TOKEN_ISSUER: optionalString,
  /** Feishu (src/bot/feishu): the self-built app's credentials. Unset FEISHU_APP_ID: the channel is off. */
  FEISHU_APP_ID: optionalString,
  FEISHU_APP_SECRET: optionalString,
  /** Event encryption and signing key (required for the webhook) and the verification token. */
  FEISHU_ENCRYPT_KEY: optionalString,
  FEISHU_VERIFICATION_TOKEN: optionalString,
  /** Open API base URL: Feishu by default, https://open.larksuite.com for Lark. */
  FEISHU_DOMAIN: z.url().default('https://open.feishu.cn'),
  /** webhook: POST /feishu/events on this server. websocket: the SDK's long connection (no public URL). */
  FEISHU_MODE: z.enum(['webhook', 'websocket']).default('webhook'),
  /** Approval cards to a department's Feishu group instead of each approver's p2p chat: "cs-hangzhou=oc_…,field-hangzhou=oc_…". */
  FEISHU_APPROVAL_CHATS: departmentMap(/^oc_[A-Za-z0-9_-]+$/, 'department=oc_chatId'),
  /**
   * Audit chain (src/store/audit*.ts, invariants 7 and 12). AUDIT_KEY (32 bytes, hex or base64)
   * signs every audit row (HMAC-SHA-256) and every anchored head; required with DATABASE_URL, in
   * the embedded demo generated once into DATA_DIR/audit.key. Old keys after a rotation, comma-
   * separated, still verify the rows they signed.
   */
  AUDIT_KEY: optionalString.refine((v) => v === undefined || isKey32(v), 'must be 32 bytes: 64 hex characters or base64'),
  AUDIT_PREVIOUS_KEYS: z
    .string()
    .trim()
    .default('')
    .transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean))
    .refine((keys) => keys.every(isKey32), 'each key must be 32 bytes: 64 hex characters or base64'),
  /** How often the signed chain head is appended to DATA_DIR/audit-anchors.jsonl (and logged, and POSTed). */
  AUDIT_ANCHOR_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Optional webhook that receives each signed head (JSON POST), kept by someone other than this app. */
  AUDIT_ANCHOR_URL: optionalUrl,
  /** The schema owner: migrations and grants run as it; DATABASE_URL is then the runtime role (no UPDATE/DELETE/TRUNCATE on audit_log). */
  DATABASE_OWNER_URL: postgresUrl,
  /**
   * Console access and listeners (src/bot/console/auth.ts, README "Console login"). CONSOLE=off
   * removes the console and its operations endpoints. CONSOLE_AUTH: demo = personas picked in the
   * page, loopback only; oidc = OpenID Connect login; auto = demo on a loopback HOST, else oidc.
   */
  CONSOLE: z.enum(['on', 'off']).default('on'),
  CONSOLE_AUTH: z.enum(['auto', 'demo', 'oidc']).default('auto'),
  OIDC_ISSUER: optionalUrl,
  OIDC_CLIENT_ID: optionalString,
  /** Unset: a public client (PKCE only, token endpoint auth "none"). */
  OIDC_CLIENT_SECRET: optionalString,
  /** The URL the provider sends people back to: https://<console host>/console/callback. */
  OIDC_REDIRECT_URL: optionalUrl,
  OIDC_SCOPES: z.string().trim().min(1).default('openid profile'),
  /** The ID token claim looked up in platform_identities (channel 'oidc'). */
  OIDC_PRINCIPAL_CLAIM: z.string().trim().min(1).default('sub'),
  /** Where the provider sends people after logout (registered at the provider); unset: back to /console. */
  OIDC_POST_LOGOUT_URL: optionalUrl,
  /** Seals the login transaction cookie (32 bytes: 64 hex characters or base64). Required for oidc. */
  SESSION_SECRET: optionalString.refine((v) => v === undefined || isKey32(v), 'must be 32 bytes: 64 hex characters or base64'),
  SESSION_TTL_MINUTES: z.coerce.number().int().min(5).max(7 * 24 * 60).default(8 * 60),
  /** People and their identities to upsert at start (JSON, YAML or CSV, README "Adding real people"); the demo directory is seeded only in demo mode. */
  DIRECTORY_FILE: optionalString,
  /** The policy document (roles → tools, rollout stages, rate limits); default config/policy.yaml. Reloaded on change. */
  POLICY_FILE: optionalString,
  /** How often the policy file's stat is polled for a change. */
  POLICY_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /**
   * How often each process checks the directory version (store/directory-watch.ts), besides the
   * NOTIFY it hears on PostgreSQL: the longest a missed notification can delay a directory change.
   */
  DIRECTORY_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  /** The chat-platform webhooks (/api/messages, /feishu/events) on a listener of their own; unset: on PORT. */
  WEBHOOK_PORT: port.optional(),
  WEBHOOK_HOST: optionalString,
  /**
   * Inbox retries (src/bot/inbox.ts): a failed event is tried again in the running process with
   * exponential backoff and jitter, at most INBOX_MAX_ATTEMPTS times in all, then dead-lettered
   * (answered "failed, it has been logged", audited, counted on /healthz). Due retries a dead
   * process left behind are picked up every INBOX_SWEEP_MS (0: only at start).
   */
  INBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  INBOX_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1000),
  INBOX_RETRY_MAX_MS: z.coerce.number().int().min(1).max(3_600_000).default(60_000),
  INBOX_SWEEP_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  /**
   * How long a replica holds an inbox event it accepted or claimed without renewing (it renews every
   * third of it). After that another replica takes it over; never before (PostgreSQL; embedded
   * PGlite has one process, which takes over everything at start).
   */
  INBOX_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(15_000),
  /**
   * Most chat turns one process runs at once; the rest wait as pending inbox rows. Accepting events
   * is never bounded by it (their ack must not wait), and card clicks skip it.
   */
  INBOX_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** Accepted messages one process holds unfinished before it answers new ones 503 (the platform redelivers later). */
  INBOX_MAX_BACKLOG: z.coerce.number().int().min(1).max(1_000_000).default(5000),
  /** A message still waiting for a turn slot after this long is told "received, queued (n ahead)" once (0: never). */
  INBOX_QUEUED_NOTICE_MS: z.coerce.number().int().min(0).max(600_000).default(3000),
});


export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parse the environment; throws ConfigError whose message names every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) {
    const cfg = result.data;
    const legacy = LEGACY_URL_VARS.map((k) => cfg[k]);
    const set = legacy.filter(Boolean).length;
    if (set > 0 && set < legacy.length) {
      const missing = LEGACY_URL_VARS.filter((k) => !cfg[k]);
      throw new ConfigError(
        `Invalid configuration:\n  LEGACY_*_URL: set all ${LEGACY_URL_VARS.length} or none (then the sandbox runs); missing: ${missing.join(', ')}`,
      );
    }
    // Every cross-variable problem at once: a new operator fixes the file in one pass.
    const problems: string[] = [];
    if (cfg.DATABASE_URL && !cfg.DATA_KEYS) {
      problems.push(
        'DATA_KEYS: required with DATABASE_URL (personal data at rest is encrypted with it): set DATA_KEYS=k1:<base64 of 32 random bytes>, e.g. k1:$(openssl rand -base64 32); list older keys after the first to keep reading their data',
      );
    }
    const azure = [cfg.AZURE_OPENAI_API_KEY, cfg.AZURE_OPENAI_ENDPOINT, cfg.AZURE_OPENAI_DEPLOYMENT].filter(Boolean).length;
    if (azure > 0 && azure < 3) problems.push('AZURE_OPENAI_*: set AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT together, or none');
    if (cfg.PLANNER === 'llm' && !llmConfigured(cfg)) problems.push('PLANNER: "llm" needs OPENAI_API_KEY or the AZURE_OPENAI_* variables');
    for (const problem of [teamsConfigProblem(cfg), feishuConfigProblem(cfg), auditConfigProblem(cfg), listenerConfigProblem(cfg)]) if (problem) problems.push(problem);
    if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    return cfg;
  }
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const key = typeof issue.path[0] === 'string' ? issue.path[0] : '';
    const got = key ? env[key] : undefined;
    // Values of secrets (and URLs, which may carry passwords) are never echoed.
    const secret = /PASSWORD|SECRET|KEY|TOKEN|DATABASE_URL|DATABASE_OWNER_URL|AUDIT_ANCHOR_URL/.test(key);
    return `  ${name}: ${issue.message}${got !== undefined && !secret ? ` (got "${got}")` : ''}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

function teamsConfigProblem(cfg: Config): string | undefined {
  if (!cfg.MICROSOFT_APP_ID) {
    if (cfg.MICROSOFT_APP_PASSWORD) return 'MICROSOFT_APP_PASSWORD: set MICROSOFT_APP_ID too (or neither)';
    return undefined;
  }
  if (cfg.MICROSOFT_APP_TYPE !== 'UserAssignedMSI' && !cfg.MICROSOFT_APP_PASSWORD) {
    return `MICROSOFT_APP_PASSWORD: required with MICROSOFT_APP_ID (app type ${cfg.MICROSOFT_APP_TYPE})`;
  }
  if (cfg.MICROSOFT_APP_TYPE !== 'MultiTenant' && !cfg.MICROSOFT_APP_TENANT_ID) {
    return `MICROSOFT_APP_TENANT_ID: required for MICROSOFT_APP_TYPE=${cfg.MICROSOFT_APP_TYPE}`;
  }
  return undefined;
}

/** One per legacy system (tools/systems.ts LEGACY_SYSTEMS). */
export const LEGACY_URL_VARS = [
  'LEGACY_CRM_URL',
  'LEGACY_RESOURCE_URL',
  'LEGACY_NMS_URL',
  'LEGACY_TICKET_URL',
  'LEGACY_BILLING_URL',
  'LEGACY_CHANNEL_URL',
  'LEGACY_SMS_URL',
  'LEGACY_RISK_URL',
] as const;

export function usesSandbox(cfg: Config): boolean {
  return !cfg.LEGACY_CRM_URL;
}

/** An LLM provider is configured (OpenAI-compatible key, or the three Azure variables). */
export function llmConfigured(cfg: Config): boolean {
  return Boolean(cfg.OPENAI_API_KEY || (cfg.AZURE_OPENAI_API_KEY && cfg.AZURE_OPENAI_ENDPOINT && cfg.AZURE_OPENAI_DEPLOYMENT));
}

/** The LLM planner is on: PLANNER=llm, or auto with a provider configured. */
export function llmEnabled(cfg: Config): boolean {
  return cfg.PLANNER !== 'commands' && llmConfigured(cfg);
}

/** Feishu needs its secret, and the webhook refuses to start without the Encrypt Key. */
function feishuConfigProblem(cfg: Config): string | undefined {
  if (!cfg.FEISHU_APP_ID) return undefined;
  if (!cfg.FEISHU_APP_SECRET) return 'FEISHU_APP_SECRET: required when FEISHU_APP_ID is set';
  if (cfg.FEISHU_MODE === 'webhook' && !cfg.FEISHU_ENCRYPT_KEY) {
    return 'FEISHU_ENCRYPT_KEY: required for FEISHU_MODE=webhook (set the Encrypt Key in the Feishu console under Events and Callbacks > Encryption Strategy), or use FEISHU_MODE=websocket';
  }
  return undefined;
}

/** The audit key must live outside a shared database; the owner URL only makes sense beside DATABASE_URL. */
function auditConfigProblem(cfg: Config): string | undefined {
  if (cfg.DATABASE_OWNER_URL && !cfg.DATABASE_URL) return 'DATABASE_OWNER_URL: set DATABASE_URL (the runtime role) too';
  if (cfg.DATABASE_URL && !cfg.AUDIT_KEY) {
    return 'AUDIT_KEY: required with DATABASE_URL (32 bytes, e.g. `openssl rand -hex 32`): it signs the audit chain and must be kept outside the database';
  }
  return undefined;
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return !!m && m.slice(1).every((o) => Number(o) <= 255);
}

/** How the console identifies people: a demo persona (loopback only), a login, or not at all. */
export function consoleAuthMode(cfg: Config): 'demo' | 'oidc' | 'off' {
  if (cfg.CONSOLE === 'off') return 'off';
  if (cfg.CONSOLE_AUTH !== 'auto') return cfg.CONSOLE_AUTH;
  return isLoopbackHost(cfg.HOST) ? 'demo' : 'oidc';
}

/**
 * Demo mode: personas without login on a loopback listener. Only then is the demo directory
 * (alice … erin and their test identities on every channel) seeded.
 */
export function demoMode(cfg: Config): boolean {
  const auth = cfg.CONSOLE_AUTH === 'auto' ? (isLoopbackHost(cfg.HOST) ? 'demo' : 'oidc') : cfg.CONSOLE_AUTH;
  return auth === 'demo' && isLoopbackHost(cfg.HOST);
}

/** The host the chat-platform webhooks listen on. */
export function webhookHost(cfg: Config): string {
  return cfg.WEBHOOK_PORT !== undefined ? (cfg.WEBHOOK_HOST ?? cfg.HOST) : cfg.HOST;
}

/** Console / webhook listeners: persona switching and unsigned Teams traffic are loopback-only test modes. */
function listenerConfigProblem(cfg: Config): string | undefined {
  const mode = consoleAuthMode(cfg);
  if (mode === 'demo' && !isLoopbackHost(cfg.HOST)) {
    return (
      `HOST: the demo console (anyone picks any persona, no login) listens on loopback only (127.0.0.1 or ::1), not on "${cfg.HOST}". ` +
      'Set CONSOLE_AUTH=oidc with the OIDC_* variables for a real login, CONSOLE=off, or HOST=127.0.0.1'
    );
  }
  if (mode === 'oidc') {
    const missing = (['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_REDIRECT_URL', 'SESSION_SECRET'] as const).filter((k) => !cfg[k]);
    if (missing.length > 0) {
      return (
        `${missing.join(', ')}: the console on "${cfg.HOST}" requires an OpenID Connect login (README "Console login (OpenID Connect)"); ` +
        'set them, or CONSOLE=off, or HOST=127.0.0.1 for the demo personas'
      );
    }
  }
  if (cfg.WEBHOOK_HOST && cfg.WEBHOOK_PORT === undefined) return 'WEBHOOK_HOST: set WEBHOOK_PORT too (or neither)';
  if (cfg.TEAMS_ALLOW_UNAUTHENTICATED && !cfg.MICROSOFT_APP_ID && !isLoopbackHost(webhookHost(cfg))) {
    return (
      `TEAMS_ALLOW_UNAUTHENTICATED: unsigned Teams traffic (anyone can act as anyone) is a loopback-only test mode, not on "${webhookHost(cfg)}". ` +
      'Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD, or bind the webhooks to 127.0.0.1'
    );
  }
  return undefined;
}
