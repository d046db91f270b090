/**
 * The one paging contract every list the app serves follows (issue 14: 10,001 pending approvals
 * were one 22 MB answer). Keyset pagination: a page is "the next `limit` rows after this
 * position" in a stable total order (a timestamp, then the row id), so a row inserted or decided
 * meanwhile never makes another one skip or repeat, and no query reads past the page (no OFFSET).
 *
 * The cursor is opaque to clients (base64url of a small JSON position, tagged with its list so one
 * list's cursor is refused by another); it names a position, never grants anything: every row of every page is still checked against the caller.
 */
import { z } from 'zod';

export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;

/** `limit` and `cursor` as they arrive in a query string; the message says what a good one is. */
const LIMIT_RANGE = `a whole number from 1 to ${PAGE_MAX} (default ${PAGE_DEFAULT})`;
export const pageQuery = z.object({
  limit: z.coerce.number({ message: LIMIT_RANGE }).int(LIMIT_RANGE).min(1, LIMIT_RANGE).max(PAGE_MAX, LIMIT_RANGE).default(PAGE_DEFAULT),
  cursor: z.string().trim().min(1, 'the "next" value of the previous page').max(512, 'the "next" value of the previous page').optional(),
});
/** A refused page request in words: `limit: a whole number from 1 to 200 (default 50)`. */
export const describePageError = (error: z.ZodError): string => error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
export type PageQuery = z.infer<typeof pageQuery>;

/** One page: `next` is the cursor of the following page, null on the last one. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** The position a cursor names, or undefined when it is not one of ours (the route answers 400). */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A timestamp as PostgreSQL keeps it (microseconds, UTC), so a keyset comparison is exact. */
export const pgTimestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
/** SQL for a timestamptz column as `pgTimestamp` (a JS Date would drop the microseconds). */
export const pgTimestampSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Cut a fetch of `limit + 1` rows into a page: the extra row only says whether there is more, and
 * the cursor is the position of the last row shown.
 */
export function pageOf<R, T>(rows: R[], limit: number, positionOf: (row: R) => unknown, map: (row: R) => T): Page<T> {
  const shown = rows.slice(0, limit);
  return { items: shown.map(map), next: rows.length > limit && shown.length > 0 ? encodeCursor(positionOf(shown.at(-1)!)) : null };
}

export class BadCursorError extends Error {
  readonly statusCode = 400;
  constructor() {
    super('cursor: not a cursor this list gave out; start again without one (use the "next" value of the previous page)');
  }
}
