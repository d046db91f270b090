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
