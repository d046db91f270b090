/**
 * The console page against a stub of its HTTP API, in real Chromium: the page's own contract
 * (what it sends, what it shows), independent of the server behind it.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderAdaptiveCard } from '../../cards/adaptive.js';
import type { ApprovalCardView } from '../../../chat/approval-card.js';

const PAGE_DIR = path.dirname(fileURLToPath(import.meta.url));
const VENDOR = createRequire(import.meta.url).resolve('adaptivecards/dist/adaptivecards.min.js');

interface StubMessage {
  id: string;
  from: 'user' | 'bot';
  user?: string;
  kind: 'text' | 'card';
  text?: string;
  approvalId?: string;
  card?: unknown;
  suggestions?: string[];
  at: string;
  updatedAt: string;
}

function pendingView(): ApprovalCardView {
  return {
    approvalId: 'apv_42',
    lang: 'zh',
    title: '补全工单 T20261124-0012',
    tool: 'ticket.updateFields',
    requester: { id: 'alice', name: 'Alice' },
    lines: [{ label: '故障类型', value: 'LOS 光信号丢失' }],
    approvers: [{ id: 'carol', name: 'Carol' }],
    createdAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    status: 'pending',
  };
}

/** Just enough of the console API; records what the page posts. */
class StubApi {
  messages: StubMessage[] = [];
  posted: { path: string; body: Record<string, unknown> }[] = [];
  /** The query strings of the approvals list calls (persona dave). */
  approvalCalls: string[] = [];
  actionAnswer: Record<string, unknown> = { status: 'approved', replies: [] };
  view = pendingView();
  /** Kinds the approvals panel offers to approve in bulk. */
  bulk: { tool: string; count: number; action: string; command: string }[] = [];

  reset(): void {
    const now = new Date().toISOString();
    this.view = pendingView();
    this.messages = [
      { id: 'm1', from: 'bot', kind: 'card', approvalId: 'apv_42', card: renderAdaptiveCard(this.view), at: now, updatedAt: now },
    ];
    this.posted = [];
    this.approvalCalls = [];
    this.actionAnswer = { status: 'approved', replies: [] };
    this.bulk = [];
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stub');
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const send = (code: number, type: string, body: string | Buffer) => {
      res.writeHead(code, { 'content-type': type });
      res.end(body);
    };
    const json = (code: number, body: unknown) => send(code, 'application/json', JSON.stringify(body));
    const p = url.pathname;
    if (p === '/console') return send(200, 'text/html; charset=utf-8', await readFile(path.join(PAGE_DIR, 'index.html')));
    if (p.startsWith('/console/static/')) {
      const name = path.basename(p);
      const type = name.endsWith('.css') ? 'text/css' : 'text/javascript';
      return send(200, type, await readFile(path.join(PAGE_DIR, name)));
    }
    if (p === '/console/vendor/adaptivecards.js') return send(200, 'text/javascript', await readFile(VENDOR));
    if (p === '/console/api/personas') {
      return json(200, {
        personas: [
          { id: 'alice', name: 'Alice', roles: ['cs_agent'], department: 'cs-hangzhou' },
          { id: 'carol', name: 'Carol', roles: ['manager'], department: 'cs-hangzhou' },
        ],
      });
    }
    if (req.method === 'POST') {
      const body = JSON.parse(raw) as Record<string, unknown>;
      this.posted.push({ path: p + url.search, body });
      if (p === '/console/api/messages') {
        const now = new Date().toISOString();
        this.messages.push({ id: `u${this.messages.length}`, from: 'user', user: String(body.user), kind: 'text', text: String(body.text), at: now, updatedAt: now });
        this.messages.push({ id: `b${this.messages.length}`, from: 'bot', kind: 'text', text: `echo: ${String(body.text)}`, at: now, updatedAt: now });
        return json(200, { replies: [] });
      }
      if (p === '/console/api/actions') {
        if (this.actionAnswer.status === 'approved') {
          this.view.status = 'approved';
          this.view.decision = { by: { id: 'carol', name: 'Carol' }, at: new Date().toISOString() };
          const m = this.messages[0]!;
          m.card = renderAdaptiveCard(this.view);
          m.updatedAt = new Date().toISOString();
        }
        return json(200, this.actionAnswer);
      }
    }
    if (p.startsWith('/console/api/conversations/')) {
      return json(200, { conversation: decodeURIComponent(p.split('/').pop() ?? ''), messages: this.messages });
    }
    if (p === '/console/api/approvals' && url.searchParams.get('user') === 'dave') {
      // Five waiting, two a page: the page shows the first and fetches the rest on "more".
      this.approvalCalls.push(url.search);
      const all = ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => ({ ...this.view, approvalId: id, title: `申请 ${id}` }));
      const at = { '': 0, c1: 2, c2: 4 }[url.searchParams.get('cursor') ?? ''] ?? 0;
      const next = at + 2 < all.length ? `c${at / 2 + 1}` : null;
      return json(200, {
        approvals: all.slice(at, at + 2).map((v) => ({ approvalId: v.approvalId, status: 'pending', title: v.title, requester: { id: 'alice', name: 'Alice', department: null }, expiresAt: v.expiresAt, card: renderAdaptiveCard(v) })),
        next,
        total: at === 0 ? all.length : null,
      });
    }
    if (p === '/console/api/approvals') {
      const mine = url.searchParams.get('user') === 'carol' && this.view.status === 'pending';
      return json(200, {
        bulk: url.searchParams.get('user') === 'carol' ? this.bulk : [],
        approvals: mine
          ? [{ approvalId: 'apv_42', status: 'pending', title: this.view.title, requester: 'Alice', expiresAt: this.view.expiresAt, card: renderAdaptiveCard(this.view) }]
          : [],
      });
    }
    json(404, { error: 'not found' });
  }
}

