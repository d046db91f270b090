/**
 * Every environment variable Switchboard reads, in one zod schema. A wrong value stops start-up
 * with the variable's name and what was expected, instead of failing later somewhere deep.
 */
import { z } from 'zod';

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

export const configSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_PORT: port.default(3100),
  DATA_DIR: z.string().min(1).default('.data'),
  /** Unset: embedded PGlite under DATA_DIR. Set: a real PostgreSQL. */
  DATABASE_URL: z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional())
    .optional(),
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
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  BROWSER_HEADLESS: boolish.default(true),
  RPA_PAGES_PER_SYSTEM: z.coerce.number().int().min(1).max(16).default(2),
  RPA_RECYCLE_AFTER: z.coerce.number().int().min(1).default(50),
  RPA_TASK_TIMEOUT_MS: z.coerce.number().int().min(1000).default(15_000),
  /** Consecutive SystemErrors that open a legacy system's circuit breaker. */
  RPA_BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(5),
  /** How long an open breaker refuses calls before letting one probe through. */
  RPA_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).default(30_000),
  /** Overall deadline of one tool call, retries included (capped below the approval expiry). */
  RPA_CALL_DEADLINE_MS: z.coerce.number().int().min(1000).default(60_000),
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
  /** How often pending approvals are checked for expiry. */
  APPROVAL_SWEEP_MS: z.coerce.number().int().min(100).default(5_000),
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
    const teamsProblem = teamsConfigProblem(cfg);
    if (teamsProblem) throw new ConfigError(`Invalid configuration:\n  ${teamsProblem}`);
    const feishuProblem = feishuConfigProblem(cfg);
    if (feishuProblem) throw new ConfigError(`Invalid configuration:\n  ${feishuProblem}`);
    const azure = [cfg.AZURE_OPENAI_API_KEY, cfg.AZURE_OPENAI_ENDPOINT, cfg.AZURE_OPENAI_DEPLOYMENT].filter(Boolean).length;
    if (azure > 0 && azure < 3) {
      throw new ConfigError('Invalid configuration:\n  AZURE_OPENAI_*: set AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT together, or none');
    }
    if (cfg.PLANNER === 'llm' && !llmConfigured(cfg)) {
      throw new ConfigError('Invalid configuration:\n  PLANNER: "llm" needs OPENAI_API_KEY or the AZURE_OPENAI_* variables');
    }
    return cfg;
  }
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const key = typeof issue.path[0] === 'string' ? issue.path[0] : '';
    const got = key ? env[key] : undefined;
    // Values of secrets (and URLs, which may carry passwords) are never echoed.
    const secret = /PASSWORD|SECRET|KEY|TOKEN|DATABASE_URL/.test(key);
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
