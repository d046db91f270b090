/**
 * Legacy portals show local wall-clock time (China Standard Time, UTC+8, no zone suffix) as
 * "2026-11-23 21:14:05". Formatting by hand keeps the output independent of the host's TZ.
 */
const CST_OFFSET_MS = 8 * 3600_000;

export function formatLocal(epochMs: number): string {
  const d = new Date(epochMs + CST_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Inverse of formatLocal. */
export function parseLocal(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a local timestamp: ${text}`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - CST_OFFSET_MS;
}
