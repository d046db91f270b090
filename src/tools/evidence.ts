/**
 * Evidence of one tool call: what the robot did (timestamped steps) and what it saw (a screenshot
 * of the final page). Step data goes through the caller's redact function first, because evidence
 * is kept for weeks and shown to auditors: personal data must never land in it.
 */
import { mkdir, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Evidence, EvidenceStep } from './define.js';
import { maskText } from '../policies/masking.js';
import { withMaskedPage } from './evidence-masking.js';

export type Redact = (value: unknown) => unknown;

/** Steps beyond this are counted, not stored: a looping tool must not grow the audit row unbounded. */
const MAX_STEPS = 200;

export interface EvidenceRecorderOptions {
  dataDir: string;
  callId: string;
  redact?: Redact;
  now?: () => Date;
}

export class EvidenceRecorder {
  private readonly steps: EvidenceStep[] = [];
  private readonly files: string[] = [];
  /** Files reserved and still being written (a screenshot taken after the call answered). */
  private readonly writing = new Set<Promise<void>>();
  private dropped = 0;
  private readonly redact: Redact;
  private readonly now: () => Date;

  constructor(private readonly opts: EvidenceRecorderOptions) {
    this.redact = opts.redact ?? ((v) => v);
    this.now = opts.now ?? (() => new Date());
  }

  step(step: string, data?: Record<string, unknown>): void {
    if (this.steps.length >= MAX_STEPS) {
      this.dropped++;
      return;
    }
    const text = this.redact(step);
    const entry: EvidenceStep = { at: this.now().toISOString(), step: typeof text === 'string' ? text : '[redacted]' };
    if (data !== undefined) {
      const safe = this.redact(data);
      entry.data = isRecord(safe) ? safe : { value: safe };
    }
    this.steps.push(entry);
  }

  /**
   * PNG of the page's viewport under <dataDir>/evidence/<yyyy-mm-dd UTC>/<callId>[-n].png.
   * Returns the path relative to dataDir (POSIX separators), or null when the page could not be
   * captured: evidence must never turn a successful call into a failure.
   */
  async screenshot(page: Page): Promise<string | null> {
    const day = this.now().toISOString().slice(0, 10);
    const n = this.files.filter((f) => f.endsWith('.png')).length;
    const name = `${this.opts.callId}${n === 0 ? '' : `-${n + 1}`}.png`;
    const rel = ['evidence', day, name].join('/');
    try {
      if (page.isClosed()) return null;
      await mkdir(path.join(this.opts.dataDir, 'evidence', day), { recursive: true });
      // Personal numbers on the page are masked for the capture (evidence-masking.ts).
      await withMaskedPage(page, () => page.screenshot({ path: path.join(this.opts.dataDir, rel), type: 'png', timeout: 5_000 }));
    } catch {
      return null;
    }
    this.files.push(rel);
    return rel;
  }

