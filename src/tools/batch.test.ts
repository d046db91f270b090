import { describe, expect, it } from 'vitest';
import { runBatch, type BatchProgress } from './batch.js';
import { BusinessError, SystemError } from './errors.js';

/** A fake runner: each input is { n, ms?, fail? }; tracks how many calls are in flight. */
function fakeRunner() {
  const state = { inFlight: 0, maxInFlight: 0, calls: [] as number[] };
  const runner = {
    async run(_name: string, input: unknown) {
      const { n, ms = 5, fail } = input as { n: number; ms?: number; fail?: 'business' | 'system' | 'bug' };
      state.calls.push(n);
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      try {
        await new Promise((r) => setTimeout(r, ms));
        if (fail === 'business') throw new BusinessError('not_found', `号码不存在 / No such number (${n})`);
        if (fail === 'system') throw new SystemError('timeout', 'crm', 'crm: timed out');
        if (fail === 'bug') throw new TypeError('x is undefined');
        return { output: { n: n * 10 } };
      } finally {
        state.inFlight--;
      }
    },
  };
  return { runner, state };
}

describe('runBatch', () => {
  it('keeps input order even when later items finish first, and never exceeds the concurrency', async () => {
    const { runner, state } = fakeRunner();
    // Decreasing durations: item 0 finishes last.
    const inputs = Array.from({ length: 12 }, (_, n) => ({ n, ms: 40 - n * 3 }));
    const res = await runBatch({ runner, tool: 'crm.getNumberStatus', inputs, concurrency: 3 });
    expect(res.items.map((i) => (i.ok ? (i.output as { n: number }).n : null))).toEqual(inputs.map((i) => i.n * 10));
    expect(state.maxInFlight).toBe(3);
    expect(res).toMatchObject({ ok: 12, failed: 0, skipped: 0, aborted: false });
  });

  it("defaults the concurrency to the pool's pages per system", async () => {
    const { runner, state } = fakeRunner();
    const inputs = Array.from({ length: 10 }, (_, n) => ({ n, ms: 10 }));
    await runBatch({ runner, tool: 't.x', inputs, pool: { pagesPerSystem: 4 } });
    expect(state.maxInFlight).toBe(4);
    const one = fakeRunner();
    await runBatch({ runner: one.runner, tool: 't.x', inputs });
    expect(one.state.maxInFlight).toBe(1);
  });

  it('turns each failure into a typed item and carries on with the rest', async () => {
    const { runner } = fakeRunner();
    const inputs = [{ n: 1 }, { n: 2, fail: 'business' as const }, { n: 3, fail: 'system' as const }, { n: 4, fail: 'bug' as const }, { n: 5 }];
    const res = await runBatch({ runner, tool: 't.x', inputs, concurrency: 2 });
    expect(res.items).toEqual([
      { ok: true, output: { n: 10 } },
      { ok: false, error: { kind: 'business', code: 'not_found', message: '号码不存在 / No such number (2)' } },
      { ok: false, error: { kind: 'system', code: 'timeout', message: 'crm: timed out' } },
      { ok: false, error: { kind: 'system', code: 'internal', message: 'x is undefined' } },
      { ok: true, output: { n: 50 } },
    ]);
    expect(res).toMatchObject({ ok: 2, failed: 3 });
  });

  it('reports progress at most once per interval, and always at the end', async () => {
    const { runner } = fakeRunner();
    const seen: BatchProgress[] = [];
    const inputs = Array.from({ length: 30 }, (_, n) => ({ n, ms: 5, ...(n % 10 === 9 && { fail: 'business' as const }) }));
    const t0 = Date.now();
    await runBatch({ runner, tool: 't.x', inputs, concurrency: 2, progressIntervalMs: 40, onProgress: (p) => seen.push(p) });
    const elapsed = Date.now() - t0;
    expect(seen.at(-1)).toEqual({ done: 30, total: 30, ok: 27, failed: 3 });
    // 15 waves of ~5 ms: without the interval there would be 30 reports.
    expect(seen.length).toBeLessThanOrEqual(Math.floor(elapsed / 40) + 2);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
  });

  it('stops starting new items when the signal aborts; in-flight ones finish, the rest are marked not run', async () => {
    const { runner, state } = fakeRunner();
    const ac = new AbortController();
    const inputs = Array.from({ length: 20 }, (_, n) => ({ n, ms: 10 }));
    const res = await runBatch({
      runner,
      tool: 't.x',
      inputs,
      concurrency: 2,
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.done === 4) ac.abort();
      },
    });
    expect(res.aborted).toBe(true);
    expect(state.calls.length).toBeLessThanOrEqual(6);
    expect(res.ok).toBe(state.calls.length);
    expect(res.skipped).toBe(20 - state.calls.length);
    expect(res.items).toHaveLength(20);
    expect(res.items.at(-1)).toEqual({ ok: false, error: { kind: 'system', code: 'aborted', message: expect.stringContaining('cancelled') } });
  });

  it('handles an empty batch and an already-aborted signal', async () => {
    const { runner, state } = fakeRunner();
    const seen: BatchProgress[] = [];
    const empty = await runBatch({ runner, tool: 't.x', inputs: [], onProgress: (p) => seen.push(p) });
    expect(empty).toMatchObject({ items: [], ok: 0, failed: 0, skipped: 0 });
    expect(seen).toEqual([{ done: 0, total: 0, ok: 0, failed: 0 }]);
    const res = await runBatch({ runner, tool: 't.x', inputs: [{ n: 1 }, { n: 2 }], signal: AbortSignal.abort() });
    expect(state.calls).toEqual([]);
    expect(res).toMatchObject({ skipped: 2, aborted: true });
  });
});
