/**
 * The policy's rate limits, enforced by the turn and the proposal, never by the model. Requests
 * per minute are counted in the database (one atomic counter per key and minute), so every process
 * shares one count and concurrent turns cannot all slip under a limit; tool calls per turn are
 * counted in the turn; pending approvals are counted from the approvals table. Each hit is
 * audited by the caller and counted here for /healthz.
 */
import type { Queryable } from '../store/db.js';
import type { Principal } from '../policies/principals.js';
import { activePolicy, type Policy } from '../policies/policy.js';

export type LimitName = 'user_requests' | 'department_requests' | 'tool_calls' | 'user_pending' | 'department_pending';
export interface LimitHit {
  limit: LimitName;
  /** The limit's figure in the policy. */
  max: number;
}

export class RateLimits {
  private readonly hits: Record<LimitName, number> = { user_requests: 0, department_requests: 0, tool_calls: 0, user_pending: 0, department_pending: 0 };
  private takes = 0;

  constructor(private readonly policy: () => Policy = activePolicy) {}

  /** Take one request for the principal (and their department) in the current minute. */
  async takeRequest(db: Queryable, principal: Principal): Promise<LimitHit | null> {
    const { perUser, perDepartment } = this.policy().rateLimits;
    const res = await db.query<{ key: string; count: number }>(
      `INSERT INTO rate_counters (key, window_start, count)
       VALUES ($1, date_trunc('minute', now()), 1), ($2, date_trunc('minute', now()), 1)
       ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + 1
       RETURNING key, count`,
      [`user:${principal.id}`, `dept:${principal.department}`],
    );
    // Old windows go now and then; a minute's counters are all a limit needs.
    if (++this.takes % 200 === 1) await db.query(`DELETE FROM rate_counters WHERE window_start < now() - interval '10 minutes'`);
    const count = (key: string) => res.rows.find((r) => r.key === key)?.count ?? 0;
    if (count(`user:${principal.id}`) > perUser.requestsPerMinute) return this.hit({ limit: 'user_requests', max: perUser.requestsPerMinute });
    if (count(`dept:${principal.department}`) > perDepartment.requestsPerMinute) return this.hit({ limit: 'department_requests', max: perDepartment.requestsPerMinute });
    return null;
  }

  /** Whether the principal (and their department) may have one more approval pending. */
  async roomForPending(db: Queryable, principal: Principal): Promise<LimitHit | null> {
    const { perUser, perDepartment } = this.policy().rateLimits;
    const res = await db.query<{ mine: string; dept: string }>(
      `SELECT count(*) FILTER (WHERE requester_id = $1) AS mine, count(*) AS dept
       FROM approvals WHERE status = 'pending' AND expires_at > now() AND (requester_id = $1 OR department = $2)`,
      [principal.id, principal.department],
    );
    const mine = Number(res.rows[0]?.mine ?? 0);
    const dept = Number(res.rows[0]?.dept ?? 0);
    if (mine >= perUser.pendingApprovals) return this.hit({ limit: 'user_pending', max: perUser.pendingApprovals });
    if (dept >= perDepartment.pendingApprovals) return this.hit({ limit: 'department_pending', max: perDepartment.pendingApprovals });
    return null;
  }

  /** Tool calls one turn may make. */
  toolCallsPerTurn(): number {
    return this.policy().rateLimits.perUser.toolCallsPerTurn;
  }

  toolCallsHit(): LimitHit {
    return this.hit({ limit: 'tool_calls', max: this.toolCallsPerTurn() });
  }

  /** Limits hit in this process since start, by limit (/healthz). */
  counts(): Readonly<Record<LimitName, number>> {
    return { ...this.hits };
  }

  private hit(h: LimitHit): LimitHit {
    this.hits[h.limit]++;
    return h;
  }
}
