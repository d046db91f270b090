/**
 * store/db.ts bounds every wait: a pool acquire (PGlite's single connection too), a statement and
 * an idle transaction (PostgreSQL). Each fails as DatabaseBusyError and gives its connection back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseBusyError, isDatabaseBusy, openDb, type Db } from '../src/store/db.js';
import { createTestDatabase, dbKinds, type TestDatabase } from './helpers/test-app.js';

const kinds = await dbKinds();

describe.each(kinds)('database timeouts on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    tdb = await createTestDatabase(kind);
    db = await openDb({
      databaseUrl: tdb.env.DATABASE_URL,
      dataDir: tdb.env.DATA_DIR!,
      inMemory: kind === 'pglite',
      poolSize: 2,
      acquireTimeoutMs: 300,
      statementTimeoutMs: 300,
      idleInTxTimeoutMs: 300,
    });
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });
  const expectIdle = () => {
    const s = db.poolStats();
    expect(s.waiting).toBe(0);
    expect(s.idle).toBe(s.total);
  };

  it('fails a query that cannot get a connection with DatabaseBusyError instead of waiting forever', async () => {
    const size = kind === 'pglite' ? 1 : 2;
    const held = await Promise.all(Array.from({ length: size }, () => db.pool.connect()));
    try {
      await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseBusyError);
      await expect(db.tx(async (c) => c.query('SELECT 1'))).rejects.toSatisfy(isDatabaseBusy);
    } finally {
      for (const c of held) c.release();
    }
    await expect(db.query('SELECT 1 AS ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
    expectIdle();
  });

  it.skipIf(kind === 'pglite')('ends a statement past its timeout and a transaction left idle, and reuses the pool', async () => {
    await expect(db.query('SELECT pg_sleep(2)')).rejects.toBeInstanceOf(DatabaseBusyError);
    // Code that awaits something else inside a transaction: the server ends the session, tx() destroys it.
    await expect(
      db.tx(async (c) => {
        await c.query('SELECT 1');
        await new Promise((r) => setTimeout(r, 800));
        return c.query('SELECT 1');
      }),
    ).rejects.toThrow();
    await expect(db.query('SELECT 2 AS ok')).resolves.toMatchObject({ rows: [{ ok: 2 }] });
    expectIdle();
  });
});
