import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceRecorder } from './evidence.js';
import { maskTraceArchive, withMaskedPage } from './evidence-masking.js';

const RAW = ['13857101234', '11010519491231002X', '110105194912310021', '6222021234567890124'];
const CRM_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>客户 13857101234</title></head><body>
  <table><tr><th>手机</th><td id="m">13857101234</td></tr><tr><th>证件</th><td id="id">11010519491231002X</td></tr>
  <tr><th>旧证件</th><td>证件110105194912310021已登记</td></tr></table>
  <input id="card" value="6222021234567890124"><a title="call 13857101234" href="#">call</a>
  <p id="keep">工单 T20261124-0012 告警 ALM900001 客户 C000123</p></body></html>`;

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  dir = await mkdtemp(path.join(tmpdir(), 'sb-evmask-'));
});
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

const visible = (page: Page) => page.evaluate(() => `${document.title}\n${document.body.innerText}\n${(document.querySelector('#card') as HTMLInputElement).value}\n${document.querySelector('a')!.title}`);

describe('evidence is masked before it is written', () => {
  it('shows only masked numbers while a screenshot is taken, and gives the page back unchanged', async () => {
    const page = await browser.newPage();
    await page.setContent(CRM_PAGE);
    const during = await withMaskedPage(page, async () => {
      await page.screenshot({ path: path.join(dir, 'shot.png') });
      return visible(page);
    });
    for (const raw of RAW) expect(during).not.toContain(raw);
    expect(during).toContain('138****1234');
    expect(during).toContain('110105********002X');
    expect(during).toContain('622202*********0124');
    expect(during).toContain('T20261124-0012 告警 ALM900001 客户 C000123');
    const after = await visible(page);
    for (const raw of ['13857101234', '11010519491231002X', '6222021234567890124']) expect(after).toContain(raw);
    await page.close();
  });

  it('writes an HTML snapshot with no raw number in it', async () => {
    const page = await browser.newPage();
    await page.setContent(CRM_PAGE);
    const rec = new EvidenceRecorder({ dataDir: dir, callId: 'html-1' });
    const rel = await rec.html(page);
    expect(rel).not.toBeNull();
    await rec.commit({ owners: [], complete: true });
    const html = await readFile(path.join(dir, rel!), 'utf8');
    for (const raw of RAW) expect(html).not.toContain(raw);
    expect(html).toContain('138****1234');
    await page.close();
  });

  it('rewrites a Playwright trace so neither its DOM snapshots nor its network bodies hold a raw number', async () => {
    const context = await browser.newContext();
    await context.tracing.start({ snapshots: true, screenshots: false });
    const page = await context.newPage();
    await page.route('http://crm.test/**', (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: CRM_PAGE }));
    await page.goto('http://crm.test/customers/C000123');
    await page.click('#m');
    const file = path.join(dir, 'task.trace.zip');
    await context.tracing.stop({ path: file });
    await context.close();
    const rawBefore = Object.values(unzipSync(new Uint8Array(await readFile(file)))).some((b) => Buffer.from(b).toString('utf8').includes('13857101234'));
    expect(rawBefore).toBe(true); // the trace did capture it

    const result = await maskTraceArchive(file);
    expect(result.masked).toBeGreaterThan(0);
    const entries = unzipSync(new Uint8Array(await readFile(file)));
    expect(Object.keys(entries).some((n) => n.endsWith('.trace'))).toBe(true);
    const all = Object.values(entries).map((b) => Buffer.from(b).toString('utf8')).join('\n');
    for (const raw of RAW) expect(all).not.toContain(raw);
    expect(all).toContain('138****1234');
  });
});
