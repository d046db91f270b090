import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BrowserPool, ensureNotLoginPage, gotoPage } from './browser-pool.js';
import type { LegacySystem } from './define.js';
import { BusinessError, SystemError } from './errors.js';
import { deadPort, fixtureLogin, startTestPortal, type TestPortal } from '../../tests/helpers/fixture-portal.js';

let portal: TestPortal;
let pool: BrowserPool;
const urls: Partial<Record<LegacySystem, string>> = {};

beforeAll(async () => {
  portal = await startTestPortal();
  for (const s of ['crm', 'resource', 'nms', 'ticket'] as const) urls[s] = `${portal.url}/${s}`;
  pool = new BrowserPool({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    pagesPerSystem: 2,
    recycleAfter: 4,
    taskTimeoutMs: 4000,
    acquireTimeoutMs: 20_000,
    baseUrl: (s) => urls[s]!,
    login: () => fixtureLogin,
  });
  await pool.start();
});

afterAll(async () => {
  await pool?.close();
  await portal?.close();
});

async function readPort(page: Page, baseUrl: string, id: string): Promise<string> {
  await gotoPage(page, `${baseUrl}/ports/${id}`, baseUrl.split('/').pop()!);
  return (await page.textContent('#port')) ?? '';
}

function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('BrowserPool', () => {
  it('lends a logged-in page and reuses the same warm page without logging in again', async () => {
    const before = portal.logins.crm ?? 0;
    let first: Page | undefined;
    const a = await pool.withPage('crm', async (page, baseUrl) => {
      first = page;
      return readPort(page, baseUrl, 'P1');
    });
    const b = await pool.withPage('crm', async (page, baseUrl) => {
      expect(page).toBe(first);
      return readPort(page, baseUrl, 'P2');
    });
    expect([a, b]).toEqual(['P1', 'P2']);
    expect((portal.logins.crm ?? 0) - before).toBe(1);
    expect(pool.stats().systems.crm).toMatchObject({ open: 1, idle: 1, busy: 0 });
  });

  it('never opens more than pagesPerSystem pages, and queued tasks all complete', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let maxOpen = 0;
    const ids = ['A', 'B', 'C', 'D', 'E'];
    const results = await Promise.all(
      ids.map((id) =>
        pool.withPage('resource', async (page, baseUrl) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          maxOpen = Math.max(maxOpen, page.context().pages().length, pool.stats().systems.resource?.open ?? 0);
          try {
            const port = await readPort(page, baseUrl, id);
            await page.waitForTimeout(150);
            return port;
          } finally {
            inFlight--;
          }
        }),
      ),
    );
    expect(results).toEqual(ids);
    expect(maxInFlight).toBe(2);
    expect(maxOpen).toBeLessThanOrEqual(2);
    // One shared session for the system's context, however many pages it has.
    expect(portal.logins.resource).toBe(1);
  });

  it('logs in again and retries once when the session expires mid-task', async () => {
    await pool.withPage('nms', (page, baseUrl) => readPort(page, baseUrl, 'N0'));
    const before = portal.logins.nms ?? 0;
    portal.expireSessions('nms');
    let calls = 0;
    const port = await pool.withPage('nms', async (page, baseUrl) => {
      calls++;
      return readPort(page, baseUrl, 'N1');
    });
    expect(port).toBe('N1');
    expect(calls).toBe(2);
    expect((portal.logins.nms ?? 0) - before).toBe(1);
  });

  it('treats a task stuck on the login form as an expired session too', async () => {
    portal.expireSessions('nms');
    let calls = 0;
    const status = await pool.withPage('nms', async (page, baseUrl) => {
      calls++;
      await page.goto(`${baseUrl}/ports/N2`); // no ensureNotLoginPage: waits for #status on the login form
      return page.textContent('#status', { timeout: 3_000 });
    });
    expect(status).toBe('UP');
    expect(calls).toBe(2);
  });

  it('gives up with session_expired when the login page keeps coming back', async () => {
    let calls = 0;
    const err = await rejection(
      pool.withPage('nms', async (page, baseUrl) => {
        calls++;
        portal.expireSessions('nms');
        await gotoPage(page, `${baseUrl}/home`, 'nms');
      }),
    );
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).code).toBe('session_expired');
    expect(calls).toBe(2);
  });

  it('recycles a page whose task failed, but keeps it after a BusinessError', async () => {
    let used: Page | undefined;
    const err = await rejection(
      pool.withPage('crm', async (page) => {
        used = page;
        throw new Error('portal script broke');
      }),
    );
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).code).toBe('unexpected_page');
    await expect.poll(() => used!.isClosed()).toBe(true);

    let kept: Page | undefined;
    const biz = await rejection(
      pool.withPage('crm', async (page) => {
        kept = page;
        throw new BusinessError('not_found', '端口不存在 / unknown port');
      }),
    );
    expect(biz).toBeInstanceOf(BusinessError);
    expect(kept).not.toBe(used);
    const again = await pool.withPage('crm', async (page) => page);
    expect(again).toBe(kept);
  });

  it('recycles a page after recycleAfter tasks', async () => {
    const seen: Page[] = [];
    for (let i = 0; i < 5; i++) await pool.withPage('ticket', async (page) => void seen.push(page));
    expect(new Set(seen.slice(0, 4)).size).toBe(1);
    expect(seen[4]).not.toBe(seen[0]);
    await expect.poll(() => seen[0]!.isClosed()).toBe(true);
  });

  it('turns a Playwright timeout into SystemError timeout', async () => {
    const started = Date.now();
    const err = await rejection(
      pool.withPage('crm', async (page, baseUrl) => {
        await gotoPage(page, `${baseUrl}/home`, 'crm');
        await page.waitForSelector('#never-there');
      }),
    );
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).code).toBe('timeout');
    // The pool's per-task default (4 s), not Playwright's 30 s, is what fired.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3900);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('turns connection refused into SystemError unavailable', async () => {
    const saved = urls.ticket;
    urls.ticket = `http://127.0.0.1:${await deadPort()}/ticket`;
    try {
      const err = await rejection(pool.withPage('ticket', (page, baseUrl) => readPort(page, baseUrl, 'T1')));
      expect(err).toBeInstanceOf(SystemError);
      expect((err as SystemError).code).toBe('unavailable');
      expect((err as SystemError).system).toBe('ticket');
    } finally {
      urls.ticket = saved;
    }
  });

  it('refuses a waiter with unavailable when no page frees up in time', async () => {
    // Hold both resource pages, then ask for a third with a short acquire timeout.
    let releaseHeld!: () => void;
    const held = new Promise<void>((r) => (releaseHeld = r));
    let entered = 0;
    let bothEntered!: () => void;
    const entry = new Promise<void>((r) => (bothEntered = r));
    const holders = [1, 2].map(() =>
      pool.withPage('resource', async () => {
        if (++entered === 2) bothEntered();
        await held;
      }),
    );
    await entry;
    (pool as unknown as { opts: { acquireTimeoutMs: number } }).opts.acquireTimeoutMs = 200;
    try {
      const err = await rejection(pool.withPage('resource', async () => 'never'));
      expect(err).toBeInstanceOf(SystemError);
      expect((err as SystemError).code).toBe('unavailable');
    } finally {
      (pool as unknown as { opts: { acquireTimeoutMs: number } }).opts.acquireTimeoutMs = 20_000;
      releaseHeld();
      await Promise.all(holders);
    }
    expect(pool.stats().systems.resource?.waiting).toBe(0);
  });

  describe('memory bound', () => {
    type MemOpts = { maxBrowserRssMb: number; memorySampleMs: number; measureRssMb?: () => number | null };
    const memOpts = () => (pool as unknown as { opts: MemOpts }).opts;
    const saved = { max: 0, every: 0 };
    beforeAll(() => {
      saved.max = memOpts().maxBrowserRssMb;
      saved.every = memOpts().memorySampleMs;
    });
    afterEach(() => {
      memOpts().maxBrowserRssMb = saved.max;
      memOpts().memorySampleMs = saved.every;
      delete memOpts().measureRssMb;
    });

    it("measures the browser's process tree and shows it in stats()", async () => {
      await pool.withPage('crm', (page, baseUrl) => readPort(page, baseUrl, 'M1'));
      await pool.checkMemory();
      const m = pool.stats().memory;
      expect(m.maxRssMb).toBe(1500);
      expect(m.rssMb).toBeGreaterThan(20); // a Chromium with open pages is tens of MB at least
      expect(m.rssMb).toBeLessThan(1500);
      expect(Date.now() - Date.parse(m.sampledAt!)).toBeLessThan(5000);
    });

    it('samples after a task at most every memorySampleMs', async () => {
      memOpts().memorySampleMs = 60_000;
      await pool.checkMemory();
      const first = pool.stats().memory.sampledAt;
      await pool.withPage('crm', (page, baseUrl) => readPort(page, baseUrl, 'M2'));
      await new Promise((r) => setImmediate(r));
      expect(pool.stats().memory.sampledAt).toBe(first); // within the interval: not sampled again
      memOpts().memorySampleMs = 0;
      await new Promise((r) => setTimeout(r, 5));
      await pool.withPage('crm', (page, baseUrl) => readPort(page, baseUrl, 'M3'));
      await expect.poll(() => pool.stats().memory.sampledAt).not.toBe(first);
    });

    it('over the bound, closes idle pages first; tasks keep working on reopened pages', async () => {
      await Promise.all(['A', 'B'].map((id) => pool.withPage('resource', (page, baseUrl) => readPort(page, baseUrl, id))));
      const before = pool.stats();
      const idleBefore = Object.values(before.systems).reduce((n, s) => n + s.idle, 0);
      expect(idleBefore).toBeGreaterThanOrEqual(2);
      memOpts().maxBrowserRssMb = 500;
      // Over the bound at the first sample, under it once the idle pages are closed: no relaunch.
      let samples = 0;
      memOpts().measureRssMb = () => (samples++ === 0 ? 900 : 300);
      await pool.checkMemory();
      expect(samples).toBe(2);
      const after = pool.stats();
      expect(after.memory.trims - before.memory.trims).toBe(idleBefore);
      expect(after.memory.relaunches).toBe(before.memory.relaunches);
      expect(after.launches).toBe(before.launches);
      expect(Object.values(after.systems).every((s) => s.open === 0)).toBe(true);
      expect(await pool.withPage('resource', (page, baseUrl) => readPort(page, baseUrl, 'C'))).toBe('C');
    });

    it('never relaunches the browser while a task is running', async () => {
      const before = pool.stats();
      memOpts().maxBrowserRssMb = 500;
      memOpts().measureRssMb = () => 5000;
      const port = await pool.withPage('crm', async (page, baseUrl) => {
        await pool.checkMemory();
        return readPort(page, baseUrl, 'BUSY');
      });
      expect(port).toBe('BUSY');
      expect(pool.stats().memory.relaunches).toBe(before.memory.relaunches);
      expect(pool.stats().launches).toBe(before.launches);
    });

    it('relaunches Chromium when still over a (tiny, real) bound with nothing running; tasks keep working', async () => {
      const before = pool.stats();
      const logins = portal.logins.nms ?? 0;
      memOpts().maxBrowserRssMb = 1; // any real Chromium is over 1 MB
      await pool.checkMemory();
      const after = pool.stats();
      expect(after.memory.relaunches).toBe(before.memory.relaunches + 1);
      expect(after.launches).toBe(before.launches + 1);
      expect(after.connected).toBe(true);
      memOpts().maxBrowserRssMb = 1500;
      expect(await pool.withPage('nms', (page, baseUrl) => readPort(page, baseUrl, 'FRESH'))).toBe('FRESH');
      expect((portal.logins.nms ?? 0) - logins).toBe(1); // a new browser has no session: one login
      await pool.checkMemory();
      expect(pool.stats().memory.rssMb).toBeGreaterThan(1);
    });
  });

  it('relaunches Chromium lazily after it crashes, and logs in again', async () => {
    const launches = pool.stats().launches;
    const before = portal.logins.crm ?? 0;
    // Our own Chromium is a direct child of this test process: kill exactly that pid.
    const children = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, comm]) => comm?.startsWith('chrom'));
    expect(children.length).toBe(1);
    process.kill(Number(children[0]![0]), 'SIGKILL');
    await expect.poll(() => pool.ready, { timeout: 5000 }).toBe(false);

    const port = await pool.withPage('crm', (page, baseUrl) => readPort(page, baseUrl, 'AFTER'));
    expect(port).toBe('AFTER');
    expect(pool.stats().launches).toBe(launches + 1);
    expect((portal.logins.crm ?? 0) - before).toBe(1);
  });

  it('close() is idempotent and later tasks are refused', async () => {
    await Promise.all([pool.close(), pool.close()]);
    expect(pool.ready).toBe(false);
    const err = await rejection(pool.withPage('crm', async () => 1));
    expect(err).toBeInstanceOf(SystemError);
    expect((err as SystemError).code).toBe('unavailable');
  });
});
