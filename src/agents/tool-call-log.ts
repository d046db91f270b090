/**
 * Every tool call, from any entry point (a turn, an approved write, the CLI), leaves a tool_calls
 * row and an audit record: masked input, output and error, its attempts and its evidence files.
 */
import type { Db } from '../store/db.js';
import { maskDeep } from '../policies/masking.js';
import { appendAudit } from '../store/audit.js';
import { insertToolCall, updateRun } from '../store/runs-repo.js';
import type { ToolCallRecord } from '../tools/runner.js';

export async function recordToolCall(db: Db, runId: string | null, r: ToolCallRecord, actor = 'switchboard'): Promise<void> {
  await insertToolCall(db, {
    id: r.callId,
    runId,
    tool: r.tool,
    effect: r.effect ?? 'read',
    input: maskDeep(r.input),
    output: r.output === undefined ? undefined : maskDeep(r.output),
    status: r.status,
    error: r.error === undefined ? undefined : maskDeep(r.error),
    attempts: r.attempts,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
    evidence: maskDeep(r.evidence),
  });
  // A call that needed more than one attempt met a SystemError (and may have recovered).
  if (runId && (r.status === 'system_error' || r.attempts > 1)) await updateRun(db, runId, { addSystemErrors: 1 });
  await appendAudit(db, {
    actor,
    action: r.phase === 'verify' ? 'tool.verified' : 'tool.called',
    subject: r.tool,
    runId,
    details: { callId: r.callId, status: r.status, attempts: r.attempts, durationMs: r.durationMs, evidence: r.evidence.files },
  });
}
