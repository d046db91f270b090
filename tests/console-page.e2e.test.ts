/**
 * The console page in real Chromium against the real app: HTTP API, inbox, agent, RPA tools on the
 * sandbox portals, approvals in PGlite. What a person at the console sees, end to end: a port
 * query, a ticket completion that needs a manager, a refused self-approval, the approval by Carol
 * (written once and verified), and a rejection that must carry a reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../src/tools/browser-pool.js';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from './helpers/test-app.js';

const TICKET = 'T20261124-0012';
/** Generous: the first RPA call logs in to each portal, and the machine has two busy cores. */
const REPLY_TIMEOUT = 45_000;
/** Approve -> execute on the ticket portal -> read back -> every copy of the card updated. */
const EXECUTION_TIMEOUT = 20_000;
const UI_TIMEOUT = 10_000;

interface WriteLogEntry {
  ticketId: string;
  fields: Record<string, string>;
}

interface SandboxTicket {
  id: string;
  status: string;
  region: string;
  broadbandAccount: string;
  address: string;
  accessPort: string;
  onuSn: string;
}

let db: TestDatabase;
let t: TestApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Uncaught errors in the page: a broken console is a failure even if the texts look right. */
let pageErrors: string[] = [];

beforeAll(async () => {
  // The page's browser starts while the app does: start-up dominates this file's run time.
  const launching = chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
  try {
    db = await createTestDatabase('pglite');
    t = await startTestApp(db.env);
  } finally {
    browser = await launching;
  }
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await db?.drop();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterEach(async () => {
  await context?.close();
  expect(pageErrors).toEqual([]);
});

// ------------------------------------------------------------------------------------------- helpers

/** Screenshots of what people see, for a reviewer (test-results/ is not committed). */
const SHOTS = path.join(process.cwd(), 'test-results', 'console-page');
async function shot(name: string, target: Locator | Page = page): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await target.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function sandboxWrites(): Promise<WriteLogEntry[]> {
  const res = await fetch(`${t.app.sandbox!.url}/admin/writes`);
  expect(res.status).toBe(200);
  return (await res.json()) as WriteLogEntry[];
}

function sandboxTickets(): SandboxTicket[] {
  const state = t.app.sandbox!.state as { tickets?: SandboxTicket[] };
  if (!Array.isArray(state.tickets)) throw new Error('sandbox state has no tickets');
  return state.tickets;
}

async function openConsole(user: string): Promise<void> {
  await page.goto(`${t.app.url}/console?user=${user}`);
  await waitForPersona(user);
}

/** Switch the way a person does: the persona drop-down. */
async function switchTo(user: string): Promise<void> {
  await page.getByTestId('persona').selectOption(user);
  await waitForPersona(user);
}

async function waitForPersona(user: string): Promise<void> {
  await page.waitForFunction(
    (u) => document.querySelector('[data-testid=conversation]')?.textContent === `console-${u}`,
    user,
    { timeout: UI_TIMEOUT },
  );
  expect(await page.getByTestId('persona').inputValue()).toBe(user);
}

async function say(text: string): Promise<void> {
  const composer = page.getByTestId('composer');
  await composer.fill(text);
  await page.getByTestId('send').click();
}

const botText = (text: string): Locator =>
  page.locator('[data-testid=message][data-from=bot][data-kind=text]').filter({ hasText: text });

/** The card copy in the current persona's transcript. */
const transcriptCard = (approvalId: string): Locator =>
  page.locator(`[data-testid=message][data-kind=card][data-approval-id="${approvalId}"]`);

const panelCard = (approvalId: string): Locator =>
  page.locator(`[data-testid=approvals] [data-testid=approval][data-approval-id="${approvalId}"]`);

/** Asserts the card was drawn by the Adaptive Cards renderer, not the page's plain-text fallback. */
async function expectRenderedCard(host: Locator): Promise<Locator> {
  const card = host.locator('.ac-adaptiveCard');
  await card.waitFor();
  expect(await card.count()).toBe(1);
  expect(await host.locator('.card-fallback').count()).toBe(0);
  return card;
}

/** Alice asks for a ticket to be completed and gets the approval card; returns the approval id. */
async function requestCompletion(ticketId: string): Promise<{ approvalId: string; card: Locator }> {
  await say(`补全工单 ${ticketId}`);
  const message = page
    .locator('[data-testid=message][data-from=bot][data-kind=card]')
    .filter({ has: page.getByText(`补全工单 ${ticketId}`, { exact: true }) });
  await message.waitFor({ timeout: REPLY_TIMEOUT });
  const approvalId = await message.getAttribute('data-approval-id');
  expect(approvalId).toBeTruthy();
  const card = await expectRenderedCard(message);
  await card.getByText('待审批', { exact: true }).waitFor();
  // Her own copy: whom it waits for, and no approve buttons (issue 13: the requester decides nothing), only Withdraw.
  await card.getByText(/^等待 .+ 审批$/).waitFor();
  expect(await card.getByRole('button').allInnerTexts()).toEqual(['撤回']);
  return { approvalId: approvalId!, card };
}

// --------------------------------------------------------------------------------------------- tests

describe('console page against the real app', () => {
  it('queries a port, refuses self-approval, and writes the ticket once after Carol approves', { timeout: 120_000 }, async () => {
    // 1. Bob, a field technician, asks for a port.
    await openConsole('bob');
    await say('查端口 OLT-HZ-01 0/1/3');
    const portReply = botText('-26.40');
    await portReply.waitFor({ timeout: REPLY_TIMEOUT });
    expect(await portReply.count()).toBe(1);
    expect(await portReply.innerText()).toContain('临界');
    expect(await page.getByTestId('composer').inputValue()).toBe('');

    // 2. Alice asks for the ticket to be completed: a card, drawn by the Adaptive Cards renderer.
    await switchTo('alice');
    expect(await page.locator('[data-testid=message]').filter({ hasText: '-26.40' }).count()).toBe(0);
    const { approvalId, card: aliceCard } = await requestCompletion(TICKET);
    // Each field as current → new, with where the new value was read.
    await aliceCard.getByText('（空） → hz81000123', { exact: true }).waitFor();
    await aliceCard.getByText('（空） → OLT-HZ-01 0/1/3', { exact: true }).waitFor();
    await aliceCard.getByText('（空） → HWTC1A2B3C4D', { exact: true }).waitFor();
    await aliceCard.getByText(/^来源：CRM 系统，\d{4}-\d{2}-\d{2} \d{2}:\d{2} 读取$/).first().waitFor();
    await aliceCard.getByText(/^来源：资源管理系统，.+ 读取$/).first().waitFor();
    await botText('需 Carol 审批后写入').waitFor();

    // 3. Her own approval is refused (the API, as a forged click would), and nothing is written.
    expect(await t.client.act('alice', approvalId, 'approve')).toMatchObject({ status: 'refused', reason: 'self_approval' });
    expect(await sandboxWrites()).toEqual([]);
    expect(await aliceCard.getByText('待审批', { exact: true }).count()).toBe(1);

    // 4. Carol, her manager, finds it in her approvals panel and approves.
    await switchTo('carol');
    const pending = panelCard(approvalId);
    await pending.waitFor();
    expect(await page.getByTestId('approvals-count').innerText()).toBe('1');
    const pendingCard = await expectRenderedCard(pending);
    await pendingCard.getByText('（空） → hz81000123', { exact: true }).waitFor();
    await pendingCard.getByRole('button', { name: '批准', exact: true }).click();

    // Decided: it leaves the panel; her copy of the card turns approved, then written and verified.
    await pending.waitFor({ state: 'detached' });
    const carolCopy = transcriptCard(approvalId);
    const carolCard = await expectRenderedCard(carolCopy);
    await carolCard.getByText('已写入并核验', { exact: true }).waitFor({ timeout: EXECUTION_TIMEOUT });
    expect(await carolCard.getByText('已写入', { exact: true }).count()).toBe(1);
    expect(await carolCard.getByText(/^已由 Carol 于 .+ 批准$/).count()).toBe(1);
    expect(await carolCard.getByRole('button').count()).toBe(0);
    expect(await carolCopy.locator('[data-testid=notice][data-level=error]').count()).toBe(0);

    const writes = (await sandboxWrites()).filter((w) => w.ticketId === TICKET);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.fields).toMatchObject({ broadbandAccount: 'hz81000123', accessPort: 'OLT-HZ-01 0/1/3', onuSn: 'HWTC1A2B3C4D' });

    // 5. Back as Alice: her copy shows the same outcome, and the bot told her.
    await switchTo('alice');
    const aliceCopy = await expectRenderedCard(transcriptCard(approvalId));
    await aliceCopy.getByText('已写入并核验', { exact: true }).waitFor();
    expect(await aliceCopy.getByText('已写入', { exact: true }).count()).toBe(1);
    expect(await aliceCopy.getByText(/^已由 Carol 于 .+ 批准$/).count()).toBe(1);
    expect(await aliceCopy.getByRole('button').count()).toBe(0);
    await botText(`「补全工单 ${TICKET}」已由 Carol 批准，已写入并核验。`).waitFor({ timeout: EXECUTION_TIMEOUT });
    // Still exactly one write: nothing ran twice while the cards were refreshed.
    expect((await sandboxWrites()).filter((w) => w.ticketId === TICKET)).toHaveLength(1);
  });

  it('refuses a rejection without a reason, then rejects with the reason and tells Alice', { timeout: 90_000 }, async () => {
    // Another open Hangzhou ticket with empty fields (the first test completed T20261124-0012).
    const ticket = sandboxTickets().find(
      (x) => x.id !== TICKET && x.status === 'open' && x.region === 'hangzhou' && [x.broadbandAccount, x.address, x.accessPort, x.onuSn].some((f) => f === ''),
    );
    if (!ticket) throw new Error('the sandbox seed has no other open Hangzhou ticket with missing fields');
    const writesBefore = (await sandboxWrites()).length;

    await openConsole('alice');
    const { approvalId } = await requestCompletion(ticket.id);

    await switchTo('carol');
    const pending = panelCard(approvalId);
    const pendingCard = await expectRenderedCard(pending);

    // No reason: refused beside the card, which stays pending.
    await pendingCard.getByRole('button', { name: '驳回', exact: true }).click();
    const refusal = pending.locator('[data-testid=notice][data-level=error]');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('驳回时请填写原因');
    expect(await pending.count()).toBe(1);

    // With a reason typed into the card's own input.
    const reason = '客户已撤单，无需补全';
    await pendingCard.locator('textarea').fill(reason);
    await pendingCard.getByRole('button', { name: '驳回', exact: true }).click();
    await pending.waitFor({ state: 'detached' });

    const carolCard = await expectRenderedCard(transcriptCard(approvalId));
    await carolCard.getByText('已驳回', { exact: true }).waitFor();
    expect(await carolCard.getByText(/^已由 Carol 于 .+ 驳回$/).count()).toBe(1);
    expect(await carolCard.getByText(reason, { exact: true }).count()).toBe(1);
    expect(await carolCard.getByRole('button').count()).toBe(0);

    await switchTo('alice');
    const aliceCard = await expectRenderedCard(transcriptCard(approvalId));
    await aliceCard.getByText('已驳回', { exact: true }).waitFor();
    expect(await aliceCard.getByText(reason, { exact: true }).count()).toBe(1);
    await botText(`「补全工单 ${ticket.id}」被 Carol 驳回，原因：${reason}`).waitFor({ timeout: EXECUTION_TIMEOUT });

    expect(await sandboxWrites()).toHaveLength(writesBefore);
    expect(await aliceCard.innerText()).not.toContain('已写入并核验');
  });

  it("an English request reaches a Chinese manager in Chinese; the panel names the requester; a write that fails after approval is red with its reason on every copy", { timeout: 120_000 }, async () => {
    // Bob types in English; Dave (no language in the directory: Chinese) approves it.
    await openConsole('bob');
    await say('ack alarm ALM900001 crew on site');
    const bobMessage = page.locator('[data-testid=message][data-from=bot][data-kind=card]').filter({ hasText: 'Acknowledge alarm ALM900001' });
    await bobMessage.waitFor({ timeout: REPLY_TIMEOUT });
    const approvalId = (await bobMessage.getAttribute('data-approval-id'))!;
    const bobCard = await expectRenderedCard(bobMessage);
    await bobCard.getByText('Pending', { exact: true }).waitFor();
    await bobCard.getByText('Operation', { exact: true }).waitFor();
    await bobCard.getByText('Acknowledge alarm', { exact: true }).waitFor();
    await bobCard.getByText('no → yes', { exact: true }).waitFor();
    await bobCard.getByText(/^Source: network management system, read \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/).first().waitFor();
    // His own copy: no approve buttons, only Withdraw (in his language).
    expect(await bobCard.getByRole('button').allInnerTexts()).toEqual(['Withdraw']);
    expect(await bobCard.innerText()).not.toContain('nms.acknowledgeAlarm');

    await switchTo('dave');
    const pending = panelCard(approvalId);
    await pending.waitFor();
    // The panel's heading names the requester and his department, never "[object Object]".
    const from = pending.locator('.approval-meta');
    expect(await from.innerText()).toContain('申请人 / From: Bob · 杭州装维班组');
    expect(await page.getByTestId('approvals').innerText()).not.toContain('[object Object]');
    const daveCard = await expectRenderedCard(pending);
    await daveCard.getByText('待审批', { exact: true }).waitFor();
    await daveCard.getByText('确认告警', { exact: true }).waitFor();
    await daveCard.getByText('未确认 → 已确认', { exact: true }).waitFor();
    await daveCard.getByText(/^来源：网管系统，.+ 读取$/).first().waitFor();
    await daveCard.getByText('Bob（杭州装维班组）', { exact: true }).waitFor();
    expect(await daveCard.innerText()).not.toMatch(/Pending|Acknowledge alarm|Operation/);
    // Labels are whole words: the label column is as wide as the label.
    const label = daveCard.getByText('申请人', { exact: true });
    expect((await label.boundingBox())!.height).toBeLessThan(30);
    await shot('dave-pending-zh', pending);

    // Meanwhile someone at the NOC acknowledges it in the NMS: the approved write will fail.
    const alarm = (t.app.sandbox!.state as { alarms: { id: string; acknowledged: boolean; acknowledgedBy?: string }[] }).alarms.find((a) => a.id === 'ALM900001')!;
    alarm.acknowledged = true;
    alarm.acknowledgedBy = 'noc-op7';
    await daveCard.getByRole('button', { name: '批准', exact: true }).click();
    await pending.waitFor({ state: 'detached' });

    const daveCopy = await expectRenderedCard(transcriptCard(approvalId));
    await daveCopy.getByText('执行失败', { exact: true }).waitFor({ timeout: EXECUTION_TIMEOUT });
    await daveCopy.getByText('已批准，但执行失败，未写入', { exact: true }).waitFor();
    await daveCopy.getByText(/告警 ALM900001 在审批后已被确认（noc-op7），未重复确认/).waitFor();
    expect(await daveCopy.getByText('已写入', { exact: true }).count()).toBe(0);
    expect(await daveCopy.getByRole('button').count()).toBe(0);
    await shot('dave-failed-zh', transcriptCard(approvalId));

    await switchTo('bob');
    const bobCopy = await expectRenderedCard(transcriptCard(approvalId));
    await bobCopy.getByText('Failed', { exact: true }).waitFor();
    await bobCopy.getByText('Approved, but the write failed: nothing was written', { exact: true }).waitFor();
    await bobCopy.getByText(/Alarm ALM900001 was acknowledged since it was approved/).waitFor();
    expect(await bobCopy.getByRole('button').count()).toBe(0);
    expect(await bobCopy.innerText()).not.toContain('已批准');
    await shot('bob-failed-en', transcriptCard(approvalId));
  });

  it('withdraws from the Withdraw button, and approves the rest of a kind from one bulk card offered in the panel', { timeout: 150_000 }, async () => {
    const tickets = sandboxTickets().filter((tk) => tk.region === 'hangzhou' && tk.status !== 'closed' && tk.id !== TICKET).slice(-3).map((tk) => tk.id);
    await openConsole('alice');
    const noteCard = async (tk: string) => {
      await say(`工单备注 ${tk} 页面批量`);
      const message = page.locator('[data-testid=message][data-from=bot][data-kind=card]').filter({ has: page.getByText(`工单备注 ${tk}`, { exact: true }) });
      await message.waitFor({ timeout: REPLY_TIMEOUT });
      return message;
    };
    const cards = [];
    for (const tk of tickets) cards.push(await noteCard(tk));
    // Alice withdraws the last one with the button on her own copy.
    const last = await expectRenderedCard(cards[2]!);
    await last.getByRole('button', { name: '撤回', exact: true }).click();
    await last.getByText(/^已由申请人 Alice 于 .+ 撤回，未执行$/).waitFor({ timeout: EXECUTION_TIMEOUT });
    expect(await last.getByRole('button').count()).toBe(0);

    // Carol's panel offers the two that remain as one bulk card.
    await switchTo('carol');
    const offer = page.locator('[data-testid=approvals] [data-testid=bulk-approve][data-tool="ticket.addNote"]');
    await offer.waitFor({ timeout: UI_TIMEOUT });
    expect(await offer.innerText()).toBe('全部批准此类 2 项 / Approve all 2 of this kind: 添加工单备注');
    await offer.click();
    const bulk = page.locator('[data-testid=message][data-from=bot][data-kind=card]').filter({ has: page.getByText('批量审批：添加工单备注（2 项）', { exact: true }) });
    await bulk.waitFor({ timeout: REPLY_TIMEOUT });
    const bulkCard = await expectRenderedCard(bulk);
    for (const tk of tickets.slice(0, 2)) await bulkCard.getByText(`工单备注 ${tk}`, { exact: false }).first().waitFor();
    await shot('bulk-card-pending', bulk);
    await bulkCard.getByRole('button', { name: '全部批准（2 项）', exact: true }).click();
    // Redrawn in place: each item written and verified, no buttons left.
    await expect.poll(async () => bulkCard.getByText('已写入并核实', { exact: true }).count(), { timeout: EXECUTION_TIMEOUT }).toBe(2);
    expect(await bulkCard.getByRole('button').count()).toBe(0);
    await shot('bulk-card-done', bulk);
    const notes = (t.app.sandbox!.state as { ticketNotes: { ticketId: string; text: string }[] }).ticketNotes.filter((n) => n.text === '页面批量');
    expect(notes.map((n) => n.ticketId).sort()).toEqual(tickets.slice(0, 2).sort());
  });
});
