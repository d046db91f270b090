import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceRecorder, pruneEvidence } from './evidence.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sb-evidence-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('EvidenceRecorder', () => {
  it('timestamps steps and passes text and data through redact', () => {
    const ev = new EvidenceRecorder({
      dataDir,
      callId: 'c1',
      redact: (v) => JSON.parse(JSON.stringify(v).replace(/\d{17}[\dX]/g, '[ID]')),
      now: () => new Date('2026-03-01T08:00:00Z'),
    });
    ev.step('look up 11010519491231002X', { id: '11010519491231002X', n: 1 });
    expect(ev.snapshot()).toEqual({
      steps: [{ at: '2026-03-01T08:00:00.000Z', step: 'look up [ID]', data: { id: '[ID]', n: 1 } }],
      files: [],
    });
  });

  it('keeps a bounded number of steps and says how many it dropped', () => {
    const ev = new EvidenceRecorder({ dataDir, callId: 'c2' });
    for (let i = 0; i < 250; i++) ev.step(`s${i}`);
    const steps = ev.snapshot().steps;
    expect(steps).toHaveLength(201);
    expect(steps.at(-1)?.step).toContain('50');
  });
});

describe('pruneEvidence', () => {
  async function file(day: string, name: string, ageDays: number): Promise<void> {
    const dir = path.join(dataDir, 'evidence', day);
    await mkdir(dir, { recursive: true });
    const f = path.join(dir, name);
    await writeFile(f, 'x');
    const t = new Date(Date.now() - ageDays * 86_400_000);
    await utimes(f, t, t);
  }

  it('deletes files older than maxAgeDays and the day folders left empty', async () => {
    await file('2026-01-01', 'old.png', 40);
    await file('2026-02-09', 'new.png', 1);
    expect(await pruneEvidence(dataDir, { maxAgeDays: 30 })).toEqual({ removed: 1, kept: 1 });
    expect(await readdir(path.join(dataDir, 'evidence'))).toEqual(['2026-02-09']);
  });

  it('keeps only the newest maxFiles', async () => {
    await file('d1', 'a.png', 3);
    await file('d1', 'b.png', 2);
    await file('d2', 'c.png', 1);
    expect(await pruneEvidence(dataDir, { maxFiles: 2 })).toEqual({ removed: 1, kept: 2 });
    expect(await readdir(path.join(dataDir, 'evidence', 'd1'))).toEqual(['b.png']);
  });

  it('is a no-op when there is no evidence folder', async () => {
    expect(await pruneEvidence(dataDir, { maxFiles: 1 })).toEqual({ removed: 0, kept: 0 });
  });
});
