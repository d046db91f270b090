import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, openDb } from './db.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('embedded PGlite data dir', () => {
  it('refuses a second opener while the first is alive, and reopens after close', { timeout: 180_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-lock-'));
    dirs.push(dataDir);
    const first = await openDb({ dataDir });
    await expect(openDb({ dataDir })).rejects.toBeInstanceOf(DataDirLockedError);
    await first.query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)');
    await first.close();
    const again = await openDb({ dataDir });
    expect((await again.query<{ v: number }>('SELECT v FROM kept')).rows).toEqual([{ v: 7 }]);
    await again.close();
  });

  it('names the other process that holds the data dir, and takes over a dead holder', { timeout: 120_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-lock-'));
    dirs.push(dataDir);
    fs.mkdirSync(path.join(dataDir, 'pglite'), { recursive: true });
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dataDir, 'pglite', '.switchboard.lock'), String(holder.pid));
      await expect(openDb({ dataDir })).rejects.toThrow(new RegExp(`already open in process ${holder.pid}.*DATABASE_URL`, 's'));
    } finally {
      holder.kill();
      await new Promise((r) => holder.once('exit', r));
    }
    const db = await openDb({ dataDir });
    expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
    await db.close();
  });
});

describe("embedded PGlite's one connection: the ack lane", () => {
  it('serves an urgent query before the queries and transactions queued ahead of it, and bounds every wait', { timeout: 120_000 }, async () => {
    const db = await openDb({ dataDir: '', inMemory: true, acquireTimeoutMs: 5_000 });
    try {
      await db.query('CREATE TABLE t (v int)');
      const done: string[] = [];
      // A busy morning: 40 turns' worth of statements and transactions waiting for the connection.
      const normal = Array.from({ length: 40 }, (_, i) =>
        (i % 4 === 0
          ? db.tx(async (c) => {
              await c.query('INSERT INTO t VALUES ($1)', [i]);
              await c.query('SELECT pg_sleep(0.005)');
            })
          : db.query('SELECT pg_sleep(0.005)')
        ).then(() => void done.push(`n${i}`)),
      );
      const urgent = db.urgent.query('SELECT 1 AS ok').then((r) => {
        done.push('urgent');
        return r.rows[0];
      });
      expect(await urgent).toEqual({ ok: 1 });
      // It waited for the statement running when it came, not for the queue.
      expect(done.indexOf('urgent')).toBeLessThanOrEqual(1);
      await Promise.all(normal);
      expect(done).toHaveLength(41);
      expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]!.n).toBe(10);
      // A wait past the acquire timeout fails alone as "busy", and the connection stays usable.
      const short = await openDb({ dataDir: '', inMemory: true, acquireTimeoutMs: 100 });
      try {
        // A transaction that holds the connection for 400 ms (its code awaits something between statements).
        const held = short.tx(async (c) => {
          await c.query('SELECT 1');
          await new Promise((r) => setTimeout(r, 400));
        });
        await expect(short.query('SELECT 1')).rejects.toMatchObject({ name: 'DatabaseBusyError' });
        await held;
        expect((await short.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await short.close();
      }
    } finally {
      await db.close();
    }
  });
});