  /**
   * The page's HTML (what the robot saw, for a failed task) as <callId>[-n].html next to the
   * screenshots. Same rules: a path relative to dataDir, or null when it could not be captured.
   */
  async html(page: Page): Promise<string | null> {
    return this.file('html', async (abs) => {
      if (page.isClosed()) throw new Error('page closed');
      const content = await Promise.race([
        withMaskedPage(page, () => page.content()),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('page.content() timed out')), 5_000)),
      ]);
      // Masked in the DOM for the snapshot, and the serialized HTML once more (what the DOM walk cannot see).
      await writeFile(abs, maskText(content), 'utf8');
    });
  }

  /**
   * Any evidence file (e.g. a Playwright trace): `write` gets the absolute path to write to.
   * Returns the path relative to dataDir, or null when writing failed (never throws).
   */
  async file(suffix: string, write: (absPath: string) => Promise<void>): Promise<string | null> {
    const day = this.now().toISOString().slice(0, 10);
    const n = this.files.filter((f) => f.endsWith(`.${suffix}`)).length;
    const name = `${this.opts.callId}${n === 0 ? '' : `-${n + 1}`}.${suffix}`;
    const rel = ['evidence', day, name].join('/');
    try {
      await mkdir(path.join(this.opts.dataDir, 'evidence', day), { recursive: true });
      await write(path.join(this.opts.dataDir, rel));
    } catch {
      await rm(path.join(this.opts.dataDir, rel), { force: true }).catch(() => undefined);
      return null;
    }
    this.files.push(rel);
    return rel;
  }

  /**
   * Name the next file now and write it later: the path is in the record from this moment, so a
   * call can be answered (and recorded) before its screenshot is on disk. `write` never throws;
   * a failed write leaves a step saying so.
   */
  reserve(suffix: string, label: string): { rel: string; write(fill: (absPath: string) => Promise<void>): Promise<void> } {
    const day = this.now().toISOString().slice(0, 10);
    const n = this.files.filter((f) => f.endsWith(`.${suffix}`)).length;
    const name = `${this.opts.callId}${n === 0 ? '' : `-${n + 1}`}.${suffix}`;
    const rel = ['evidence', day, name].join('/');
    this.files.push(rel);
    this.step(label, { file: rel });
    const abs = path.join(this.opts.dataDir, rel);
    return {
      rel,
      write: (fill) => {
        const done = (async () => {
          try {
            await mkdir(path.dirname(abs), { recursive: true });
            await fill(abs);
          } catch (e) {
            await rm(abs, { force: true }).catch(() => undefined);
            this.step(`${label} not written`, { file: rel, error: e instanceof Error ? e.message : String(e) });
          }
        })();
        this.writing.add(done);
        void done.finally(() => this.writing.delete(done));
        return done;
      },
    };
  }

  /**
   * Remove every file of this call from the record and from disk (waiting for any still being
   * written): for a call whose pages showed data the caller may not see.
   */
  async discardFiles(reason: string): Promise<void> {
    await Promise.allSettled([...this.writing]);
    const files = this.files.splice(0);
    await Promise.all(files.map((rel) => rm(path.join(this.opts.dataDir, rel), { force: true }).catch(() => undefined)));
    if (files.length > 0) this.step(reason, { removed: files.length });
  }

  snapshot(): Evidence {
    const steps = [...this.steps];
    if (this.dropped > 0) {
      steps.push({ at: this.now().toISOString(), step: `(${this.dropped} more steps not kept)` });
    }
    return { steps, files: [...this.files] };
  }
}

export interface PruneOptions {
  /** Keep at most this many files (newest by modification time). */
  maxFiles?: number;
  /** Delete files older than this. */
  maxAgeDays?: number;
  now?: Date;
}

/** Retention for <dataDir>/evidence: removes old or surplus files and the day folders they empty. */
export async function pruneEvidence(dataDir: string, opts: PruneOptions): Promise<{ removed: number; kept: number }> {
  const root = path.join(dataDir, 'evidence');
  let days: string[];
  try {
    days = await readdir(root);
  } catch {
    return { removed: 0, kept: 0 };
  }
  const files: { file: string; mtimeMs: number }[] = [];
  for (const day of days) {
    const dir = path.join(root, day);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue; // not a folder
    }
    for (const name of names) {
      const file = path.join(dir, name);
      const s = await stat(file).catch(() => null);
      if (s?.isFile()) files.push({ file, mtimeMs: s.mtimeMs });
    }
  }
  files.sort((a, b) => b.mtimeMs - a.mtimeMs);
  const now = (opts.now ?? new Date()).getTime();
  const cutoff = opts.maxAgeDays === undefined ? -Infinity : now - opts.maxAgeDays * 86_400_000;
  const doomed = files.filter((f, i) => f.mtimeMs < cutoff || (opts.maxFiles !== undefined && i >= opts.maxFiles));
  for (const f of doomed) await rm(f.file, { force: true });
  for (const day of days) {
    await rmdir(path.join(root, day)).catch(() => undefined); // only succeeds when empty
  }
  return { removed: doomed.length, kept: files.length - doomed.length };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
