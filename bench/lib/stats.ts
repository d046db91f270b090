/** Summary statistics for latency samples, and the plain-text table the benchmarks print. */

export interface Summary {
  n: number;
  median: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

/**
 * Nearest-rank percentile: always a value that was actually observed, never an interpolation.
 * With n < 100, p99 is the maximum; the table says n so a reader can tell.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    median: median(s),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
  };
}

/** The middle value (mean of the two middle values for even n). */
export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '—');

export function formatTable(rows: readonly { label: string; summary: Summary }[]): string {
  const head = ['', 'n', 'median', 'p90', 'p99', 'min', 'max'];
  const body = rows.map(({ label, summary: s }) => [label, String(s.n), fmt(s.median), fmt(s.p90), fmt(s.p99), fmt(s.min), fmt(s.max)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head) + '   (ms)', ...body.map(line)].join('\n');
}
