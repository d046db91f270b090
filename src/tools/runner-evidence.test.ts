import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BrowserPool, gotoPage } from './browser-pool.js';
import { defineTool } from './define.js';
import { ToolRegistry } from './registry.js';
import { ToolRunner } from './runner.js';
import { systemCaller } from './scope.js';
import { databaseEvidenceStore } from './evidence.js';
import { openDb, type Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { readEvidenceFile } from '../store/evidence-repo.js';
import { fixtureLogin, startTestPortal, type TestPortal } from '../../tests/helpers/fixture-portal.js';

const SYS = systemCaller('test');

let portal: TestPortal;
let pool: BrowserPool;
let runner: ToolRunner;
let dataDir: string;
let db: Db;
/** The stored bytes of a recorded file (evidence/<callId>/<name>), or undefined. */
const stored = (ref: string) => {
  const [, callId, name] = ref.split('/');
  return readEvidenceFile(db, callId!, name!);
};

const readPort = defineTool({
  name: 'crm.readPort',
  effect: 'read',
  system: 'crm',
  description: 'test',
  input: z.object({ portId: z.string() }),
  output: z.object({ portId: z.string() }),
  scope: { none: 'a test tool: carries no owned data' },
  run: (input, ctx) =>
    ctx.withPage('crm', async (page, base) => {
      await gotoPage(page, `${base}/ports/${input.portId}`, 'crm');
      return { portId: (await page.textContent('#port')) ?? '' };
    }),
});

const broken = defineTool({
  name: 'crm.broken',
  effect: 'read',
  system: 'crm',
  description: 'test',
  input: z.object({}),
  output: z.object({}),
  scope: { none: 'a test tool: carries no owned data' },
  run: (_input, ctx) =>
    ctx.withPage('crm', async (page, base) => {
      await gotoPage(page, `${base}/home`, 'crm');
      throw new Error('portal script broke');
    }),
});

beforeAll(async () => {
  portal = await startTestPortal();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sb-evidence-'));
  db = await openDb({ dataDir: '', inMemory: true });
  await migrate(db);
  pool = new BrowserPool({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    pagesPerSystem: 1,
    taskTimeoutMs: 5000,
    baseUrl: (s) => `${portal.url}/${s}`,
    login: () => fixtureLogin,
  });
  const registry = new ToolRegistry();
  registry.register(readPort);
  registry.register(broken);
  runner = new ToolRunner({ registry, pool, baseUrl: (s) => `${portal.url}/${s}`, dataDir, evidenceStore: databaseEvidenceStore(db), traces: 'off', screenshotAfterResult: true });
});

afterAll(async () => {
  await pool?.close();
  await portal?.close();
  await db?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('ToolRunner with screenshotAfterResult', () => {
  it('answers before the screenshot is written, lends the page again only once it is captured, and stores it in the database', async () => {
    const first = await runner.run('crm.readPort', { portId: 'P1' }, { caller: SYS });
    expect(first.output).toEqual({ portId: 'P1' });
    expect(first.record.evidence.files).toEqual([`evidence/${first.record.callId}/${first.record.callId}.png`]);
    // One page only: the next task on it starts after the first call's screenshot was captured
    // (nothing of it remains in a temporary folder by then).
    const captures = async () => (await readdir(tmpdir())).filter((f) => f.startsWith(`switchboard-evidence-${first.record.callId}-`)).length;
    const seenByNext = await pool.withPage('crm', async () => captures());
    expect(seenByNext).toBe(0);
    await runner.settled();
    const png = (await stored(first.record.evidence.files[0]!))!;
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(1000);
    // Sealed at rest: the row's bytes are not the PNG.
    const raw = await db.query<{ content: Buffer }>('SELECT content FROM evidence_files WHERE call_id = $1', [first.record.callId]);
    expect(Buffer.from(raw.rows[0]!.content).subarray(0, 4).toString()).toBe('sb1:');
    expect(Buffer.from(raw.rows[0]!.content).includes(png.subarray(0, 64))).toBe(false);
  });

  it('settled() waits for every screenshot still being written', async () => {
    const calls = await Promise.all(['A', 'B', 'C'].map((id) => runner.run('crm.readPort', { portId: id }, { caller: SYS })));
    await runner.settled();
    for (const c of calls) {
      expect(c.output).toMatchObject({ portId: expect.stringMatching(/^[ABC]$/) });
      const png = (await stored(c.record.evidence.files[0]!))!;
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('a failed task still fails the call (no early answer), with its failure screenshot', async () => {
    const err = await runner.run('crm.broken', {}, { caller: SYS }).then(
      () => null,
      (e: unknown) => e as Error & { code?: string; record?: { evidence: { files: string[] } } },
    );
    expect(err?.code).toBe('unexpected_page');
    const png = err!.record!.evidence.files.find((f) => f.endsWith('.png'));
    expect(png).toBeDefined();
    expect(await stored(png!)).toBeDefined(); // stored before the call failed
    await runner.settled();
  });
});
