/**
 * Runs (one per request) and their tool calls: the raw material of the four figures
 * (success rate, average handling time, human intervention rate, exception recovery rate).
 */
import type { Queryable } from './db.js';
import { storableJson, storableOrNull, storableText } from '../lib/storable.js';
import { maskDeep, maskText } from '../policies/masking.js';

export type RunStatus =
  | 'running'
  | 'awaiting_approval'
  | 'succeeded'
  | 'failed'
  | 'business_error'
  | 'denied'
  | 'rejected'
  | 'expired'
  | 'withdrawn'
  | 'not_understood';

export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'business_error',
  'denied',
  'rejected',
  'expired',
  'withdrawn',
  'not_understood',
];

export interface RunRow {
  id: string;
  inbox_id: string | null;
  channel: string;
  conversation_id: string;
  requester_id: string;
  department: string;
  flow: string | null;
  lang: string;
  status: RunStatus;
  started_at: Date;
  ended_at: Date | null;
  approval_wait_ms: string;
  system_errors: number;
  needed_human: boolean;
  error: string | null;
}

export async function createRun(
  db: Queryable,
  run: { id: string; inboxId: string | null; channel: string; conversationId: string; requesterId: string; department: string; lang: string },
): Promise<RunRow> {
  const res = await db.query<RunRow>(
    `INSERT INTO runs (id, inbox_id, channel, conversation_id, requester_id, department, lang, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'running')
     ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id RETURNING *`,
    [run.id, run.inboxId, run.channel, storableText(run.conversationId), run.requesterId, run.department, run.lang],
  );
  return res.rows[0]!;
}

export async function getRun(db: Queryable, id: string): Promise<RunRow | undefined> {
  return (await db.query<RunRow>('SELECT * FROM runs WHERE id = $1', [id])).rows[0];
}

export async function updateRun(
  db: Queryable,
  id: string,
  patch: { status?: RunStatus; flow?: string; error?: string | null; neededHuman?: boolean; addSystemErrors?: number; /** Replaces the stored value (a re-run node must not add it twice). */ approvalWaitMs?: number },
): Promise<void> {
  const final = patch.status ? FINAL_RUN_STATUSES.includes(patch.status) : false;
  await db.query(
    `UPDATE runs SET
       status = COALESCE($2, status),
       flow = COALESCE($3, flow),
       error = CASE WHEN $4::boolean THEN $5 ELSE error END,
       needed_human = needed_human OR COALESCE($6, false),
       system_errors = system_errors + $7,
       approval_wait_ms = COALESCE($8, approval_wait_ms),
       ended_at = CASE WHEN $9::boolean THEN now() ELSE ended_at END
     WHERE id = $1`,
    [
      id,
      patch.status ?? null,
      patch.flow ?? null,
      patch.error !== undefined,
      patch.error == null ? null : storableText(maskText(patch.error)),
      patch.neededHuman ?? null,
      patch.addSystemErrors ?? 0,
      patch.approvalWaitMs === undefined ? null : Math.max(0, Math.round(patch.approvalWaitMs)),
      final,
    ],
  );
}

export interface ToolCallInsert {
  id: string;
  runId: string | null;
  tool: string;
  effect: 'read' | 'write';
  input: unknown;
  output?: unknown;
  status: 'ok' | 'business_error' | 'system_error';
  error?: unknown;
  attempts: number;
  startedAt: Date;
  endedAt: Date;
  durationMs: number;
  evidence: unknown;
}

/** Input, output, error and evidence are masked again here (idempotent): the boundary holds even if a caller forgets. */
export async function insertToolCall(db: Queryable, raw: ToolCallInsert): Promise<void> {
  const call = { ...raw, input: maskDeep(raw.input), output: maskDeep(raw.output), error: maskDeep(raw.error), evidence: maskDeep(raw.evidence) };
  await db.query(
    `INSERT INTO tool_calls (id, run_id, tool, effect, input, output, status, error, attempts, started_at, ended_at, duration_ms, evidence)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
    [
      call.id,
      call.runId,
      call.tool,
      call.effect,
      storableJson(call.input ?? null),
      call.output === undefined ? null : storableJson(call.output),
      call.status,
      call.error === undefined ? null : storableJson(call.error),
      call.attempts,
      call.startedAt,
      call.endedAt,
      Math.round(call.durationMs),
      storableJson(call.evidence ?? {}),
    ],
  );
}

export interface Kpis {
  runs: number;
  finalRuns: number;
  successRate: number | null;
  averageHandlingMs: number | null;
  humanInterventionRate: number | null;
  exceptionRecoveryRate: number | null;
  businessErrors: number;
}

/**
 * The four figures as DOMAIN.md defines them. Business errors are a separate count: an
 * ineligible customer is not a robot fault, so they are left out of the success rate.
 */
export async function computeKpis(db: Queryable, filter: { since?: Date; flow?: string; department?: string; channel?: string } = {}): Promise<Kpis> {
  const res = await db.query<{
    runs: string;
    final_runs: string;
    succeeded: string;
    business_errors: string;
    avg_ms: string | null;
    human: string;
    met_system: string;
    recovered: string;
  }>(
    `SELECT count(*) AS runs,
       count(*) FILTER (WHERE status = ANY($5) AND status <> 'business_error') AS final_runs,
       count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE status = 'business_error') AS business_errors,
       avg(EXTRACT(EPOCH FROM (ended_at - started_at)) * 1000 - approval_wait_ms) FILTER (WHERE ended_at IS NOT NULL) AS avg_ms,
       count(*) FILTER (WHERE needed_human) AS human,
       count(*) FILTER (WHERE system_errors > 0 AND status = ANY($5)) AS met_system,
       count(*) FILTER (WHERE system_errors > 0 AND status = 'succeeded') AS recovered
     FROM runs
     WHERE ($1::timestamptz IS NULL OR started_at >= $1)
       AND ($2::text IS NULL OR flow = $2)
       AND ($3::text IS NULL OR department = $3)
       AND ($4::text IS NULL OR channel = $4)`,
    [filter.since ?? null, filter.flow ?? null, filter.department ?? null, filter.channel ?? null, FINAL_RUN_STATUSES],
  );
  const r = res.rows[0]!;
  const n = (s: string) => Number(s);
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    runs: n(r.runs),
    finalRuns: n(r.final_runs),
    successRate: ratio(n(r.succeeded), n(r.final_runs)),
    averageHandlingMs: r.avg_ms === null ? null : Math.round(Number(r.avg_ms)),
    humanInterventionRate: ratio(n(r.human), n(r.runs)),
    exceptionRecoveryRate: ratio(n(r.recovered), n(r.met_system)),
    businessErrors: n(r.business_errors),
  };
}
