/**
 * Drives the portals with a real browser the way the RPA tools will: by role and label only.
 * If a label is not tied to its input or a button has no name, these locators fail.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from './server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('portals in a browser', () => {
  let sb: SandboxHandle;
  let browser: Browser;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await sb?.close();
  });

  const cell = (page: Page, rowHeader: string) => page.getByRole('row', { name: rowHeader }).getByRole('cell');

  async function logIn(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await page.getByLabel('用户名 Username').fill('rpa_bot');
    await page.getByLabel('密码 Password').fill('sandbox');
    await page.getByRole('button', { name: '登录 Login' }).click();
  }

  it('logs in through the form, reads a port, then completes a ticket through the confirm step', async () => {
    const page = await browser.newPage();
    try {
      await logIn(page, `${sb.url}/resource/ports?olt=OLT-HZ-01&fsp=0/1/3`);
      const results = page.getByRole('table', { name: /查询结果 Search results/ });
      await results.getByRole('link', { name: '详情 Detail' }).click();
      await expect.poll(() => cell(page, '接收光功率 Rx power (dBm)').textContent()).toBe('-26.40');
      expect(await cell(page, 'ONU SN').textContent()).toBe('HWTC1A2B3C4D');

      await logIn(page, `${sb.url}/tickets/T20261124-0012`);
      expect(await cell(page, '接入端口 Access port').textContent()).toBe('');
      await page.getByRole('link', { name: '修改 Edit' }).click();
      await page.getByLabel('宽带账号 Broadband account').fill('hz81000123');
      await page.getByLabel('装机地址 Address').fill('杭州市西湖区文三路 398 号 3 幢 2 单元 501');
      await page.getByLabel('接入端口 Access port').fill('OLT-HZ-01 0/1/3');
      await page.getByLabel('ONU SN').fill('HWTC1A2B3C4D');
      await page.getByLabel('幂等键 Idempotency key').fill('approval-42');
      await page.getByRole('button', { name: '提交 Submit' }).click();

      await expect.poll(() => page.getByRole('heading', { name: '请确认修改 / Please confirm the changes' }).count()).toBe(1);
      const changes = page.getByRole('table', { name: '修改内容 Changes' });
      expect(await changes.getByRole('row', { name: /接入端口 Access port/ }).getByRole('cell').nth(2).textContent()).toBe('OLT-HZ-01 0/1/3');
      await page.getByRole('button', { name: '确认保存 Confirm save' }).click();

      await expect.poll(() => page.getByRole('status').textContent()).toBe('保存成功 / Saved');
      expect(await cell(page, '版本 Version').textContent()).toBe('2');
      expect(sb.state.writes).toHaveLength(1);
      await page.screenshot({ path: '/tmp/sandbox-saved.png', fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('shows a validation error as an alert the robot can read', async () => {
    const page = await browser.newPage();
    try {
      await logIn(page, `${sb.url}/tickets/T20261124-0013/edit`);
      await page.getByLabel('接入端口 Access port').fill('port 3');
      await page.getByRole('button', { name: '提交 Submit' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('Invalid access port');
      expect(await page.getByLabel('接入端口 Access port').getAttribute('aria-invalid')).toBe('true');
    } finally {
      await page.close();
    }
  });

  it('pages through NMS alarms with the Next link', async () => {
    const page = await browser.newPage();
    try {
      await logIn(page, `${sb.url}/nms/alarms?ne=OLT-HZ-03&state=active`);
      const table = page.getByRole('table', { name: '告警列表 Alarm list' });
      expect(await table.locator('tbody tr').count()).toBe(20);
      expect(await table.getByRole('columnheader').allTextContents()).toContain('影响业务 Service affecting');
      await page.getByRole('link', { name: '下一页 Next' }).click();
      await expect.poll(() => page.locator('#page-info').textContent()).toBe('第 2/3 页');
      await page.screenshot({ path: '/tmp/sandbox-nms.png', fullPage: true });
    } finally {
      await page.close();
    }
  });
});