const stub = new StubApi();
let server: http.Server;
let base = '';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    stub.handle(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

beforeEach(async () => {
  stub.reset();
  if (page) await page.context().close();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
});

describe('console page', () => {
  it('draws the approval card with the Adaptive Cards renderer and posts the decision with the persona and comment', async () => {
    await page.goto(`${base}/console?user=carol`);
    const approval = page.locator('[data-testid=approvals] [data-testid=approval][data-approval-id=apv_42]');
    await approval.getByText('LOS 光信号丢失').waitFor();
    await approval.locator('textarea').fill('核对无误');
    await approval.getByRole('button', { name: '批准' }).click();
    await expect.poll(() => stub.posted.find((p) => p.path === '/console/api/actions')?.body).toStrictEqual({
      user: 'carol',
      approvalId: 'apv_42',
      decision: 'approve',
      comment: '核对无误',
    });
    // The updated card replaces the pending one in the transcript, without buttons.
    const message = page.locator('[data-testid=message][data-approval-id=apv_42]');
    await message.getByText('已由 Carol').waitFor();
    expect(await message.getByRole('button').count()).toBe(0);
  });

  it('shows a refusal next to the card, in red', async () => {
    stub.actionAnswer = { status: 'refused', reason: 'self_approval', message: '不能审批自己的申请 / You cannot approve your own request', replies: [] };
    await page.goto(`${base}/console?user=alice`);
    const message = page.locator('[data-testid=message][data-kind=card]');
    await message.getByRole('button', { name: '批准' }).click();
    const notice = message.locator('[data-testid=notice][data-level=error]');
    await notice.waitFor();
    expect(await notice.textContent()).toBe('不能审批自己的申请 / You cannot approve your own request');
    expect(stub.posted.at(-1)?.body).toStrictEqual({ user: 'alice', approvalId: 'apv_42', decision: 'approve' });
  });

  it('sends on Enter, keeps Shift+Enter as a new line, and shows server text as text', async () => {
    await page.goto(`${base}/console?user=alice`);
    const composer = page.getByTestId('composer');
    await composer.fill('<img src=x onerror="window.__pwned=1">查端口');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('OLT-HZ-01 0/1/3');
    await composer.press('Enter');
    await expect.poll(() => stub.posted.find((p) => p.path.startsWith('/console/api/messages'))?.body).toStrictEqual({
      user: 'alice',
      conversation: 'console-alice',
      text: '<img src=x onerror="window.__pwned=1">查端口\nOLT-HZ-01 0/1/3',
    });
    const reply = page.locator('[data-testid=message][data-kind=text]').filter({ hasText: 'echo:' });
    await reply.waitFor();
    expect(await reply.locator('.bubble').innerText()).toBe('echo: <img src=x onerror="window.__pwned=1">查端口\nOLT-HZ-01 0/1/3');
    expect(await page.locator('[data-testid=message] img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await composer.inputValue()).toBe('');
  });

  it('shows suggested commands under a reply as buttons; a click sends the command as the user\'s own message', async () => {
    const now = new Date().toISOString();
    stub.messages.push({ id: 'b_sug', from: 'bot', kind: 'text', text: '抱歉，我没有理解这个请求。', suggestions: ['查工单 T20261124-0012', '补全工单 T20261124-0012'], at: now, updatedAt: now });
    await page.goto(`${base}/console?user=alice`);
    const buttons = page.locator('[data-testid=message][data-message-id=b_sug] [data-testid=suggestion]');
    await buttons.first().waitFor();
    expect(await buttons.allInnerTexts()).toEqual(['查工单 T20261124-0012', '补全工单 T20261124-0012']);
    // For a person to look at (test-results/ is not committed).
    await page.locator('[data-testid=message][data-message-id=b_sug]').screenshot({ path: path.join(PAGE_DIR, '../../../../test-results/console-suggestions.png') });
    await buttons.nth(1).click();
    await expect.poll(() => stub.posted.find((p) => p.path.startsWith('/console/api/messages'))?.body).toStrictEqual({
      user: 'alice',
      conversation: 'console-alice',
      text: '补全工单 T20261124-0012',
    });
    // A user's own message never gets buttons.
    await page.locator('[data-testid=message][data-from=user]').filter({ hasText: '补全工单' }).waitFor();
    expect(await page.locator('[data-testid=message][data-from=user] [data-testid=suggestion]').count()).toBe(0);
  });

  it('shows the first page of what waits, the total, and the next pages on "more / 更多"', async () => {
    await page.goto(`${base}/console?user=dave`);
    const items = page.locator('[data-testid=approvals] [data-testid=approval]');
    const more = page.getByTestId('approvals-more');
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(2);
    expect(await page.getByTestId('approvals-count').textContent()).toBe('5');
    await more.waitFor({ state: 'visible' });
    await more.click();
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(4);
    await more.click();
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(5);
    await more.waitFor({ state: 'hidden' });
    expect(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-approval-id')))).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(stub.approvalCalls).toContain('?user=dave&cursor=c1');
    expect(stub.approvalCalls).toContain('?user=dave&cursor=c2');
    // A poll refreshes the first page and keeps what "more" loaded.
    const calls = stub.approvalCalls.length;
    await expect.poll(() => stub.approvalCalls.length, { timeout: 15_000 }).toBeGreaterThan(calls);
    expect(await items.count()).toBe(5);
  });

  it('keeps the persona in the URL and gives each persona its own conversation', async () => {
    await page.goto(`${base}/console?user=alice`);
    await page.getByTestId('persona').selectOption('carol');
    await expect.poll(() => new URL(page.url()).searchParams.get('user')).toBe('carol');
    expect(await page.getByTestId('conversation').textContent()).toBe('console-carol');
    await page.goto(`${base}/console`);
    expect(await page.getByTestId('persona').inputValue()).toBe('carol');
  });

  it("the requester's own copy has a Withdraw button: it posts decision withdraw and shows the answer", async () => {
    // Alice reads her own copy: no approve buttons, only Withdraw.
    stub.view.reader = { id: 'alice', role: 'requester' };
    stub.messages[0]!.card = renderAdaptiveCard(stub.view);
    stub.actionAnswer = { status: 'withdrawn', message: '已撤回申请 42424242「补全工单 T20261124-0012」，审批卡片已更新，不会再执行。', replies: [] };
    await page.goto(`${base}/console?user=alice`);
    const message = page.locator('[data-testid=message][data-approval-id=apv_42]');
    await message.getByRole('button', { name: '撤回' }).waitFor();
    expect(await message.getByRole('button').allInnerTexts()).toEqual(['撤回']);
    await message.getByRole('button', { name: '撤回' }).click();
    await expect.poll(() => stub.posted.find((p) => p.path === '/console/api/actions')?.body).toStrictEqual({ user: 'alice', approvalId: 'apv_42', decision: 'withdraw' });
    await page.getByText('已撤回申请 42424242', { exact: false }).first().waitFor();
  });

  it('offers "Approve all N of this kind" in the Waiting for me panel; a click sends the bulk command as the user\'s own message', async () => {
    stub.bulk = [{ tool: 'ticket.addNote', count: 3, action: '添加工单备注', command: '批量批准 工单备注' }];
    await page.goto(`${base}/console?user=carol`);
    const button = page.locator('[data-testid=approvals] [data-testid=bulk-approve]');
    await button.waitFor();
    expect(await button.innerText()).toBe('全部批准此类 3 项 / Approve all 3 of this kind: 添加工单备注');
    await button.click();
    await expect.poll(() => stub.posted.find((p) => p.path.startsWith('/console/api/messages'))?.body).toStrictEqual({
      user: 'carol',
      conversation: 'console-carol',
      text: '批量批准 工单备注',
    });
    // Nothing to offer: no button.
    await page.goto(`${base}/console?user=alice`);
    await page.getByTestId('approvals-count').waitFor();
    expect(await page.locator('[data-testid=bulk-approve]').count()).toBe(0);
  });
});
