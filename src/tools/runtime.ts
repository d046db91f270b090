/**
 * The tool runtime of one process: registry, browser pool, HTTP-API clients and runner, built
 * from the configuration. app.ts and the `npm run tool` CLI both compose it here, so the two
 * cannot drift apart in how they reach the legacy systems.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { maskDeep } from '../policies/masking.js';
import type { AnyTool, LegacySystem } from './define.js';
import { BrowserPool } from './browser-pool.js';
import { BrowserUnavailableError, NO_BROWSER_FIX, resolveBrowser, type BrowserBinary } from './browser-binary.js';
import { legacyTools } from './catalog.js';
import { portalLogin } from './portal/login.js';
import { ToolRegistry } from './registry.js';
import { ToolRunner, callDeadlineMs } from './runner.js';
import { legacyBaseUrls } from './systems.js';
import { ApiClients } from './api-client.js';
import { SessionVault, parseSessionKey } from './session-vault.js';
import type { EvidenceStore } from './evidence.js';

export interface ToolRuntime {
  registry: ToolRegistry;
  pool: BrowserPool;
  /** The browser in use once it has been resolved (after the first launch), for the start-up banner. */
  browser(): BrowserBinary | null;
  /** HTTP-API clients of the systems driven through their API (sms, risk). */
  api: ApiClients;
  runner: ToolRunner;
  baseUrl(system: LegacySystem): string;
  dataDir: string;
  close(): Promise<void>;
}

export interface ToolRuntimeOptions {
  /** The in-process sandbox's URL; otherwise the LEGACY_*_URL variables are used. */
  sandboxUrl?: string;
  /** Overrides RPA_PAGES_PER_SYSTEM (the CLI runs one tool: one page is enough). */
  pagesPerSystem?: number;
  tools?: readonly AnyTool[];
  /** Launch Chromium now (default) rather than on the first browser task; the CLI waits, so bad input or an API tool never starts a browser. */
  launchBrowser?: boolean;
  /** System browser paths to try after CHROMIUM_PATH (default: tools/browser-binary.ts SYSTEM_BROWSER_PATHS); tests pass [] to get the bundled one. */
  browserCandidates?: readonly string[];
  /** Where a bundled browser is unpacked (default: the temporary directory). */
  browserCacheDir?: string;
  /** Where evidence files go (the app: the database, served to every replica); default: DATA_DIR/evidence. */
  evidenceStore?: EvidenceStore;
}

export async function createToolRuntime(config: Config, opts: ToolRuntimeOptions = {}): Promise<ToolRuntime> {
  const urls = opts.sandboxUrl ? legacyBaseUrls({ sandboxUrl: opts.sandboxUrl }) : legacyBaseUrls({ env: config });
  const baseUrl = (system: LegacySystem) => urls[system];
  const sessionKey = config.RPA_SESSION_KEY ? parseSessionKey(config.RPA_SESSION_KEY) : null;
  const resolved: { binary: BrowserBinary | null } = { binary: null };
  const pool = new BrowserPool({
    maxBrowserRssMb: config.RPA_BROWSER_MAX_RSS_MB,
    ...(sessionKey && { sessionStore: new SessionVault({ dir: path.join(path.resolve(config.DATA_DIR), 'sessions'), key: sessionKey }) }),
    executablePath: async () => {
      const binary = await resolveBrowser({
        chromiumPath: config.CHROMIUM_PATH,
        ...(opts.browserCandidates && { candidates: opts.browserCandidates }),
        ...(opts.browserCacheDir && { cacheDir: opts.browserCacheDir }),
      });
      resolved.binary = binary;
      return binary;
    },
    headless: config.BROWSER_HEADLESS,
    pagesPerSystem: opts.pagesPerSystem ?? config.RPA_PAGES_PER_SYSTEM,
    recycleAfter: config.RPA_RECYCLE_AFTER,
    taskTimeoutMs: config.RPA_TASK_TIMEOUT_MS,
    baseUrl,
    login: (system) => portalLogin(system, { username: config.LEGACY_USERNAME, password: config.LEGACY_PASSWORD }),
  });
  if (opts.launchBrowser !== false) {
    try {
      await pool.start();
    } catch (e) {
      // Start-up: one line a person can act on, not a stack trace.
      const cause = e instanceof Error && e.cause instanceof BrowserUnavailableError ? e.cause : null;
      if (cause) throw cause;
      const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      const which = resolved.binary ? `Chromium ${resolved.binary.describe}` : 'Chromium';
      throw new BrowserUnavailableError(`${which} did not start (${first}): ${NO_BROWSER_FIX}.`, { cause: e });
    }
  }
  const registry = new ToolRegistry();
  for (const tool of opts.tools ?? legacyTools) registry.register(tool);
  // A write whose target owner cannot be read would be refused on every call: say so at start.
  const missing = registry.missingResolverReads();
  if (missing.length > 0) {
    await pool.close();
    throw new Error(`data scope resolvers need unregistered read tools: ${missing.join(', ')}`);
  }
  const dataDir = path.resolve(config.DATA_DIR);
  const api = new ApiClients({
    baseUrl,
    credentials: { username: config.LEGACY_USERNAME, password: config.LEGACY_PASSWORD },
    requestTimeoutMs: config.RPA_TASK_TIMEOUT_MS,
  });
  const runner = new ToolRunner({
    registry,
    pool,
    api: api.for,
    baseUrl,
    dataDir,
    ...(opts.evidenceStore && { evidenceStore: opts.evidenceStore }),
    redact: maskDeep,
    traces: config.RPA_TRACES,
    breakers: {
      volume: config.RPA_BREAKER_THRESHOLD,
      ...(config.RPA_BREAKER_MIN_CALLS !== undefined && { minCalls: config.RPA_BREAKER_MIN_CALLS }),
      failureRate: config.RPA_BREAKER_FAILURE_RATE,
      windowMs: config.RPA_BREAKER_WINDOW_MS,
      coolDownMs: config.RPA_BREAKER_COOLDOWN_MS,
    },
    deadlineMs: callDeadlineMs(config),
    screenshotAfterResult: true,
  });
  return {
    registry,
    pool,
    browser: () => resolved.binary,
    api,
    runner,
    baseUrl,
    dataDir,
    close: async () => {
      await runner.settled(); // screenshots still being written after their call answered
      await api.close();
      await pool.close();
    },
  };
}
