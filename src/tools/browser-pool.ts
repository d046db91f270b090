/**
 * One Chromium per process, a bounded pool of warm, logged-in pages per legacy system.
 *
 * Measured here: a fresh browser per call 2.0 s, a new context 0.84 s, a warm page 0.15 s. So each
 * system gets one BrowserContext (its cookies are that system's session, shared by its pages) and
 * up to `pagesPerSystem` pages that stay open between tasks. A page that failed in a way we do not
 * understand is closed rather than lent again: its DOM, dialogs or half-filled forms are suspect.
 */
import { randomUUID } from 'node:crypto';
import { chromium, errors as pwErrors, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { LegacySystem, WithPage } from './define.js';
import { BusinessError, SystemError, isBusinessError, isSystemError } from './errors.js';
import { findChildByArg, treeMemoryMb } from './proc-memory.js';

/** Fills the system's login form. Must resolve once the portal has left its login page. */
export interface PortalLogin {
  (page: Page, baseUrl: string): Promise<void>;
}

/** What the pool launches: a binary and the environment it needs (see tools/browser-binary.ts). */
export interface LaunchTarget {
  executablePath: string;
  /** Added to this process's environment for the browser (fontconfig, library path). */
  env?: Record<string, string>;
}

export interface BrowserPoolOptions {
  /** A path, or a resolver run before the first launch (a bundled browser is unpacked only when needed). */
  executablePath: string | (() => Promise<LaunchTarget>);
  /** Default true. */
  headless?: boolean;
  /** Open pages per system, at most (default 2). Bound this by memory: ~40-80 MB per page. */
  pagesPerSystem?: number;
  /** Close a page after this many tasks (default 50), so slow leaks in a portal's JS stay bounded. */
  recycleAfter?: number;
  baseUrl(system: LegacySystem): string;
  login(system: LegacySystem): PortalLogin;
  /** Waiting for a free page; on expiry SystemError('unavailable'). Default 30 s. */
  acquireTimeoutMs?: number;
  /** Playwright's default timeout for every action and navigation of a task (default 15 s). */
  taskTimeoutMs?: number;
  /**
   * Hard limit on a whole task (default 2 x taskTimeoutMs). Catches what action timeouts do not
   * (page.evaluate never resolving, a loop of slow steps); the page is closed when it fires.
   */
  taskDeadlineMs?: number;
  /** Extra launch args, appended to the fixed set. */
  extraArgs?: string[];
  /**
   * Bound on the browser's memory: the resident memory of the Chromium process tree, in MB, as
   * summed PSS where the kernel offers it (else summed VmRSS) (default 1500; 0 = measure only). Over it, idle pages are closed (they reopen on demand); still over
   * with no task running, the browser is relaunched.
   */
  maxBrowserRssMb?: number;
  /** The memory is sampled after a task, at most this often (default 10 s). */
  memorySampleMs?: number;
  /** For tests: what the browser's RSS is, in MB (default: read from /proc). */
  measureRssMb?: () => number | null;
  /**
   * Where each system's session (cookies, storage) outlives the process: loaded when the system's
   * context is created, saved after each successful login. Unset: sessions live in memory only.
   */
  sessionStore?: SessionStore;
  /** Warnings (an unreadable saved session, a failed save). Default console.warn. */
  log?: (message: string) => void;
}

/** What BrowserContext.storageState() returns and newContext({ storageState }) accepts. */
export type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

/** Persistence of a system's logged-in browser state (tools/session-vault.ts encrypts it). */
export interface SessionStore {
  /** null when nothing usable is stored (missing, unreadable, wrong key...). Never throws. */
  load(system: LegacySystem): Promise<StorageState | null>;
  save(system: LegacySystem, state: StorageState): Promise<void>;
}

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

export interface SystemPoolStats {
  open: number;
  idle: number;
  busy: number;
  waiting: number;
  pagesCreated: number;
  pagesRecycled: number;
  logins: number;
  tasks: number;
}

export interface BrowserMemoryStats {
  /**
   * Resident memory of the browser's process tree at the last sample, in MB; null before one (or
   * off Linux). Summed PSS (shared pages split fairly) where available, else summed VmRSS.
   */
  rssMb: number | null;
  /** Which of the two rssMb is: 'pss' or 'rss' (null before a sample). */
  measure: 'pss' | 'rss' | null;
  /** The bound (0 = none). */
  maxRssMb: number;
  /** ISO time of the last sample, or null. */
  sampledAt: string | null;
  /** Idle pages closed because the browser was over the bound. */
  trims: number;
  /** Browser relaunches because it stayed over the bound with no task running. */
  relaunches: number;
}

export interface BrowserPoolStats {
  connected: boolean;
  launches: number;
  systems: Partial<Record<LegacySystem, SystemPoolStats>>;
  memory: BrowserMemoryStats;
}

/** Tools call this after a navigation: the portal showing its login form means our session died. */
export async function ensureNotLoginPage(page: Page, system: LegacySystem | string): Promise<void> {
  if (isLoginUrl(page.url())) {
    throw new SystemError('session_expired', system, `${system}: session expired (login page shown)`);
  }
}

/**
 * Navigate and fail the way the runner understands: 5xx -> unavailable, login page ->
 * session_expired, network errors and timeouts classified by toSystemError.
 */
export async function gotoPage(page: Page, url: string, system: LegacySystem | string): Promise<void> {
  let status: number | undefined;
  try {
    const res = await page.goto(url, { waitUntil: 'domcontentloaded' });
    status = res?.status();
  } catch (e) {
    throw toSystemError(e, system);
  }
  // Redirected to the login form: our session died, whether or not the form itself then loaded
  // (a 5xx on the login page must not hide the expiry, or the pool would never log in again).
  await ensureNotLoginPage(page, system);
  if (status !== undefined && status >= 500) {
    // The portal failed, not the page: it has just loaded an error page and can be lent again.
    throw pageReusable(new SystemError('unavailable', system, `${system}: portal answered HTTP ${status}`));
  }
}

function isLoginUrl(url: string): boolean {
  try {
    const path = new URL(url).pathname.replace(/\/+$/, '');
    return path.endsWith('/login');
  } catch {
    return false;
  }
}

const UNAVAILABLE_NET =
  /net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|CONNECTION_CLOSED|CONNECTION_ABORTED|CONNECTION_FAILED|EMPTY_RESPONSE|NAME_NOT_RESOLVED|ADDRESS_UNREACHABLE|ADDRESS_INVALID|INTERNET_DISCONNECTED|NETWORK_CHANGED|SOCKET_NOT_CONNECTED|PROXY_CONNECTION_FAILED)/;
