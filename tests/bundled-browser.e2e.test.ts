/**
 * A fresh machine: CHROMIUM_PATH points nowhere and no system browser is visible (the resolver's
 * candidate list is empty, so the machine's /usr/bin/chromium is hidden without uninstalling it).
 * The app must start with the Chromium bundled in @sparticuz/chromium, answer a port query from
 * the portals, and draw Chinese text with real glyphs (the shipped Noto Sans SC subset), not boxes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

describe('start-up with no browser installed', () => {
  let db: TestDatabase;
  let t: TestApp;
  let cacheDir: string;
  const warnings: string[] = [];
  const warn = console.warn;

  beforeAll(async () => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bundled-'));
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
    db = await createTestDatabase('pglite'); // the browser is the concern here, not the database
    t = await startTestApp({ ...db.env, CHROMIUM_PATH: '/nonexistent/chromium' }, { browser: { browserCandidates: [], browserCacheDir: cacheDir } });
  });
  afterAll(async () => {
    console.warn = warn;
    await t?.close();
    await db?.drop();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('starts with the bundled Chromium, says so, and names the variable that pointed nowhere', () => {
    const b = t.app.browser();
    expect(b?.source).toBe('bundled');
    expect(b?.executablePath.startsWith(cacheDir)).toBe(true);
    expect(b?.describe).toContain('@sparticuz/chromium');
    expect(warnings.filter((w) => w.includes('CHROMIUM_PATH=/nonexistent/chromium'))).toHaveLength(1);
  });

  it('reports the bundled browser on /healthz', async () => {
    const health = await t.client.get('/healthz');
    expect(health.status).toBe(200);
    expect(health.json.browser).toMatchObject({ source: 'bundled' });
  });

  it('answers a port query from the portals', async () => {
    const zh = textOf(await t.client.say('bob', '查端口 OLT-HZ-01 0/1/3'));
    expect(zh).toContain('-26.40 dBm（临界）');
  });

  it('draws Chinese text with glyphs: two different characters do not render as the same box', async () => {
    const shots = await t.app.pool.withPage('resource', async (page, baseUrl) => {
      await page.goto(baseUrl, { waitUntil: 'domcontentloaded' });
      await page.evaluate(() => {
        for (const [id, ch] of [['g1', '端'], ['g2', '口'], ['g3', '状']] as const) {
          const s = document.createElement('span');
          s.id = id;
          s.textContent = ch;
          s.style.cssText = 'font: 48px sans-serif; display: inline-block; width: 60px; height: 60px; background: #fff; color: #000';
          document.body.prepend(s);
        }
      });
      return Promise.all(['g1', 'g2', 'g3'].map((id) => page.locator(`#${id}`).screenshot()));
    });
    // Without a CJK font each character is the same missing-glyph box, so the images are identical.
    expect(new Set(shots.map((b) => b.toString('base64'))).size).toBe(3);
  });
});
