import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { loadConfig } from '../config.js';
import { DataKeyError, DataKeyring, installDataKeys, loadOrCreateDemoKey, parseDataKeys, resolveDataKeys } from './data-keys.js';
import { EncryptingSerde } from './checkpoint-serde.js';
import { checkDataKeys, purgeRawData } from './data-at-rest.js';
import { openDb, type Db } from './db.js';
import { migrate } from './migrate.js';
import { insertInbox, markInboxDone } from './inbox-repo.js';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const ring = (spec: string) => new DataKeyring(parseDataKeys(spec));

describe('data keys', () => {
  it('seals with the first key, names its id, and opens only in the same column', () => {
    const k = ring(`k2:${key(2)},k1:${key(1)}`);
    const sealed = k.seal('13857101234', 'inbox.payload');
    expect(sealed).toMatch(/^sb1:k2:/);
    expect(sealed).not.toContain('13857101234');
    expect(k.open(sealed, 'inbox.payload').toString()).toBe('13857101234');
    expect(() => k.open(sealed, 'approvals.input')).toThrow(DataKeyError);
  });

  it('rotates: an old key still opens what it sealed, new data goes under the new key', () => {
    const old = ring(`k1:${key(1)}`).seal('x', 'a');
    const rotated = ring(`k2:${key(2)},k1:${key(1)}`);
    expect(rotated.open(old, 'a').toString()).toBe('x');
    expect(rotated.seal('y', 'a')).toMatch(/^sb1:k2:/);
  });

  it('refuses, with a clear error, a value from a key it does not hold or from a different key under the same id', () => {
    const sealed = ring(`k1:${key(1)}`).seal('x', 'a');
    expect(() => ring(`k9:${key(9)}`).open(sealed, 'a')).toThrow(/data key "k1", which DATA_KEYS does not hold/);
    expect(() => ring(`k1:${key(8)}`).open(sealed, 'a')).toThrow(/data key "k1" does not open this value/);
    expect(() => parseDataKeys('k1:short')).toThrow(/32 bytes/);
  });

  it('requires DATA_KEYS with DATABASE_URL and names the variable', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x@h/db' })).toThrow(/DATA_KEYS: required with DATABASE_URL/);
    expect(() => resolveDataKeys({ databaseUrl: 'postgres://x@h/db', dataDir: '/nonexistent' })).toThrow(/DATA_KEYS/);
    expect(loadConfig({ DATABASE_URL: 'postgres://x@h/db', AUDIT_KEY: 'a'.repeat(64), DATA_KEYS: `k1:${key(1)}` }).DATA_KEYS).toBeDefined();
    expect(() => loadConfig({ DATA_KEYS: 'not a key' })).toThrow(/DATA_KEYS/);
  });

  it('generates the demo key once, mode 0600, and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sb-dk-'));
    try {
      const a = loadOrCreateDemoKey(dir);
      expect(a.created).toBe(true);
      expect(statSync(a.file).mode & 0o777).toBe(0o600);
      const b = loadOrCreateDemoKey(dir);
      expect(b.created).toBe(false);
      expect(b.keys[0]!.key.equals(a.keys[0]!.key)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('encrypting checkpoint serde', () => {
  it('round-trips values and metadata the way PostgresSaver stores them, with nothing in clear', async () => {
    const serde = new EncryptingSerde(undefined, () => ring(`k1:${key(1)}`));
    const value = { messages: ['客户 13857101234'], n: 3 };
    const [type, bytes] = await serde.dumpsTyped(value);
    expect(Buffer.from(bytes).toString()).not.toContain('13857101234');
    expect(await serde.loadsTyped(type, bytes)).toEqual(value);
    // Metadata: PostgresSaver JSON-parses the dump into jsonb, then on reading dumps and loads it again.
    const stored = JSON.parse(Buffer.from((await serde.dumpsTyped({ source: 'loop', note: '13857101234' }))[1]).toString()) as unknown;
    const [t2, again] = await serde.dumpsTyped(stored);
    expect(await serde.loadsTyped(t2, again)).toEqual({ source: 'loop', note: '13857101234' });
    await expect(new EncryptingSerde(undefined, () => ring(`k1:${key(5)}`)).loadsTyped(type, bytes)).rejects.toThrow(DataKeyError);
  });
});

describe('data at rest in the database', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ dataDir: '.', inMemory: true });
    await migrate(db, () => new PostgresSaver(db.pool, new EncryptingSerde()).setup());
  });
  afterAll(async () => db?.close());

  it('refuses to start with the wrong key under a known id', async () => {
    await checkDataKeys(db, ring(`k1:${key(1)}`));
    await checkDataKeys(db, ring(`k2:${key(2)},k1:${key(1)}`)); // rotation: fine
    await expect(checkDataKeys(db, ring(`k1:${key(7)}`))).rejects.toThrow(/key "k1" is not the key that sealed/);
    expect((await checkDataKeys(db, ring(`k2:${key(2)}`))).unknownKids).toEqual(['k1']);
  });

  it('purges the raw payload of handled events after the retention, and only those', async () => {
    installDataKeys(ring(`k1:${key(1)}`));
    const old = await insertInbox(db, { channel: 'console', eventId: 'old', kind: 'message', conversationId: 'c', payload: { text: '13857101234' } });
    const recent = await insertInbox(db, { channel: 'console', eventId: 'new', kind: 'message', conversationId: 'c', payload: { text: '13857101234' } });
    const pending = await insertInbox(db, { channel: 'console', eventId: 'pending', kind: 'message', conversationId: 'c', payload: { text: 'x' } });
    await markInboxDone(db, old.row.id);
    await markInboxDone(db, recent.row.id);
    await db.query(`UPDATE inbox SET received_at = now() - interval '40 days' WHERE id = ANY($1::bigint[])`, [[old.row.id, pending.row.id]]);
    expect((await purgeRawData(db, 30)).inbox).toBe(1);
    const rows = (await db.query<{ event_id: string; payload: Record<string, unknown> }>('SELECT event_id, payload FROM inbox ORDER BY id')).rows;
    expect(rows.map((r) => [r.event_id, 'purged' in r.payload])).toEqual([['old', true], ['new', false], ['pending', false]]);
  });
});

describe('keyed digests (approvals.target_key, request_hash)', () => {
  it('equal values give equal digests under one key, others differ, and another key gives another digest', () => {
    const a = new DataKeyring([{ id: 'k1', key: Buffer.alloc(32, 1) }]);
    const b = new DataKeyring([{ id: 'k2', key: Buffer.alloc(32, 2) }]);
    const target = 'sms.sendNotice|13857101234|SMS_FAULT_NOTICE';
    expect(a.digest(target, 'approvals.target_key')).toBe(a.digest(target, 'approvals.target_key'));
    expect(a.digest(target, 'approvals.target_key')).not.toBe(a.digest('sms.sendNotice|13857101235|SMS_FAULT_NOTICE', 'approvals.target_key'));
    expect(a.digest(target, 'approvals.target_key')).not.toBe(a.digest(target, 'approvals.request_hash'));
    expect(a.digest(target, 'approvals.target_key')).not.toBe(b.digest(target, 'approvals.target_key'));
    expect(a.digest(target, 'approvals.target_key')).not.toContain('13857101234');
  });
});
