/**
 * The robot with nothing around it: Playwright reading the sandbox's port detail and alarm pages
 * with the fewest round trips that still prove the values were read. No pool, no evidence, no
 * retries, no agent, no database. It is the floor Switchboard's turn latency is compared to.
 */
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../src/tools/browser-pool.js';

export interface PortTarget {
  olt: string;
  fsp: string;
}

export interface PortReading {
  /** The port page's Rx power cell, as printed (e.g. "-26.40"). */
  rxPower: string;
  /** Alarm IDs on the first alarms page. */
  alarmIds: string[];
}

/** Same options as the pool's contexts, so both render the same pages the same way. */
export const CONTEXT_OPTIONS = { ignoreHTTPSErrors: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' } as const;

export const chromiumPath = (): string => process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
}

export function portUrl(sandboxUrl: string, t: PortTarget): string {
  const [f, s, p] = t.fsp.split('/');
  return `${sandboxUrl}/resource/ports/${encodeURIComponent(t.olt)}/${f}/${s}/${p}`;
}

export function alarmsUrl(sandboxUrl: string, t: PortTarget): string {
  return `${sandboxUrl}/nms/alarms?${new URLSearchParams({ ne: t.olt, object: t.fsp, state: 'active' }).toString()}`;
}

const onLoginPage = (page: Page) => new URL(page.url()).pathname.replace(/\/+$/, '').endsWith('/login');

export async function open(page: Page, url: string): Promise<void> {
  const res = await page.goto(url, { waitUntil: 'domcontentloaded' });
  if (!res || res.status() >= 400) throw new Error(`${url}: HTTP ${res?.status() ?? 'no response'}`);
  if (onLoginPage(page)) throw new Error(`${url}: the portal showed its login page (session lost)`);
}

/**
 * Log in the way a recorded RPA script does: open the page it wants, get sent to the login form,
 * submit it and land back on the wanted page (the portal's `next` redirect). Leaves the page there.
 */
export async function loginVia(page: Page, url: string, creds: { username: string; password: string }): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  if (!onLoginPage(page)) return;
  await page.fill('input[name=username]', creds.username);
  await page.fill('input[name=password]', creds.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.replace(/\/+$/, '').endsWith('/login')), page.click('button[type=submit]')]);
}

/** The port page's Rx power, in one round trip into the page. */
export async function readRxPower(page: Page): Promise<string> {
  const rows = await page.$$eval('tr', (trs) => trs.map((tr) => [tr.querySelector('th')?.textContent ?? '', tr.querySelector('td')?.textContent ?? '']));
  const rx = rows.find(([label]) => /Rx power/i.test(label ?? ''))?.[1]?.trim();
  if (!rx) throw new Error(`${page.url()}: no "Rx power" row`);
  return rx;
}

/** The alarm table's first column (alarm IDs), in one round trip into the page. */
export function readAlarmIds(page: Page): Promise<string[]> {
  return page.$$eval('table tbody tr', (trs) => trs.map((tr) => (tr.querySelector('td')?.textContent ?? '').trim()).filter(Boolean));
}

/** Chromium launched and both portals logged in once; each read reuses one warm page per system. */
export class WarmReader {
  private shots = 0;

  private constructor(
    private readonly browser: Browser,
    private readonly context: BrowserContext,
    private readonly resource: Page,
    private readonly nms: Page,
    private readonly sandboxUrl: string,
  ) {}

  static async start(sandboxUrl: string, target: PortTarget, creds: { username: string; password: string }): Promise<WarmReader> {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext(CONTEXT_OPTIONS);
      const [resource, nms] = [await context.newPage(), await context.newPage()];
      await loginVia(resource, portUrl(sandboxUrl, target), creds);
      await loginVia(nms, alarmsUrl(sandboxUrl, target), creds);
      return new WarmReader(browser, context, resource, nms, sandboxUrl);
    } catch (e) {
      await browser.close().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Read both pages. With `screenshotsTo`, also save a viewport PNG of each page there after
   * reading it, as Switchboard's evidence recorder does: that isolates what evidence costs.
   */
  async read(target: PortTarget, screenshotsTo?: string): Promise<PortReading> {
    await open(this.resource, portUrl(this.sandboxUrl, target));
    const rxPower = await readRxPower(this.resource);
    if (screenshotsTo) await this.resource.screenshot({ path: path.join(screenshotsTo, `resource-${++this.shots}.png`), type: 'png' });
    await open(this.nms, alarmsUrl(this.sandboxUrl, target));
    const alarmIds = await readAlarmIds(this.nms);
    if (screenshotsTo) await this.nms.screenshot({ path: path.join(screenshotsTo, `nms-${++this.shots}.png`), type: 'png' });
    return { rxPower, alarmIds };
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.browser.close();
  }
}

/**
 * A fresh Chromium per query: launch, log in to both portals, read both pages, close.
 * `beforeClose` runs untimed with the browser still up (to sample its memory); its duration is
 * reported so the caller can subtract it.
 */
export async function readWithFreshBrowser(
  sandboxUrl: string,
  target: PortTarget,
  creds: { username: string; password: string },
  beforeClose?: () => void,
): Promise<{ reading: PortReading; untimedMs: number }> {
  const browser = await launchChromium();
  let untimedMs = 0;
  try {
    const context = await browser.newContext(CONTEXT_OPTIONS);
    const page = await context.newPage();
    await loginVia(page, portUrl(sandboxUrl, target), creds);
    if (onLoginPage(page)) throw new Error('resource: login refused');
    const rxPower = await readRxPower(page);
    await loginVia(page, alarmsUrl(sandboxUrl, target), creds);
    if (onLoginPage(page)) throw new Error('nms: login refused');
    const alarmIds = await readAlarmIds(page);
    if (beforeClose) {
      const t0 = performance.now();
      beforeClose();
      untimedMs = performance.now() - t0;
    }
    return { reading: { rxPower, alarmIds }, untimedMs };
  } finally {
    await browser.close();
  }
}
