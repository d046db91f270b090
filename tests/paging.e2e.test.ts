/**
 * Every list the console serves is one page at a time (issue 14: 10,001 pending approvals were
 * one 22 MB answer). The contract: a stable order, no item skipped or repeated across pages even
 * while new ones arrive, `limit` 1..200 (default 50), an opaque `next` (null at the end), a 400
 * that says what is wrong with a bad limit or cursor, and each person's scope on every page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dbKinds, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';
import { seedApprovals } from './helpers/seed-approvals.js';

interface Item { approvalId: string; title: string; createdAt: string; card: unknown }
interface ApprovalsPage { approvals: Item[]; next: string | null; total: number | null }

describe.each(await dbKinds())('paged lists on %s', (kind) => {
  let db: TestDatabase;
  let t: TestApp;
  const get = async (path: string) => t.client.get(path);
  /** Every page of a list, following `next`, as the caller sees it. */
  async function allPages(path: string, limit: number, between?: () => Promise<void>): Promise<{ pages: Item[][]; first: ApprovalsPage }> {
    const pages: Item[][] = [];
    let cursor: string | null = null;
    let first: ApprovalsPage | undefined;
    do {
      const res = await get(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = res.json as unknown as ApprovalsPage & { requests?: Item[] };
      first ??= page;
      const items = page.approvals ?? page.requests ?? [];
      expect(items.length).toBeLessThanOrEqual(limit);
      pages.push(items);
      cursor = page.next;
      if (between) await between();
    } while (cursor);
    return { pages, first: first! };
  }

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    t = await startTestApp(db.env);
    const q = t.app.db;
    // Carol and Dave are both listed on every row; what each may decide is the department's.
    await seedApprovals(q, { count: 120, requester: 'alice', department: 'cs-hangzhou', approvers: ['carol', 'dave'], targetScope: [{ kind: 'region', id: 'hangzhou' }, { kind: 'department', id: 'cs-hangzhou' }], title: 'cs', tieredEvery: 10, sameTime: 3 });
    await seedApprovals(q, { count: 30, requester: 'bob', department: 'field-hangzhou', approvers: ['carol', 'dave'], targetScope: [{ kind: 'department', id: 'field-hangzhou' }], title: 'field', sameTime: 4 });
    await seedApprovals(q, { count: 10, requester: 'alice', department: 'cs-hangzhou', approvers: ['carol', 'dave'], targetScope: [{ kind: 'region', id: 'ningbo' }], title: 'ningbo' });
    await seedApprovals(q, { count: 5, requester: 'alice', department: 'cs-hangzhou', approvers: ['carol', 'dave'], targetScope: null, title: 'unknown-owner' });
    // Her own request is never hers to approve.
    await seedApprovals(q, { count: 3, requester: 'carol', department: 'cs-hangzhou', approvers: ['carol', 'dave'], targetScope: [{ kind: 'department', id: 'cs-hangzhou' }], title: 'own' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('pages what waits for a manager: riskiest then oldest, each item once, only their department, the total on the first page', async () => {
    const { pages, first } = await allPages('/console/api/approvals?user=carol', 50);
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(first.total).toBe(120);
    expect((first as ApprovalsPage & { totalAtLeast?: boolean }).totalAtLeast).toBe(false);
    const titles = pages.flat().map((i) => i.title);
    expect(new Set(titles).size).toBe(120);
    expect(titles.every((x) => /^cs #\d+$/.test(x))).toBe(true);
    // The twelve tiered ones (every 10th) first, then by creation time.
    expect(titles.slice(0, 12).every((x) => Number(x.split('#')[1]) % 10 === 0)).toBe(true);
    const rest = pages.flat().slice(12).map((i) => Date.parse(i.createdAt));
    expect(rest).toEqual([...rest].sort((a, b) => a - b));

    // Dave manages field operations: the same rows list him, he sees only his department's, on every page.
    const dave = await allPages('/console/api/approvals?user=dave', 7);
    expect(dave.first.total).toBe(30);
    expect(dave.pages.flat().map((i) => i.title).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `field #${i + 1}`).sort());
    // Erin is an auditor with every region: listed on none of them.
    expect((await get('/console/api/approvals?user=erin')).json).toMatchObject({ approvals: [], next: null, total: 0 });
  });

  it('skips and repeats nothing while new approvals arrive between pages, and still caps each page', async () => {
    const before = new Set((await allPages('/console/api/approvals?user=carol', 200)).pages.flat().map((i) => i.approvalId));
    expect(before.size).toBe(120);
    let batch = 0;
    const { pages } = await allPages('/console/api/approvals?user=carol', 9, async () => {
      // Between every two pages: new ones (also at the same instant as each other), and out-of-scope ones.
      batch++;
      await Promise.all([
        seedApprovals(t.app.db, { count: 3, requester: 'alice', department: 'cs-hangzhou', approvers: ['carol'], targetScope: [{ kind: 'department', id: 'cs-hangzhou' }], title: `new-${batch}`, sameTime: 3 }),
        seedApprovals(t.app.db, { count: 2, requester: 'bob', department: 'field-hangzhou', approvers: ['carol'], targetScope: [{ kind: 'department', id: 'field-hangzhou' }], title: `field-new-${batch}` }),
      ]);
    });
    const seen = pages.flat().map((i) => i.approvalId);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
    expect(pages.flat().some((i) => i.title.startsWith('field'))).toBe(false);
  });

  it('answers a bad limit or cursor with a 400 that says what to send', async () => {
    for (const limit of ['0', '201', '5000', 'abc', '2.5', '-1']) {
      const res = await get(`/console/api/approvals?user=carol&limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(String(res.json.error)).toContain('limit');
    }
    expect(((await get('/console/api/approvals?user=carol')).json as unknown as ApprovalsPage).approvals).toHaveLength(50);
    const max = (await get('/console/api/approvals?user=carol&limit=200')).json as unknown as ApprovalsPage;
    expect(max.approvals.length).toBe(Math.min(200, max.total!));
    const deadCursor = Buffer.from(JSON.stringify({ k: 'd', i: '12' })).toString('base64url');
    for (const cursor of ['garbage!', 'eyJ4Ijox', deadCursor, Buffer.from(JSON.stringify({ r: 1, c: "2026-01-01'; DROP TABLE approvals; --", i: 'x' })).toString('base64url')]) {
      for (const path of ['/console/api/approvals', '/console/api/requests', '/console/api/conversations/console-carol']) {
        const res = await get(`${path}?user=carol&cursor=${encodeURIComponent(cursor)}`);
        expect(res.status, `${path} ${cursor}`).toBe(400);
        expect(String(res.json.error)).toContain('cursor');
      }
    }
  });

  it("pages a requester's own requests newest first, and nobody else's", async () => {
    const { pages, first } = await allPages('/console/api/requests?user=bob', 8);
    // Bob's 30, and the two per page the arrivals test added.
    expect(first.total).toBeGreaterThanOrEqual(30);
    const items = pages.flat();
    expect(items).toHaveLength(first.total!);
    expect(items.every((i) => i.title.startsWith('field'))).toBe(true);
    const times = items.map((i) => Date.parse(i.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(items.map((i) => i.approvalId)).size).toBe(items.length);
    expect((await get('/console/api/requests?user=dave')).json).toMatchObject({ requests: [], next: null, total: 0 });
  });

  it('pages a transcript back from the newest message', async () => {
    for (const n of [1, 2, 3]) await t.client.say('erin', `help ${n}`);
    const newest = (await get('/console/api/conversations/console-erin?user=erin&limit=4')).json as { messages: { id: string; from: string }[]; next: string | null };
    expect(newest.messages).toHaveLength(4);
    expect(newest.next).not.toBeNull();
    const older = (await get(`/console/api/conversations/console-erin?user=erin&limit=4&cursor=${newest.next}`)).json as { messages: { id: string }[]; next: string | null };
    expect(older.messages).toHaveLength(2);
    expect(older.next).toBeNull();
    const ids = [...older.messages, ...newest.messages].map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(6);
  });

  it('expires hundreds of approvals due at once in batches, each once, with its audit record', async () => {
    await seedApprovals(t.app.db, { count: 450, requester: 'alice', department: 'cs-hangzhou', approvers: ['dave'], targetScope: [{ kind: 'department', id: 'cs-hangzhou' }], title: 'due' });
    await t.app.db.query(`UPDATE approvals SET expires_at = now() - interval '1 second' WHERE title LIKE 'due #%'`);
    // The app's own sweeper (every 200 ms here) takes them, 200 at a time.
    await expect.poll(async () => Number((await t.app.db.query<{ n: string }>(`SELECT count(*) AS n FROM approvals WHERE title LIKE 'due #%' AND status = 'expired'`)).rows[0]!.n), { timeout: 60_000, interval: 500 }).toBe(450);
    const audited = await t.app.db.query<{ n: string; d: string }>(
      `SELECT count(*) AS n, count(DISTINCT subject) AS d FROM audit_log WHERE action = 'approval.expired' AND subject IN (SELECT id::text FROM approvals WHERE title LIKE 'due #%')`,
    );
    expect(audited.rows[0]).toEqual({ n: '450', d: '450' });
  });

  it('answers 10,000 pending approvals with one small page, in the console and in chat', async () => {
    await seedApprovals(t.app.db, { count: 10_000, requester: 'alice', department: 'cs-hangzhou', approvers: ['carol'], targetScope: [{ kind: 'department', id: 'cs-hangzhou' }], title: 'bulk' });
    const res = await fetch(`${t.app.url}/console/api/approvals?user=carol`);
    const body = await res.text();
    const page = JSON.parse(body) as ApprovalsPage & { totalAtLeast: boolean };
    expect(page.approvals).toHaveLength(50);
    // Counted up to 1,000 (every poll of the console asks): "1000+".
    expect(page).toMatchObject({ total: 1000, totalAtLeast: true });
    expect(page.next).not.toBeNull();
    // 50 cards, not 10,000 (issue 14 measured 22 MB for all of them).
    expect(Buffer.byteLength(body)).toBeLessThan(400_000);

    const zh = textOf(await t.client.say('carol', '待我审批')).split('\n');
    expect(zh[0]).toContain('待你审批的申请共 1000+ 个');
    expect(zh.filter((l) => /^\d+\. /.test(l))).toHaveLength(10);
    expect(zh.at(-1)).toBe('……还有 990+ 个，请在控制台的「待我审批」中查看。');
    const en = textOf(await t.client.say('carol', 'my approvals')).split('\n');
    expect(en[0]).toMatch(/^1000\+ requests wait for your approval/);
    expect(en.at(-1)).toBe('… and 990+ more — see the console (Waiting for me).');
    const mine = textOf(await t.client.say('alice', 'my requests')).split('\n');
    expect(mine[0]).toBe('You have 1000+ requests; the 10 most recent:');
    expect(mine.filter((l) => /^\d+\. /.test(l))).toHaveLength(10);
  });
});
