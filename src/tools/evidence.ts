/**
 * Evidence of one tool call: what the robot did (timestamped steps) and what it saw (a screenshot
 * of the final page). Step data goes through the caller's redact function first, because evidence
 * is kept for weeks and shown to auditors: personal data must never land in it.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Evidence, EvidenceStep } from './define.js';
import { maskText } from '../policies/masking.js';
import { withMaskedPage } from './evidence-masking.js';
import type { Queryable } from '../store/db.js';
import { putEvidenceFile, removeEvidenceFiles, type EvidenceScope } from '../store/evidence-repo.js';

export type Redact = (value: unknown) => unknown;
export type { EvidenceScope };

/** Steps beyond this are counted, not stored: a looping tool must not grow the audit row unbounded. */
const MAX_STEPS = 200;

/**
 * Where the bytes of a call's files go. The app's is the database (every replica serves them,
 * GET /console/api/evidence/<callId>/<name>); the tool CLI's read-only calls keep a folder under
 * DATA_DIR (an operator opens the files it prints).
 */
export interface EvidenceStore {
  /** How the record (tool_calls, audit) names a file of this call. */
  ref(callId: string, name: string, day: string): string;
  put(callId: string, name: string, day: string, bytes: Buffer, scope: EvidenceScope): Promise<void>;
  remove(callId: string, files: readonly { name: string; day: string }[]): Promise<void>;
}

/** <dataDir>/evidence/<yyyy-mm-dd UTC>/<name>, recorded relative to dataDir. */
export function directoryEvidenceStore(dataDir: string): EvidenceStore {
  const rel = (name: string, day: string) => ['evidence', day, name].join('/');
  return {
    ref: (_callId, name, day) => rel(name, day),
    async put(_callId, name, day, bytes) {
      await mkdir(path.join(dataDir, 'evidence', day), { recursive: true });
      await writeFile(path.join(dataDir, rel(name, day)), bytes);
    },
    async remove(_callId, files) {
      await Promise.all(files.map((f) => rm(path.join(dataDir, rel(f.name, f.day)), { force: true }).catch(() => undefined)));
    },
  };
}

/** The evidence_files table (migration 026), sealed; recorded as evidence/<callId>/<name> (the console route's path). */
export function databaseEvidenceStore(db: Queryable): EvidenceStore {
  return {
    ref: (callId, name) => ['evidence', callId, name].join('/'),
    put: (callId, name, _day, bytes, scope) => putEvidenceFile(db, callId, name, bytes, scope),
    remove: (callId, files) => removeEvidenceFiles(db, callId, files.map((f) => f.name)),
  };
}

export interface EvidenceRecorderOptions {
  /** The folder store's root, when no store is given. */
  dataDir?: string;
  store?: EvidenceStore;
  callId: string;
  redact?: Redact;
  now?: () => Date;
}

interface FileEntry {
  name: string;
  day: string;
  ref: string;
  /** Captured and waiting for the call's scope (commit), or stored. */
  state: 'writing' | 'ready' | 'stored' | 'failed';
  bytes?: Buffer;
}

/**
 * Files are captured to a temporary folder (Playwright writes traces to a path), read, and handed
 * to the store only once the call's data owners are known (`commit`): a call refused on its
 * output never stores a byte of what its pages showed, and the stored row says who may see it.
 */
export class EvidenceRecorder {
  private readonly steps: EvidenceStep[] = [];
  private readonly files: FileEntry[] = [];
  /** Captures and stores still in progress (a screenshot taken after the call answered). */
  private readonly writing = new Set<Promise<void>>();
  private dropped = 0;
  private scope: EvidenceScope | undefined;
  private readonly redact: Redact;
  private readonly now: () => Date;
  private readonly store: EvidenceStore;

