/**
 * Inbox owners and leases across replicas, on PostgreSQL (several processes share it): a starting
 * replica never takes what a live one holds; what a dead one held is taken over once its lease runs
 * out and handled once; one conversation's events run in order whichever replica accepted them;
 * many events across two replicas, more than their pools have connections, each handled exactly
 * once. Embedded PGlite has one process, which takes over everything at start.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { Inbox, type InboxOptions } from '../src/bot/inbox.js';
import { claimInbox, insertInbox, type InboxRow } from '../src/store/inbox-repo.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from './helpers/test-app.js';

const pg = (await postgresAvailable()) || process.env.CI ? describe : describe.skip;
const FAST = { maxAttempts: 3, baseMs: 5, maxMs: 20, sweepMs: 100 };

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}
const until = async (ok: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

pg('inbox owners and leases across replicas (postgres)', () => {
  let tdb: TestDatabase;
  const dbs: Db[] = [];
  const inboxes: Inbox[] = [];
  let seq = 0;
  const open = async () => {
    const db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 2 });
    dbs.push(db);
    return db;
  };
  const replica = (db: Db, handler: (row: InboxRow) => Promise<unknown>, opts: Partial<InboxOptions> = {}) => {
    const inbox = new Inbox(db, handler, () => undefined, { retry: FAST, leaseMs: 1000, notify: async () => ({ messageId: 'n' }), ...opts });
    inboxes.push(inbox);
    return inbox;
  };
  const event = (conversationId = `c-${++seq}`) => ({
    channel: 'console',
    eventId: `e-${++seq}`,
    kind: 'message' as const,
    conversationId,
    payload: { text: 'help', conversationId },
  });
  const rowOf = async (db: Db, id: string) =>
    (await db.query<{ status: string; attempts: number; owner: string | null }>('SELECT status, attempts, owner FROM inbox WHERE id = $1', [id])).rows[0]!;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    await migrate(await open());
  });
  // Each test's replicas stop with it: a live replica's sweeper would (rightly) take over the next test's orphans.
  afterEach(async () => {
    for (const i of inboxes.splice(0)) await i.close().catch(() => undefined);
  });
  afterAll(async () => {
    for (const d of dbs) await d.close();
    await tdb?.drop();
  });

  it('a starting replica does not take what a live one is working on', async () => {
    const [dbA, dbB] = [await open(), await open()];
    const held = gate();
    const seenB: string[] = [];
    const a = replica(dbA, async () => held.wait);
    const received = await a.receive(event());
    await until(async () => (await rowOf(dbA, received.id)).status === 'processing');
    // Longer than the lease: A's heartbeat keeps it.
    await new Promise((r) => setTimeout(r, 1500));
    const b = replica(dbB, async (row) => void seenB.push(row.id));
    expect(await b.replay()).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(seenB).toEqual([]);
    held.open();
    await received.result;
    expect(await rowOf(dbA, received.id)).toMatchObject({ status: 'done', attempts: 1 });
    expect(seenB).toEqual([]);
  });

  it("takes over a dead replica's events once its lease has run out, and handles each once", async () => {
    const db = await open();
    // A replica that accepted one event, started another, and died: no heartbeat renews them.
    const dead = { owner: 'replica-killed', leaseMs: 1500 };
    const accepted = (await insertInbox(db, event(), dead)).row;
    const started = (await insertInbox(db, event(), dead)).row;
    await claimInbox(db, started.id, dead);
    const seen: string[] = [];
    const b = replica(await open(), async (row) => void seen.push(row.id));
    expect(await b.replay()).toBe(0);
    await until(() => seen.length === 2, 5000);
    await b.idle();
    expect(seen.sort()).toEqual([accepted.id, started.id].sort());
    expect(await rowOf(db, accepted.id)).toMatchObject({ status: 'done', attempts: 1 });
    // The interrupted attempt counts: the next is the second.
    expect(await rowOf(db, started.id)).toMatchObject({ status: 'done', attempts: 2 });
    expect((await rowOf(db, started.id)).owner).toBe(b.ownership().owner);
  });

  it("runs one conversation's events in order, whichever replica accepted them", async () => {
    const [dbA, dbB] = [await open(), await open()];
    const log: string[] = [];
    const held = gate();
    const a = replica(dbA, async () => {
      log.push('first:start');
      await held.wait;
      log.push('first:end');
    });
    const b = replica(dbB, async () => void log.push('second:start'));
    const first = await a.receive(event('conv-ordered'));
    await until(() => log.length === 1);
    const second = await b.receive(event('conv-ordered'));
    await new Promise((r) => setTimeout(r, 600));
    expect(log).toEqual(['first:start']);
    held.open();
    await first.result;
    await second.result;
    expect(log).toEqual(['first:start', 'first:end', 'second:start']);
    expect(b.ownership().waitedForEarlier).toBeGreaterThan(0);
  });

  it('handles many events across two replicas exactly once, in order per conversation, with more events in flight than connections', async () => {
    const [dbA, dbB] = [await open(), await open()];
    const handled = new Map<string, number>();
    const order = new Map<string, string[]>();
    const handler = (who: string) => async (row: InboxRow) => {
      handled.set(row.id, (handled.get(row.id) ?? 0) + 1);
      (order.get(row.conversation_id) ?? order.set(row.conversation_id, []).get(row.conversation_id)!).push(row.id);
      await new Promise((r) => setTimeout(r, 5 + (who === 'a' ? 3 : 0)));
    };
    const a = replica(dbA, handler('a'));
    const b = replica(dbB, handler('b'));
    const events = Array.from({ length: 48 }, (_, i) => event(`burst-${i % 6}`));
    // Each conversation's events arrive one after another (as a chat's do), alternately at the two replicas.
    const received = [];
    for (let i = 0; i < events.length; i += 6) {
      received.push(...(await Promise.all(events.slice(i, i + 6).map((e, j) => ((i / 6 + j) % 2 === 0 ? a : b).receive(e)))));
    }
    await Promise.all(received.map((r) => r.result));
    await a.idle();
    await b.idle();
    expect(received).toHaveLength(48);
    expect(received.every((r) => handled.get(r.id) === 1)).toBe(true);
    for (const ids of order.values()) expect(ids).toEqual([...ids].sort((x, y) => Number(x) - Number(y)));
  });
  it("hands one replica's answer to a request waiting on another (a redelivery there), heard by NOTIFY", async () => {
    const [dbA, dbB] = [await open(), await open()];
    const held = gate();
    const a = replica(dbA, async (row) => {
      await held.wait;
      return { sent: [{ messageId: `reply-to-${row.id}` }] };
    });
    const b = replica(dbB, async () => {
      throw new Error('B must not run what A holds');
    });
    const ev = event();
    const first = await a.receive(ev);
    await until(async () => (await rowOf(dbA, first.id)).status === 'processing');
    // The client retried through the other replica while A is still working on it.
    const again = await b.receive(ev);
    expect(again.duplicate).toBe(true);
    let handedBack: unknown;
    void again.result.then((r) => (handedBack = r));
    await new Promise((r) => setTimeout(r, 300));
    expect(handedBack).toBeUndefined();
    held.open();
    expect(await again.result).toEqual({ sent: [{ messageId: `reply-to-${first.id}` }] });
    expect(await first.result).toEqual({ sent: [{ messageId: `reply-to-${first.id}` }] });
    // Long after: a redelivery anywhere still gets what was sent, from the row.
    expect(await (await b.receive(ev)).result).toEqual({ sent: [{ messageId: `reply-to-${first.id}` }] });
  });
});

describe('inbox on embedded PGlite: the only process takes over everything at start', () => {
  it('replays what a previous process held, however fresh its lease looked', async () => {
    const tdb = await createTestDatabase('pglite');
    const db = await openDb({ dataDir: tdb.env.DATA_DIR!, poolSize: 1 });
    try {
      await migrate(db);
      const before = { owner: 'previous-process', leaseMs: 600_000 };
      const row = (await insertInbox(db, { channel: 'console', eventId: 'x-1', kind: 'message', conversationId: 'c', payload: { text: 'help', conversationId: 'c' } }, before)).row;
      await claimInbox(db, row.id, before);
      const seen: string[] = [];
      const inbox = new Inbox(db, async (r) => void seen.push(r.id), () => undefined, { retry: FAST, soleProcess: true });
      expect(await inbox.replay()).toBe(1);
      await inbox.idle();
      expect(seen).toEqual([row.id]);
      await inbox.close();
    } finally {
      await db.close();
      await tdb.drop();
    }
  });
});

describe('a busy process says so instead of leaving people waiting in silence', () => {
  it('tells a message that waits for a turn slot "received, queued (n ahead)" once, and then answers it', async () => {
    const tdb = await createTestDatabase('pglite');
    const db = await openDb({ dataDir: tdb.env.DATA_DIR!, poolSize: 1 });
    try {
      await migrate(db);
      const held = gate();
      const said: { conversationId: string; text: string }[] = [];
      const handled: string[] = [];
      const inbox = new Inbox(
        db,
        async (row) => {
          handled.push(row.conversation_id);
          if (row.conversation_id === 'c-1') await held.wait;
        },
        () => undefined,
        { retry: FAST, soleProcess: true, maxConcurrentTurns: 1, queuedNoticeMs: 150, notify: async (_ch, conversationId, text) => (said.push({ conversationId, text }), { messageId: 'n' }) },
      );
      const ev = (c: string, text: string) => ({ channel: 'console', eventId: `q-${c}`, kind: 'message' as const, conversationId: c, payload: { text, conversationId: c } });
      const first = await inbox.receive(ev('c-1', '查工单 T20261124-0012'));
      await until(() => handled.length === 1);
      const second = await inbox.receive(ev('c-2', '查工单 T20261124-0013'));
      const third = await inbox.receive(ev('c-3', 'ticket T20261124-0014'));
      await until(() => said.length === 2, 3000);
      expect(said).toEqual([
        { conversationId: 'c-2', text: '已收到，当前请求较多，正在排队（前面还有 1 个），处理后会回复你。' },
        { conversationId: 'c-3', text: 'Received. It is busy right now, so your request is queued (2 ahead of it); you will get the answer here.' },
      ]);
      held.open();
      await Promise.all([first.result, second.result, third.result]);
      expect(handled).toEqual(['c-1', 'c-2', 'c-3']);
      expect(inbox.stats().queued).toEqual({ console: 2 });
      // A message that gets its slot at once is told nothing.
      await (await inbox.receive(ev('c-4', 'help'))).result;
      expect(said).toHaveLength(2);
      await inbox.close();
    } finally {
      await db.close();
      await tdb.drop();
    }
  });
});
