import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceRecorder, databaseEvidenceStore, pruneEvidence } from './evidence.js';
import { openDb, type Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { evidenceFileMeta, pruneEvidenceFiles, readEvidenceFile } from '../store/evidence-repo.js';

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

describe('evidence in the database (every replica serves it)', () => {
  let db: Db;
  beforeEach(async () => {
    db = await openDb({ dataDir: '', inMemory: true });
    await migrate(db);
  });
  afterEach(async () => {
    await db.close();
  });
  const recorder = (callId: string) => new EvidenceRecorder({ store: databaseEvidenceStore(db), callId });
  const callId = () => crypto.randomUUID();

  it("stores a call's files only once its owners are known, sealed, and opens them again", async () => {
    const id = callId();
    const ev = recorder(id);
    const ref = await ev.file('html', (abs) => writeFile(abs, '<p>李雷 138****1234</p>'));
    expect(ref).toBe(`evidence/${id}/${id}.html`);
    // Captured, but the call's owners are not known yet: nothing stored.
    expect(await evidenceFileMeta(db, id, `${id}.html`)).toBeUndefined();
    await ev.commit({ owners: [{ kind: 'region', id: 'ningbo' }], complete: true });
    expect((await readEvidenceFile(db, id, `${id}.html`))?.toString('utf8')).toBe('<p>李雷 138****1234</p>');
    expect(await evidenceFileMeta(db, id, `${id}.html`)).toMatchObject({ size: Buffer.byteLength('<p>李雷 138****1234</p>'), owners: [{ kind: 'region', id: 'ningbo' }], complete: true });
    const raw = await db.query<{ content: Buffer }>('SELECT content FROM evidence_files WHERE call_id = $1', [id]);
    expect(Buffer.from(raw.rows[0]!.content).includes(Buffer.from('李雷'))).toBe(false);
    // A file written after the commit (a screenshot after the answer) is stored as it comes.
    const later = ev.reserve('png', 'screenshot');
    await later.write((abs) => writeFile(abs, Buffer.concat([Buffer.from([0x89]), Buffer.from('PNG fake')])));
    await ev.settled();
    expect((await readEvidenceFile(db, id, `${id}.png`))?.subarray(1, 4).toString()).toBe('PNG');
  });

  it('a sealed file copied to another call does not open there', async () => {
    const [a, b] = [callId(), callId()];
    const ev = recorder(a);
    await ev.file('html', (abs) => writeFile(abs, 'x'));
    await ev.commit({ owners: [], complete: true });
    await db.query(`INSERT INTO evidence_files (call_id, name, content, size) SELECT $2, $3, content, size FROM evidence_files WHERE call_id = $1`, [a, b, `${b}.html`]);
    await expect(readEvidenceFile(db, b, `${b}.html`)).rejects.toThrow(/does not open/);
  });

  it("a discarded call's files never reach the table, stored ones are removed", async () => {
    const id = callId();
    const ev = recorder(id);
    await ev.file('html', (abs) => writeFile(abs, 'out of scope'));
    await ev.discardFiles('no screenshot');
    await ev.commit({ owners: [], complete: true });
    expect(ev.snapshot().files).toEqual([]);
    expect((await db.query('SELECT 1 FROM evidence_files WHERE call_id = $1', [id])).rows).toEqual([]);
    const again = recorder(callId());
    await again.commit({ owners: [], complete: true });
    const shot = again.reserve('png', 'screenshot');
    await shot.write((abs) => writeFile(abs, 'png'));
    await again.discardFiles('no screenshot');
    expect((await db.query('SELECT count(*)::int AS n FROM evidence_files')).rows[0]).toEqual({ n: 0 });
  });

  it('prunes by SQL: older than maxAgeDays, and beyond the newest maxFiles', async () => {
    for (const [i, ageDays] of [40, 3, 2, 1].entries()) {
      const id = callId();
      const ev = recorder(id);
      await ev.file('png', (abs) => writeFile(abs, `f${i}`));
      await ev.commit({ owners: [], complete: true });
      await db.query(`UPDATE evidence_files SET created_at = now() - make_interval(days => $2) WHERE call_id = $1`, [id, ageDays]);
    }
    expect(await pruneEvidenceFiles(db, { maxAgeDays: 30 })).toEqual({ removed: 1, kept: 3 });
    expect(await pruneEvidenceFiles(db, { maxFiles: 2, maxAgeDays: 30 })).toEqual({ removed: 1, kept: 2 });
    const left = await db.query<{ d: number }>(`SELECT round(extract(epoch FROM now() - created_at) / 86400)::int AS d FROM evidence_files ORDER BY created_at`);
    expect(left.rows.map((r) => r.d)).toEqual([2, 1]);
    expect(await pruneEvidenceFiles(db, { maxFiles: 2 })).toEqual({ removed: 0, kept: 2 });
  });
});