const TIMEOUT_NET = /net::ERR_(TIMED_OUT|CONNECTION_TIMED_OUT)/;
const GONE = /(Target page, context or browser has been closed|Target closed|Browser has been closed|browser has disconnected|Page crashed|Navigation failed because page crashed)/i;

/** Map whatever a browser task threw onto the two typed errors. Typed errors pass through. */
export function toSystemError(e: unknown, system: LegacySystem | string): BusinessError | SystemError {
  if (isBusinessError(e) || isSystemError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  const firstLine = message.split('\n')[0] ?? message;
  if (e instanceof pwErrors.TimeoutError) {
    return new SystemError('timeout', system, `${system}: timed out (${firstLine})`, { cause: e });
  }
  if (TIMEOUT_NET.test(message)) return new SystemError('timeout', system, `${system}: ${firstLine}`, { cause: e });
  if (UNAVAILABLE_NET.test(message) || GONE.test(message)) {
    return new SystemError('unavailable', system, `${system}: ${firstLine}`, { cause: e });
  }
  // Anything else a portal script did not expect (missing element text, parse failure): the page
  // no longer looks like what the tool was written for.
  return new SystemError('unexpected_page', system, `${system}: ${firstLine}`, { cause: e });
}

interface PooledPage {
  page: Page;
  /** Browser generation the page belongs to; pages of a crashed browser are never lent again. */
  epoch: number;
  uses: number;
  broken: boolean;
}

interface Waiter {
  resolve(p: PooledPage): void;
  reject(e: unknown): void;
  settled: boolean;
  timer: NodeJS.Timeout;
}

interface SystemSlot {
  system: LegacySystem;
  context: Promise<BrowserContext> | null;
  /** A login failed after the session was found dead: the next lease logs in before its task. */
  sessionDead: boolean;
  /** Increments on every successful login; 0 = this context never logged in. */
  sessionGen: number;
  loginInFlight: Promise<void> | null;
  pages: Set<PooledPage>;
  /** LIFO: the most recently used page is the warmest. */
  idle: PooledPage[];
  creating: number;
  waiters: Waiter[];
  stats: { pagesCreated: number; pagesRecycled: number; logins: number; tasks: number };
}

export class BrowserPool {
  private readonly opts: Required<
    Omit<BrowserPoolOptions, 'taskDeadlineMs' | 'extraArgs' | 'measureRssMb' | 'sessionStore' | 'log'>
  > & {
    taskDeadlineMs: number;
    extraArgs: string[];
    measureRssMb?: () => number | null;
    sessionStore?: SessionStore;
    log: (message: string) => void;
  };
  /** A launch switch Chromium ignores; it tells our browser's process apart from any other. */
  private readonly marker = `--switchboard-pool=${randomUUID()}`;
  private browserPid: number | null = null;
  private readonly memory = {
    rssMb: null as number | null,
    measure: null as 'pss' | 'rss' | null,
    sampledAt: null as Date | null,
    trims: 0,
    relaunches: 0,
  };
  private lastSampleAt = 0;
  private sampling: Promise<void> | null = null;
  private browser: Browser | null = null;
  private launching: Promise<Browser> | null = null;
  private epoch = 0;
  private launches = 0;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly slots = new Map<LegacySystem, SystemSlot>();
  private target: Promise<LaunchTarget> | null = null;

  constructor(opts: BrowserPoolOptions) {
    const taskTimeoutMs = opts.taskTimeoutMs ?? 15_000;
    this.opts = {
      executablePath: opts.executablePath,
      headless: opts.headless ?? true,
      pagesPerSystem: Math.max(1, opts.pagesPerSystem ?? 2),
      recycleAfter: Math.max(1, opts.recycleAfter ?? 50),
      baseUrl: opts.baseUrl,
      login: opts.login,
      acquireTimeoutMs: opts.acquireTimeoutMs ?? 30_000,
      taskTimeoutMs,
      taskDeadlineMs: opts.taskDeadlineMs ?? taskTimeoutMs * 2,
      extraArgs: opts.extraArgs ?? [],
      maxBrowserRssMb: Math.max(0, opts.maxBrowserRssMb ?? 1500),
      memorySampleMs: Math.max(0, opts.memorySampleMs ?? 10_000),
      ...(opts.measureRssMb && { measureRssMb: opts.measureRssMb }),
      ...(opts.sessionStore && { sessionStore: opts.sessionStore }),
      log: opts.log ?? ((m) => console.warn(`[browser-pool] ${m}`)),
    };
  }

  /** Process id of the running Chromium (its tree is what the memory bound measures), or null. */
  get browserProcessId(): number | null {
    return this.browser ? this.browserPid : null;
  }

  /** Open pages per system, at most (what a batch's default concurrency follows). */
  get pagesPerSystem(): number {
    return this.opts.pagesPerSystem;
  }

  get ready(): boolean {
    return !this.closed && this.browser !== null && this.browser.isConnected();
  }

  /** Launch the browser now rather than on the first task (fail fast at start-up). */
  async start(): Promise<void> {
    await this.ensureBrowser();
  }

  /** Lend a warm, logged-in page of `system` to fn; see the class comment for the rules. */
  readonly withPage: WithPage = async <T>(system: LegacySystem, fn: (page: Page, baseUrl: string) => Promise<T>, hooks?: { onLease?: () => void }): Promise<T> => {
    if (this.closed) throw new SystemError('unavailable', system, 'browser pool is closed');
    const slot = this.slot(system);
    const baseUrl = this.opts.baseUrl(system);
    const lease = await this.acquire(slot);
    hooks?.onLease?.();
    slot.stats.tasks++;
    lease.uses++;
    let keep = true;
    try {
      // Never logged in, or the last login failed (the session is known dead): log in first,
      // rather than spend a navigation on being redirected to the login form.
      if (slot.sessionGen === 0 || slot.sessionDead) await this.login(slot, lease, slot.sessionGen);
      const gen = slot.sessionGen;
      try {
        return await this.runTask(lease, system, () => fn(lease.page, baseUrl));
      } catch (e) {
        if (!this.isSessionExpired(e, lease)) throw e;
        // Session died mid-task (portal restart, idle timeout): log in again, retry exactly once.
        await this.login(slot, lease, gen);
        return await this.runTask(lease, system, () => fn(lease.page, baseUrl));
      }
    } catch (e) {
      // A page is suspect after any other error; not after a BusinessError, an HTTP 5xx page, or a
      // task refused before it touched the page (its caller gave up while waiting).
      if (!isBusinessError(e) && !isPageReusable(e)) keep = false;
      throw toSystemError(e, system);
    } finally {
      this.release(slot, lease, keep);
    }
  };

  stats(): BrowserPoolStats {
    const systems: Partial<Record<LegacySystem, SystemPoolStats>> = {};
    for (const [name, s] of this.slots) {
      systems[name] = {
        open: s.pages.size,
        idle: s.idle.length,
        busy: s.pages.size - s.idle.length,
        waiting: s.waiters.length,
        ...s.stats,
      };
    }
    const m = this.memory;
    return {
      connected: this.ready,
      launches: this.launches,
      systems,
      memory: {
        rssMb: m.rssMb === null ? null : Math.round(m.rssMb * 10) / 10,
        measure: m.measure,
        maxRssMb: this.opts.maxBrowserRssMb,
        sampledAt: m.sampledAt ? m.sampledAt.toISOString() : null,
        trims: m.trims,
        relaunches: m.relaunches,
      },
    };
  }

  /**
   * Sample the browser's memory now and apply the bound (tests, and the sampler after tasks).
   * Resolves when done; concurrent calls share one run.
   */
  checkMemory(): Promise<void> {
    if (!this.sampling) {
      this.lastSampleAt = Date.now();
      this.sampling = this.enforceMemory()
        .catch((e: unknown) => this.opts.log(`memory check failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          this.sampling = null;
        });
    }
    return this.sampling;
  }

  /** Idempotent. Pending waiters are refused; pages in use fail with 'unavailable'. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closing = (async () => {
      for (const slot of this.slots.values()) {
        for (const w of slot.waiters.splice(0)) {
          settle(w, () => w.reject(new SystemError('unavailable', slot.system, 'browser pool is closed')));
        }
        slot.idle = [];
        slot.pages.clear();
        slot.context = null;
      }
      const browser = this.browser ?? (this.launching ? await this.launching.catch(() => null) : null);
      this.browser = null;
      if (browser) await browser.close().catch(() => undefined);
    })();
    return this.closing;
  }

  // ---- internals ----

  private slot(system: LegacySystem): SystemSlot {
    let s = this.slots.get(system);
    if (!s) {
      s = {
        system,
        context: null,
        sessionGen: 0,
        sessionDead: false,
        loginInFlight: null,
        pages: new Set(),
        idle: [],
        creating: 0,
        waiters: [],
        stats: { pagesCreated: 0, pagesRecycled: 0, logins: 0, tasks: 0 },
      };
      this.slots.set(system, s);
    }
    return s;
  }

  private isSessionExpired(e: unknown, lease: PooledPage): boolean {
    if (isSystemError(e)) return e.code === 'session_expired';
    if (isBusinessError(e) || lease.page.isClosed()) return false;
    // A tool that waited for its selector and timed out on the login form met the same thing.
    return isLoginUrl(lease.page.url());
  }

  private async runTask<T>(lease: PooledPage, system: LegacySystem, task: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        lease.broken = true;
        // Closing the page makes whatever the task awaits reject, so it cannot linger.
        void lease.page.close().catch(() => undefined);
        reject(new SystemError('timeout', system, `${system}: task exceeded ${this.opts.taskDeadlineMs} ms`));
      }, this.opts.taskDeadlineMs);
    });
    const work = task();
    work.catch(() => undefined);
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Single-flight per system: pages share the context's cookies, so one login serves them all. */
  private async login(slot: SystemSlot, lease: PooledPage, seenGen: number): Promise<void> {
    if (slot.sessionGen !== seenGen) return; // someone refreshed the session meanwhile
    if (!slot.loginInFlight) {
      slot.loginInFlight = (async () => {
        const baseUrl = this.opts.baseUrl(slot.system);
        try {
          await this.runTask(lease, slot.system, () => this.opts.login(slot.system)(lease.page, baseUrl));
        } catch (e) {
          slot.sessionDead = true;
          throw toSystemError(e, slot.system);
        }
        slot.stats.logins++;
        if (isLoginUrl(lease.page.url())) {
          slot.sessionDead = true;
          // The portal refused a fresh login: its failure (counted), not an expired session.
          throw new SystemError('unavailable', slot.system, `${slot.system}: login was not accepted`);
        }
        slot.sessionDead = false;
        slot.sessionGen++;
        await this.saveSession(slot.system, lease.page);
      })().finally(() => {
        slot.loginInFlight = null;
      });
    }
    await slot.loginInFlight;
  }

  private acquire(slot: SystemSlot): Promise<PooledPage> {
    return new Promise<PooledPage>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        settled: false,
        timer: setTimeout(() => {
          const i = slot.waiters.indexOf(waiter);
          if (i >= 0) slot.waiters.splice(i, 1);
          settle(waiter, () =>
            reject(
              new SystemError(
                'unavailable',
                slot.system,
                `${slot.system}: no free browser page within ${this.opts.acquireTimeoutMs} ms`,
              ),
            ),
          );
        }, this.opts.acquireTimeoutMs),
      };
      slot.waiters.push(waiter);
      this.dispatch(slot);
    });
  }

  /** Hand idle pages to waiters in FIFO order; open new pages while under the bound. */
  private dispatch(slot: SystemSlot): void {
    while (slot.waiters.length > 0 && !this.closed) {
      const idle = slot.idle.pop();
      if (idle) {
        if (!this.usable(idle)) {
          this.discard(slot, idle);
          continue;
        }
        const w = slot.waiters.shift()!;
        settle(w, () => w.resolve(idle));
        continue;
      }
      if (slot.pages.size + slot.creating >= this.opts.pagesPerSystem) return;
      const w = slot.waiters.shift()!;
      slot.creating++;
      this.createPage(slot).then(
        (p) => {
          slot.creating--;
          if (this.closed) {
            void p.page.close().catch(() => undefined);
            settle(w, () => w.reject(new SystemError('unavailable', slot.system, 'browser pool is closed')));
            return;
          }
          slot.pages.add(p);
          if (w.settled) {
            slot.idle.push(p); // its waiter timed out meanwhile; keep the page warm for the next one
            this.dispatch(slot);
          } else {
            settle(w, () => w.resolve(p));
          }
        },
        (e: unknown) => {
          slot.creating--;
          settle(w, () => w.reject(toSystemError(e, slot.system)));
          this.dispatch(slot);
        },
      );
    }
  }

  private release(slot: SystemSlot, lease: PooledPage, keep: boolean): void {
    const reuse = keep && this.usable(lease) && lease.uses < this.opts.recycleAfter && !this.closed;
    if (reuse) slot.idle.push(lease);
    else this.discard(slot, lease);
    this.dispatch(slot);
    if (!this.closed && !this.sampling && Date.now() - this.lastSampleAt >= this.opts.memorySampleMs) {
      // Off the release path: the next task must not wait for /proc to be read.
      setImmediate(() => void this.checkMemory());
    }
  }

  private measureRss(): number | null {
    const pid = this.browserPid;
    let rss: number | null;
    if (this.opts.measureRssMb) {
      rss = this.opts.measureRssMb();
      this.memory.measure = 'rss';
    } else {
      const m = pid !== null && this.browser ? treeMemoryMb(pid) : null;
      rss = m?.mb ?? null;
      this.memory.measure = m?.kind ?? null;
    }
    this.memory.rssMb = rss;
    this.memory.sampledAt = new Date();
    return rss;
  }

  /** Over the bound: close idle pages; still over and nothing running: relaunch the browser. */
  private async enforceMemory(): Promise<void> {
    const max = this.opts.maxBrowserRssMb;
    const before = this.measureRss();
    if (max <= 0 || before === null || before <= max || this.closed) return;
    const closing: Promise<void>[] = [];
    for (const slot of this.slots.values()) {
      for (const p of slot.idle.splice(0)) {
        slot.pages.delete(p);
        this.memory.trims++;
        closing.push(p.page.close().catch(() => undefined));
      }
    }
    await Promise.all(closing);
    const after = this.measureRss();
    if (after === null || after <= max || this.closed || !this.quiet()) return;
    this.opts.log(`browser RSS ${after.toFixed(0)} MB over ${max} MB with no task running: relaunching Chromium`);
    const old = this.browser;
    if (!old) return;
    this.memory.relaunches++;
    this.browser = null; // the next ensureBrowser launches a new one; old pages fail usable()
    await old.close().catch(() => undefined);
    if (!this.closed) {
      await this.ensureBrowser().catch(() => undefined);
      this.measureRss();
    }
  }

  /** No page lent, being opened or waited for, and no login in flight. */
  private quiet(): boolean {
    for (const s of this.slots.values()) {
      if (s.pages.size > s.idle.length || s.creating > 0 || s.waiters.length > 0 || s.loginInFlight) return false;
    }
    return true;
  }

  private async saveSession(system: LegacySystem, page: Page): Promise<void> {
    const store = this.opts.sessionStore;
    if (!store) return;
    try {
      await store.save(system, await page.context().storageState());
    } catch (e) {
      this.opts.log(`${system}: could not save the session (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  /** The system's context, with its saved session when there is one (then no login is needed). */
  private async newContext(browser: Browser, slot: SystemSlot): Promise<BrowserContext> {
    const options = { ignoreHTTPSErrors: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' } as const;
    const saved = this.opts.sessionStore ? await this.opts.sessionStore.load(slot.system).catch(() => null) : null;
    if (saved) {
      try {
        const ctx = await browser.newContext({ ...options, storageState: saved });
        if (slot.sessionGen === 0) slot.sessionGen = 1; // logged in already, as far as we know
        return ctx;
      } catch (e) {
        this.opts.log(`${slot.system}: saved session not usable, logging in afresh (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
      }
    }
    return browser.newContext(options);
  }

  private usable(p: PooledPage): boolean {
    return !p.broken && p.epoch === this.epoch && !p.page.isClosed() && this.browser?.isConnected() === true;
  }

  private discard(slot: SystemSlot, p: PooledPage): void {
    const i = slot.idle.indexOf(p);
    if (i >= 0) slot.idle.splice(i, 1);
    if (slot.pages.delete(p)) slot.stats.pagesRecycled++;
    if (!p.page.isClosed()) void p.page.close().catch(() => undefined);
  }

  private async createPage(slot: SystemSlot): Promise<PooledPage> {
    const browser = await this.ensureBrowser();
    const epoch = this.epoch;
    if (!slot.context) {
      const ctx = this.newContext(browser, slot);
      slot.context = ctx;
      ctx.catch(() => {
        if (slot.context === ctx) slot.context = null;
      });
    }
    const context = await slot.context;
    const page = await context.newPage();
    page.setDefaultTimeout(this.opts.taskTimeoutMs);
    page.setDefaultNavigationTimeout(this.opts.taskTimeoutMs);
    const pooled: PooledPage = { page, epoch, uses: 0, broken: false };
    page.on('crash', () => {
      pooled.broken = true;
    });
    // Portals love confirm() dialogs; an unhandled one blocks the page until the task times out.
    page.on('dialog', (d) => void d.dismiss().catch(() => undefined));
    slot.stats.pagesCreated++;
    return pooled;
  }

  /** The binary, resolved once (a failed resolution is retried on the next launch). */
  private launchTarget(): Promise<LaunchTarget> {
    const exe = this.opts.executablePath;
    if (typeof exe === 'string') return Promise.resolve({ executablePath: exe });
    if (!this.target) {
      const t = exe();
      this.target = t;
      t.catch(() => {
        if (this.target === t) this.target = null;
      });
    }
    return this.target;
  }

  private async ensureBrowser(): Promise<Browser> {
    if (this.closed) throw new SystemError('unavailable', 'browser', 'browser pool is closed');
    if (this.browser?.isConnected()) return this.browser;
    if (!this.launching) {
      this.launching = (async () => {
        const target = await this.launchTarget();
        const browser = await chromium.launch({
          executablePath: target.executablePath,
          headless: this.opts.headless,
          args: [...CHROMIUM_ARGS, ...this.opts.extraArgs, this.marker],
          ...(target.env && { env: { ...definedEnv(), ...target.env } }),
        });
        this.launches++;
        this.browserPid = findChildByArg(this.marker);
        this.epoch++;
        // Contexts and sessions died with the old browser; start every system afresh.
        for (const slot of this.slots.values()) {
          slot.context = null;
          slot.sessionGen = 0;
          slot.idle = [];
          slot.pages.clear();
        }
        browser.on('disconnected', () => {
          if (this.browser === browser) this.browser = null; // relaunch lazily on next use
        });
        if (this.closed) {
          await browser.close().catch(() => undefined);
          throw new SystemError('unavailable', 'browser', 'browser pool is closed');
        }
        this.browser = browser;
        return browser;
      })().finally(() => {
        this.launching = null;
      });
    }
    try {
      return await this.launching;
    } catch (e) {
      throw isSystemError(e) ? e : new SystemError('unavailable', 'browser', `cannot launch Chromium: ${String(e)}`, { cause: e });
    }
  }
}

function definedEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Marks an error after which the page is still fine to lend (see withPage). */
export function pageReusable<E extends Error>(e: E): E {
  Object.defineProperty(e, 'pageReusable', { value: true, enumerable: false, configurable: true });
  return e;
}

function isPageReusable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { pageReusable?: unknown }).pageReusable === true;
}

function settle(w: Waiter, action: () => void): void {
  if (w.settled) return;
  w.settled = true;
  clearTimeout(w.timer);
  action();
}
