/**
 * Dead letters in the operations API: events that kept failing, newest first and paged, for
 * managers and auditors; what and when, never the person's words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertInbox, markInboxDead } from '../src/store/inbox-repo.js';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from './helpers/test-app.js';

describe('dead letters (GET /api/inbox/dead)', () => {
  let db: TestDatabase;
  let t: TestApp;
  const ids: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    t = await startTestApp(db.env);
    for (let i = 0; i < 3; i++) {
      const { row } = await insertInbox(t.app.db, { channel: 'feishu', eventId: `dead-${i}`, kind: 'message', conversationId: 'oc_x', payload: { text: `给 13857101234 发短信 ${i}`, conversationId: 'oc_x' } });
      await markInboxDead(t.app.db, row.id, `portal said no for 13857101234 (${i})`);
      ids.push(row.id);
    }
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('lists them newest first for a manager, paged, with masked errors and no payload', async () => {
    const first = await t.client.get('/api/inbox/dead?user=carol&limit=2');
    expect(first.status).toBe(200);
    const page = first.json as { total: number; deadLetters: { id: string; error: string; channel: string }[]; next: string | null };
    expect(page.total).toBe(3);
    expect(page.deadLetters.map((d) => d.id)).toEqual([ids[2], ids[1]]);
    expect(page.deadLetters[0]).toMatchObject({ channel: 'feishu', kind: 'message', error: 'portal said no for 138****1234 (2)' });
    expect(JSON.stringify(page)).not.toContain('发短信');
    const rest = (await t.client.get(`/api/inbox/dead?user=erin&limit=2&cursor=${page.next}`)).json as { deadLetters: { id: string }[]; next: string | null };
    expect(rest.deadLetters.map((d) => d.id)).toEqual([ids[0]]);
    expect(rest.next).toBeNull();
    // A page that ends exactly at the last one says so (no empty page to fetch).
    const exact = (await t.client.get('/api/inbox/dead?user=carol&limit=3')).json as { deadLetters: unknown[]; next: string | null };
    expect(exact.deadLetters).toHaveLength(3);
    expect(exact.next).toBeNull();
  });

  it('is refused to front-line staff, and says what a bad page request should be', async () => {
    expect((await t.client.get('/api/inbox/dead?user=alice')).status).toBe(403);
    const bad = await t.client.get('/api/inbox/dead?user=carol&limit=5000');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('limit');
    const forged = await t.client.get('/api/inbox/dead?user=carol&cursor=not-a-cursor');
    expect(forged.status).toBe(400);
    expect(JSON.stringify(forged.json)).toContain('cursor');
  });
});