  constructor(private readonly opts: EvidenceRecorderOptions) {
    this.redact = opts.redact ?? ((v) => v);
    this.now = opts.now ?? (() => new Date());
    if (!opts.store && opts.dataDir === undefined) throw new Error('EvidenceRecorder needs a store or a dataDir');
    this.store = opts.store ?? directoryEvidenceStore(opts.dataDir!);
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
   * PNG of the page's viewport as <callId>[-n].png. Returns the file's reference in the record,
   * or null when the page could not be captured: evidence must never turn a successful call into
   * a failure.
   */
  async screenshot(page: Page): Promise<string | null> {
    return this.file('png', async (abs) => {
      if (page.isClosed()) throw new Error('page closed');
      // Personal numbers on the page are masked for the capture (evidence-masking.ts).
      await withMaskedPage(page, () => page.screenshot({ path: abs, type: 'png', timeout: 5_000 }));
    });
  }

  /**
   * The page's HTML (what the robot saw, for a failed task) as <callId>[-n].html next to the
   * screenshots. Same rules: a reference, or null when it could not be captured.
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
   * Any evidence file (e.g. a Playwright trace): `write` gets a temporary absolute path to write
   * to. Returns the file's reference, or null when writing failed (never throws).
   */
  async file(suffix: string, write: (absPath: string) => Promise<void>): Promise<string | null> {
    const entry = this.entry(suffix);
    try {
      await this.capture(entry, write);
    } catch {
      this.files.splice(this.files.indexOf(entry), 1);
      return null;
    }
    return entry.ref;
  }

  /**
   * Name the next file now and write it later: the reference is in the record from this moment,
   * so a call can be answered (and recorded) before its screenshot is captured. `write` never
   * throws; a failed write leaves a step saying so.
   */
  reserve(suffix: string, label: string): { rel: string; write(fill: (absPath: string) => Promise<void>): Promise<void> } {
    const entry = this.entry(suffix);
    this.step(label, { file: entry.ref });
    return {
      rel: entry.ref,
      write: (fill) => {
        const done = this.capture(entry, fill).catch((e: unknown) => {
          entry.state = 'failed';
          this.step(`${label} not written`, { file: entry.ref, error: e instanceof Error ? e.message : String(e) });
        });
        this.track(done);
        return done;
      },
    };
  }

  /**
   * The call's data owners are known (its record is being written): every file captured so far
   * goes to the store with them, and any still being captured follows when it is. Resolves when
   * all of them are stored (or could not be: evidence never fails a call).
   */
  async commit(scope: EvidenceScope): Promise<void> {
    this.scope = scope;
    for (const f of this.files) if (f.state === 'ready') this.track(this.deliver(f));
    await this.settled();
  }

  /** Every capture and store of this call has finished. */
  async settled(): Promise<void> {
    while (this.writing.size > 0) await Promise.allSettled([...this.writing]);
  }

  /**
   * Remove every file of this call from the record and from the store (waiting for any still
   * being written): for a call whose pages showed data the caller may not see.
   */
  async discardFiles(reason: string): Promise<void> {
    const files = this.files.splice(0);
    await this.settled();
    const stored = files.filter((f) => f.state === 'stored');
    for (const f of files) delete f.bytes;
    if (stored.length > 0) await this.store.remove(this.opts.callId, stored).catch(() => undefined);
    if (files.length > 0) this.step(reason, { removed: files.length });
  }

  snapshot(): Evidence {
    const steps = [...this.steps];
    if (this.dropped > 0) {
      steps.push({ at: this.now().toISOString(), step: `(${this.dropped} more steps not kept)` });
    }
    return { steps, files: this.files.map((f) => f.ref) };
  }

  private entry(suffix: string): FileEntry {
    const day = this.now().toISOString().slice(0, 10);
    const n = this.files.filter((f) => f.name.endsWith(`.${suffix}`)).length;
    const name = `${this.opts.callId}${n === 0 ? '' : `-${n + 1}`}.${suffix}`;
    const entry: FileEntry = { name, day, ref: this.store.ref(this.opts.callId, name, day), state: 'writing' };
    this.files.push(entry);
    return entry;
  }

  /**
   * Write into a temporary folder, read it back, then store it: now when the owners are known,
   * else at commit. A reserved screenshot's page is lent again once it is captured, not stored
   * (waiting for the owners there would hold the page a retry of the same call may need).
   */
  private async capture(entry: FileEntry, write: (absPath: string) => Promise<void>): Promise<void> {
    // Named after the call, so a check of one call's captures is not confused by another's.
    const dir = await mkdtemp(path.join(tmpdir(), `switchboard-evidence-${this.opts.callId}-`));
    try {
      const abs = path.join(dir, entry.name);
      await write(abs);
      entry.bytes = await readFile(abs);
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
    entry.state = 'ready';
    if (!this.files.includes(entry)) return void delete entry.bytes; // discarded meanwhile
    // Stored in the background: the page (or the failing task) does not wait for the database.
    if (this.scope) this.track(this.deliver(entry));
  }

  private async deliver(entry: FileEntry): Promise<void> {
    const bytes = entry.bytes;
    if (!bytes || entry.state !== 'ready' || !this.scope) return;
    entry.state = 'stored';
    delete entry.bytes;
    try {
      await this.store.put(this.opts.callId, entry.name, entry.day, bytes, this.scope);
    } catch (e) {
      entry.state = 'failed';
      console.warn(`[evidence] ${entry.ref} not stored: ${(e as Error).message}`);
    }
  }

  private track(p: Promise<void>): void {
    this.writing.add(p);
    void p.finally(() => this.writing.delete(p));
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
