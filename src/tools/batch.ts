/**
 * One tool over many inputs ("the status of these 200 numbers"): at most `concurrency` calls in
 * flight — by default the pool's pages per system, so the browser pages are the bound and no call
 * queues inside the pool —, results in input order, one item's failure never fails the batch.
 */
import { isBusinessError, isSystemError } from './errors.js';
import { recordOf, type RunToolOptions } from './runner.js';

export type BatchItem<O = unknown> =
  | { ok: true; output: O }
  | { ok: false; error: { kind: 'business' | 'system'; code: string; message: string } };

export interface BatchProgress {
  done: number;
  total: number;
  ok: number;
  failed: number;
}

export interface BatchResult<O = unknown> {
  /** One per input, in input order. Items never started (aborted batch) fail with code 'aborted'. */
  items: BatchItem<O>[];
  ok: number;
  failed: number;
  /** Items not started because the signal aborted. */
  skipped: number;
  aborted: boolean;
  durationMs: number;
}

export interface RunBatchOptions<I> {
  runner: { run(name: string, input: unknown, opts?: RunToolOptions): Promise<{ output: unknown }> };
  tool: string;
  inputs: readonly I[];
  /** Calls in flight at most. Default: pool.pagesPerSystem, else 1. */
  concurrency?: number;
  /** Where the default concurrency comes from (the BrowserPool). */
  pool?: { readonly pagesPerSystem: number };
  /** At most every progressIntervalMs (default 1000) while running, and once at the end. */
  onProgress?(p: BatchProgress): void;
  progressIntervalMs?: number;
  /** Aborting stops starting new items; those in flight finish. */
  signal?: AbortSignal;
  /** Passed to every call (runId, redact...). */
  callOptions?: Omit<RunToolOptions, 'signal'>;
}

export async function runBatch<I, O = unknown>(opts: RunBatchOptions<I>): Promise<BatchResult<O>> {
  const started = Date.now();
  const total = opts.inputs.length;
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? opts.pool?.pagesPerSystem ?? 1));
  const interval = opts.progressIntervalMs ?? 1000;
  const items: (BatchItem<O> | undefined)[] = new Array<BatchItem<O> | undefined>(total).fill(undefined);
  const count = { done: 0, ok: 0, failed: 0 };
  let lastProgress = started;
  const progress = (final: boolean) => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!final && now - lastProgress < interval) return;
    lastProgress = now;
    try {
      opts.onProgress({ done: count.done, total, ok: count.ok, failed: count.failed });
    } catch {
      // a progress reporter's failure is not the batch's
    }
  };

  let next = 0;
  const worker = async () => {
    for (;;) {
      if (opts.signal?.aborted || next >= total) return;
      const i = next++;
      let item: BatchItem<O>;
      try {
        const { output } = await opts.runner.run(opts.tool, opts.inputs[i], opts.callOptions);
        item = { ok: true, output: output as O };
      } catch (e) {
        item = { ok: false, error: describe(e) };
      }
      items[i] = item;
      count.done++;
      if (item.ok) count.ok++;
      else count.failed++;
      progress(false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));

  let skipped = 0;
  for (let i = 0; i < total; i++) {
    if (items[i] === undefined) {
      skipped++;
      items[i] = { ok: false, error: { kind: 'system', code: 'aborted', message: '未执行：批量任务已取消 / Not run: the batch was cancelled' } };
    }
  }
  progress(true);
  return {
    items: items as BatchItem<O>[],
    ok: count.ok,
    failed: count.failed,
    skipped,
    aborted: opts.signal?.aborted === true,
    durationMs: Date.now() - started,
  };
}

function describe(e: unknown): { kind: 'business' | 'system'; code: string; message: string } {
  // The runner's record holds the message masked; prefer it.
  const recorded = recordOf(e)?.error;
  if (isBusinessError(e)) return { kind: 'business', code: e.code, message: recorded?.message ?? e.message };
  if (isSystemError(e)) return { kind: 'system', code: e.code, message: recorded?.message ?? e.message };
  return { kind: 'system', code: 'internal', message: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
}
