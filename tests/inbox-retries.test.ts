/**
 * Inbox retries and dead letters on both databases, without the rest of the app: a real Db, the
 * real migrations, the real Inbox, a handler that fails as told and a `notify` that records what
 * would be said in the chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { Inbox, InboxFullError, isDeadLetter, retryDelayMs, type InboxOptions } from '../src/bot/inbox.js';
import { deferInbox, insertInbox, type InboxRow } from '../src/store/inbox-repo.js';
import { verifyAuditChain } from '../src/store/audit.js';
import { createTestDatabase, dbKinds, type TestDatabase } from './helpers/test-app.js';

const kinds = await dbKinds();
const FAST = { maxAttempts: 4, baseMs: 5, maxMs: 40, sweepMs: 0 };

interface Said {
  channel: string;
  conversationId: string;
  text: string;
}

describe.each(kinds)('inbox retries (%s)', (kind) => {
  let tdb: TestDatabase;
  let db: Db;
  const inboxes: Inbox[] = [];
  let seq = 0;

  const make = (handler: (row: InboxRow) => Promise<unknown>, opts: Partial<InboxOptions> = {}) => {
    const said: Said[] = [];
    const inbox = new Inbox(db, handler, () => undefined, {
      retry: FAST,
      notify: async (channel, conversationId, text) => {
        said.push({ channel, conversationId, text });
        return { messageId: `m${said.length}` };
      },
      ...opts,
    });
    inboxes.push(inbox);
    return { inbox, said };
  };
  const event = (over: Partial<{ eventId: string; conversationId: string; text: string }> = {}) => ({
    channel: 'console',
    eventId: over.eventId ?? `e-${++seq}`,
    kind: 'message' as const,
    conversationId: over.conversationId ?? `c-${seq}`,
    payload: { text: over.text ?? 'help', conversationId: over.conversationId ?? `c-${seq}` },
  });
  const statusOf = async (id: string) =>
    (await db.query<{ status: string; attempts: number; error: string | null }>('SELECT status, attempts, error FROM inbox WHERE id = $1', [id])).rows[0]!;
  const auditOf = async (action: string) => (await db.query<{ subject: string; details: Record<string, unknown> }>('SELECT subject, details FROM audit_log WHERE action = $1 ORDER BY id', [action])).rows;

  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    db = await openDb({ databaseUrl: tdb.env.DATABASE_URL, dataDir: tdb.env.DATA_DIR!, poolSize: 3 });
    await migrate(db);
  });
  afterAll(async () => {
    for (const i of inboxes) await i.close();
    await db?.close();
    await tdb?.drop();
  });

  it('backs off exponentially with jitter, within bounds', () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    expect(retryDelayMs(1, policy, () => 0)).toBe(50);
    expect(retryDelayMs(1, policy, () => 1)).toBe(100);
    expect(retryDelayMs(3, policy, () => 1)).toBe(400);
    expect(retryDelayMs(10, policy, () => 0.5)).toBe(750);
  });

  it('retries a failing event in the running process and answers it once', async () => {
    const tries = new Map<string, number>();
    const { inbox, said } = make(async (row) => {
      const n = (tries.get(row.id) ?? 0) + 1;
      tries.set(row.id, n);
      if (n <= 2) throw new Error(`portal down (try ${n})`);
      return { answered: row.event_id };
    });
    const received = await inbox.receive(event());
    await expect(received.result).resolves.toEqual({ answered: expect.any(String) });
    expect(tries.get(received.id)).toBe(3);
    expect(await statusOf(received.id)).toMatchObject({ status: 'done', attempts: 3, error: null });
    expect(said).toEqual([]);
    expect(inbox.stats().retried.console).toBe(2);
  });

  it('bounds its backlog: past it a message is refused before it is stored, a card click still gets in, and room comes back', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { inbox } = make(async (row) => {
      await gate;
      return { answered: row.event_id };
    }, { maxBacklog: 3, maxConcurrentTurns: 1 });
    const events = Array.from({ length: 5 }, () => event());
    let held: { result: Promise<unknown> }[] = [];
    let click: { result: Promise<unknown> } | undefined;
    try {
      // Five people at once: three are held, two refused at once.
      const attempts = await Promise.allSettled(events.map((e) => inbox.receive(e)));
      held = attempts.filter((a) => a.status === 'fulfilled').map((a) => (a as PromiseFulfilledResult<{ result: Promise<unknown> }>).value);
      const refused = attempts.filter((a) => a.status === 'rejected').map((a) => (a as PromiseRejectedResult).reason as unknown);
      expect(held).toHaveLength(3);
      expect(refused).toHaveLength(2);
      for (const e of refused) expect(e).toBeInstanceOf(InboxFullError);
      // Nothing of a refused message was stored: the platform redelivers it later.
      const stored = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE event_id = ANY($1)`, [events.map((e) => e.eventId)]);
      expect(stored.rows[0]!.n).toBe(3);
      // A decision is never refused for load.
      click = await inbox.receive({ ...event(), kind: 'action' as const, payload: { approvalId: 'a-1', decision: 'approve' } });
      expect(inbox.stats().overloaded.console).toBe(2);
    } finally {
      release();
    }
    for (const h of held) await expect(h.result).resolves.toEqual({ answered: expect.any(String) });
    await click?.result;
    await expect(inbox.receive(event()).then((r) => r.result)).resolves.toEqual({ answered: expect.any(String) });
  });

  it('dead-letters an event that keeps failing: answered once in its chat, audited, counted', async () => {
    let calls = 0;
    const { inbox, said } = make(async () => {
      calls++;
      throw new Error('always fails for 13912345678');
    });
    const received = await inbox.receive(event({ conversationId: 'console-alice', text: '查端口 OLT-HZ-01 0/1/3' }));
    const result = await received.result;
    expect(isDeadLetter(result)).toBe(true);
    expect(calls).toBe(FAST.maxAttempts);
    expect(said).toEqual([{ channel: 'console', conversationId: 'console-alice', text: expect.stringContaining('处理失败，已记录') }]);
    expect(await statusOf(received.id)).toMatchObject({ status: 'dead', attempts: FAST.maxAttempts });
    const audit = (await auditOf('inbox.dead_letter')).filter((a) => a.details.inboxId === received.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ answered: true, attempts: FAST.maxAttempts });
    // The error is kept for an operator, masked.
    expect(JSON.stringify(audit[0]!.details)).not.toContain('13912345678');
    expect(inbox.stats().dead.console).toBe(1);
    // A redelivery of the dead event is a duplicate: nothing runs, nothing is said again.
    const again = await inbox.receive(event({ eventId: (await db.query<{ event_id: string }>('SELECT event_id FROM inbox WHERE id = $1', [received.id])).rows[0]!.event_id }));
    expect(again.duplicate).toBe(true);
    await inbox.idle();
    expect(calls).toBe(FAST.maxAttempts);
    expect(said).toHaveLength(1);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('many failing and succeeding events at once, more than the pool has connections', async () => {
    // kind: ok (first try), flaky (fails twice), dead (always fails); 60 events over 20 conversations.
    const plan = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 'dead' : i % 3 === 1 ? 'flaky' : 'ok'));
    const tries = new Map<string, number>();
    const succeeded = new Map<string, number>();
    const { inbox, said } = make(async (row) => {
      const n = (tries.get(row.event_id) ?? 0) + 1;
      tries.set(row.event_id, n);
      const mode = row.payload.mode as string;
      if (mode === 'dead' || (mode === 'flaky' && n <= 2)) throw new Error(`${mode} ${n}`);
      succeeded.set(row.event_id, (succeeded.get(row.event_id) ?? 0) + 1);
      return 'ok';
    });
    const base = ++seq;
    const received = await Promise.all(
      plan.map((mode, i) =>
        inbox.receive({ channel: 'teams', eventId: `bulk-${base}-${i}`, kind: 'message', conversationId: `conv-${base}-${i % 20}`, payload: { mode, conversationId: `conv-${base}-${i % 20}` } }),
      ),
    );
    const results = await Promise.all(received.map((r) => r.result));
    await inbox.idle();
    const dead = plan.filter((m) => m === 'dead').length;
    expect(results.filter(isDeadLetter)).toHaveLength(dead);
    expect(results.filter((r) => r === 'ok')).toHaveLength(plan.length - dead);
    // Every event that could succeed succeeded exactly once; every dead one was answered exactly once.
    expect([...succeeded.values()].every((n) => n === 1)).toBe(true);
    expect(succeeded.size).toBe(plan.length - dead);
    expect(said).toHaveLength(dead);
    const rows = (await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM inbox WHERE event_id LIKE $1 GROUP BY status`, [`bulk-${base}-%`])).rows;
    expect(Object.fromEntries(rows.map((r) => [r.status, r.n]))).toEqual({ done: plan.length - dead, dead });
  });

  it('answers an unreadable event in its chat once, audits and counts it', async () => {
    const { inbox, said } = make(async () => {
      throw new Error('the agent must not see unreadable events');
    });
    const e = { channel: 'feishu', eventId: `u-${++seq}`, conversationId: 'chat:oc_x/reply:om_1', queueConversationId: 'chat:oc_x', reason: 'unsupported_type' as const, lang: 'zh' as const, actor: 'ou_x', details: { messageType: 'image' } };
    const first = await inbox.receiveUnreadable(e);
    await first.result;
    const dup = await inbox.receiveUnreadable(e);
    expect(dup.duplicate).toBe(true);
    await inbox.idle();
    expect(said).toEqual([{ channel: 'feishu', conversationId: 'chat:oc_x/reply:om_1', text: expect.stringContaining('暂时只能处理文字消息') }]);
    expect(inbox.stats().unreadable).toEqual({ feishu: { unsupported_type: 1 } });
    const audit = (await auditOf('message.unreadable')).filter((a) => a.details.eventId === e.eventId);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ reason: 'unsupported_type', messageType: 'image', answered: true });
  });

  it('picks up a due retry a dead process left behind, without a restart', async () => {
    // What a process that died during a backoff leaves: a pending row with a due time.
    const { row } = await insertInbox(db, event());
    await db.query(`UPDATE inbox SET status = 'processing', attempts = 1 WHERE id = $1`, [row.id]);
    await deferInbox(db, row.id, 'died', 0);
    const handled: string[] = [];
    const { inbox } = make(async (r) => handled.push(r.id), { retry: { ...FAST, sweepMs: 20 } });
    for (let i = 0; i < 200 && handled.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(handled).toEqual([row.id]);
    await inbox.idle();
    expect(await statusOf(row.id)).toMatchObject({ status: 'done', attempts: 2 });
  });
});
