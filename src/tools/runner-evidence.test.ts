import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BrowserPool, gotoPage } from './browser-pool.js';
import { defineTool } from './define.js';
import { ToolRegistry } from './registry.js';
import { ToolRunner } from './runner.js';
import { systemCaller } from './scope.js';
import { fixtureLogin, startTestPortal, type TestPortal } from '../../tests/helpers/fixture-portal.js';

const SYS = systemCaller('test');

let portal: TestPortal;
let pool: BrowserPool;
let runner: ToolRunner;
let dataDir: string;

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
  runner = new ToolRunner({ registry, pool, baseUrl: (s) => `${portal.url}/${s}`, dataDir, traces: 'off', screenshotAfterResult: true });
});

afterAll(async () => {
  await pool?.close();
  await portal?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('ToolRunner with screenshotAfterResult', () => {
  it('answers before the screenshot is written, and lends the page again only once it is', async () => {
    const first = await runner.run('crm.readPort', { portId: 'P1' }, { caller: SYS });
    expect(first.output).toEqual({ portId: 'P1' });
    const day = new Date().toISOString().slice(0, 10);
    expect(first.record.evidence.files).toEqual([`evidence/${day}/${first.record.callId}.png`]);
    const file = path.join(dataDir, first.record.evidence.files[0]!);
    // One page only: the next task on it starts after the first call's screenshot is on disk.
    const seenByNext = await pool.withPage('crm', async () => existsSync(file));
    expect(seenByNext).toBe(true);
    const png = await readFile(file);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(1000);
  });

  it('settled() waits for every screenshot still being written', async () => {
    const calls = await Promise.all(['A', 'B', 'C'].map((id) => runner.run('crm.readPort', { portId: id }, { caller: SYS })));
    await runner.settled();
    for (const c of calls) {
      expect(c.output).toMatchObject({ portId: expect.stringMatching(/^[ABC]$/) });
      const png = await readFile(path.join(dataDir, c.record.evidence.files[0]!));
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
    expect(existsSync(path.join(dataDir, png!))).toBe(true); // written before the call failed
    await runner.settled();
  });
});
