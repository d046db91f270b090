/**
 * Feishu's per-chat rate shared by every replica on one PostgreSQL (migration 027): a send first
 * reserves a place among the key's last `limit` operations in the `send_slots` row (one statement
 * under the row's lock, database clock), and marks it answered after Feishu answered. Embedded
 * PGlite is one process: the in-memory queue alone is exact there, and no round trip is added.
 */
import { z } from 'zod';
import type { Queryable } from '../../store/db.js';

export interface SharedSlots {
  /** A token to go now, or how long to wait before asking again. */
  reserve(key: string, limit: number, windowMs: number): Promise<{ token: string } | { waitMs: number }>;
  answered(key: string, token: string): Promise<void>;
}

/** A reservation whose replica died before the answer counts as answered this long after it was made. */
const FLIGHT_MS = 30_000;

const reserved = z.object({ token: z.string().nullable(), wait_ms: z.coerce.number() });

export function pgSendSlots(db: Queryable, prefix: string): SharedSlots {
  return {
    async reserve(key, limit, windowMs) {
      const res = await db.query('SELECT token, wait_ms FROM send_slot_reserve($1, $2, $3, $4)', [`${prefix}${key}`, limit, windowMs, FLIGHT_MS]);
      const row = reserved.parse(res.rows[0]);
      return row.token ? { token: row.token } : { waitMs: Math.max(1, Math.ceil(row.wait_ms)) };
    },
    async answered(key, token) {
      await db.query('SELECT send_slot_answered($1, $2)', [`${prefix}${key}`, token]);
    },
  };
}
