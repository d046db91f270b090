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

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

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
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  BROWSER_HEADLESS: boolish.default(true),
  RPA_PAGES_PER_SYSTEM: z.coerce.number().int().min(1).max(16).default(2),
  RPA_RECYCLE_AFTER: z.coerce.number().int().min(1).default(50),
  RPA_TASK_TIMEOUT_MS: z.coerce.number().int().min(1000).default(15_000),
  /** Real legacy portals; when none is set the sandbox starts in-process. */
  LEGACY_CRM_URL: optionalUrl,
  LEGACY_RESOURCE_URL: optionalUrl,
  LEGACY_NMS_URL: optionalUrl,
  LEGACY_TICKET_URL: optionalUrl,
  LEGACY_USERNAME: z.string().min(1).default('rpa_bot'),
  LEGACY_PASSWORD: z.string().min(1).default('sandbox'),
  APPROVAL_TTL_SECONDS: z.coerce.number().int().min(5).max(7 * 24 * 3600).default(30 * 60),
  /** How often pending approvals are checked for expiry. */
  APPROVAL_SWEEP_MS: z.coerce.number().int().min(100).default(5_000),
  PLANNER: z.enum(['commands']).default('commands'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
    const legacy = [cfg.LEGACY_CRM_URL, cfg.LEGACY_RESOURCE_URL, cfg.LEGACY_NMS_URL, cfg.LEGACY_TICKET_URL];
    const set = legacy.filter(Boolean).length;
    if (set > 0 && set < legacy.length) {
      throw new ConfigError(
        'Invalid configuration:\n  LEGACY_*_URL: set all four (CRM, RESOURCE, NMS, TICKET) or none (then the sandbox runs)',
      );
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

export function usesSandbox(cfg: Config): boolean {
  return !cfg.LEGACY_CRM_URL;
}
