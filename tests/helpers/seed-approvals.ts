/**
 * Many pending approvals at once, straight into the tables (one statement, no turns): what the
 * paging tests and bench/memory.bench.ts need to see a list of 10,000 without waiting for 10,000
 * proposals. Rows are what a proposal stores, minus the card words (the view falls back to title).
 */
import type { Queryable } from '../../src/store/db.js';
import type { ScopeOwner } from '../../src/policies/access.js';

export interface SeedApprovals {
  count: number;
  requester: string;
  department: string;
  approvers: string[];
  /** Owners of the write (null: unknown, as on rows from before data scope). */
  targetScope: ScopeOwner[] | null;
  /** Titles are `${title} #n`, n from 1. */
  title: string;
  /** Every n-th row needs two approvals (listed first: riskiest first). 0: none. */
  tieredEvery?: number;
  /** Rows share a creation time in groups of this size (the id orders them), oldest first. */
  sameTime?: number;
}

export async function seedApprovals(db: Queryable, s: SeedApprovals): Promise<void> {
  await db.query(
    `WITH r AS (
       INSERT INTO runs (id, channel, conversation_id, requester_id, department, lang, status)
       SELECT gen_random_uuid(), 'console', 'console-' || $1, $1, $2, 'zh', 'awaiting_approval' FROM generate_series(1, $3::int)
       RETURNING id),
     n AS (SELECT id, row_number() OVER () AS rn FROM r)
     INSERT INTO approvals (id, run_id, thread_id, tool, input, action_hash, requester_id, department, approver_ids, title, lines, lang,
                            created_at, expires_at, target_scope, required_approvals)
     SELECT gen_random_uuid(), n.id, n.id::text, 'sms.sendNotice', '{}'::jsonb, 'seed-' || n.id, $1, $2, $4::text[], $5 || ' #' || n.rn, '[]'::jsonb, 'zh',
            now() - interval '1 hour' + make_interval(secs => ((n.rn - 1) / $8::int)::int), now() + interval '1 day', $6::jsonb,
            CASE WHEN $7::int > 0 AND n.rn % $7::int = 0 THEN 2 ELSE 1 END
     FROM n`,
    [s.requester, s.department, s.count, s.approvers, s.title, s.targetScope === null ? null : JSON.stringify(s.targetScope), s.tieredEvery ?? 0, s.sameTime ?? 1],
  );
}
