/**
 * The contract of an RPA job: one tool call (run, verify, or a write's scope read) asked by a bot
 * replica and done by a worker that owns a browser (jobs/rpa-worker.ts). The request and the
 * answer hold personal data (a mobile number in the input, a customer in the output), so both are
 * sealed with the data keys before they reach a table (the job row, `rpa_results`): the
 * database never holds them in clear, whichever process wrote them. Both sides check the shape
 * with zod after opening: a row is data from outside this process.
 */
import { z } from 'zod';
import { openJson, sealJson, type SealedJson } from '../store/data-keys.js';
import { BusinessError, SystemError, type BusinessErrorCode, type SystemErrorCode } from '../tools/errors.js';
import type { ToolCallRecord } from '../tools/runner.js';
import { ScopeDenied, type ScopeDenialReason, type ScopePhase, type ToolCaller } from '../tools/scope.js';
import type { ScopeOwner } from '../policies/access.js';
import type { VerifyResult } from '../tools/define.js';

export const RPA_QUEUE = 'rpa-call';
/** The channel a finished job's id is announced on (PostgreSQL NOTIFY). */
export const RPA_DONE_CHANNEL = 'switchboard_rpa_done';

const REQUEST_AAD = 'rpa-job.data';
const RESULT_AAD = 'rpa_results.result';

const owner = z.object({ kind: z.string().min(1), id: z.string().min(1) }).transform((o) => o as ScopeOwner);
const principal = z
  .object({ id: z.string().min(1), name: z.string(), roles: z.array(z.string()), department: z.string(), regions: z.array(z.string()) })
  .passthrough();
const caller = z.union([z.object({ principal }), z.object({ system: z.string().min(1) })]).transform((c) => c as unknown as ToolCaller);

export const rpaRequest = z.object({
  op: z.enum(['run', 'verify', 'scopeOf']),
  tool: z.string().min(1),
  input: z.unknown(),
  /** verify: the run's output (null when the write's result is not known, e.g. after a crash). */
  output: z.unknown().optional(),
  caller: caller.optional(),
  targetScope: z.array(owner).optional(),
  runId: z.string().optional(),
  idempotencyKey: z.string().optional(),
  approval: z.object({ id: z.string().min(1), status: z.literal('approved') }).optional(),
});
/** What the asker sends (typed with the app's own types; rpaRequest checks it on the way in). */
export type RpaRequest = Omit<z.input<typeof rpaRequest>, 'caller' | 'targetScope'> & { caller?: ToolCaller; targetScope?: ScopeOwner[] };
export type RpaRequestParsed = z.output<typeof rpaRequest>;

const recordJson = z
  .object({ callId: z.string(), tool: z.string(), phase: z.enum(['run', 'verify']), status: z.enum(['ok', 'business_error', 'system_error']), startedAt: z.string(), endedAt: z.string() })
  .passthrough()
  .transform((r) => ({ ...r, startedAt: new Date(r.startedAt), endedAt: new Date(r.endedAt) }) as unknown as ToolCallRecord);

const errorJson = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('business'), code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).default({}) }),
  z.object({ kind: z.literal('scope'), tool: z.string(), phase: z.string(), reason: z.string(), owners: z.array(owner), count: z.object({ denied: z.number(), of: z.number() }).optional() }),
  z.object({ kind: z.literal('system'), code: z.string(), system: z.string(), message: z.string() }),
  z.object({ kind: z.literal('other'), message: z.string() }),
]);
export type RpaError = z.infer<typeof errorJson>;

export const rpaResult = z.object({
  /** Every record the call left (a scope read may leave several), in order. */
  records: z.array(recordJson),
  outcome: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), output: z.unknown().optional(), verify: z.object({ ok: z.boolean(), lines: z.array(z.object({ label: z.string(), value: z.string() }).passthrough()) }).optional(), owners: z.array(owner).optional() }),
    z.object({ ok: z.literal(false), error: errorJson, record: recordJson.optional() }),
  ]),
});
export type RpaResult = z.output<typeof rpaResult>;

export function sealRequest(req: RpaRequest): { sealed: SealedJson } {
  return { sealed: sealJson(req, REQUEST_AAD) };
}
export function openRequest(data: unknown): RpaRequestParsed {
  const env = z.object({ sealed: z.object({ $enc: z.string() }) }).parse(data);
  return rpaRequest.parse(openJson(env.sealed, REQUEST_AAD));
}
export function sealResult(result: unknown): SealedJson {
  return sealJson(result, RESULT_AAD);
}
export function openResult(value: unknown): RpaResult {
  return rpaResult.parse(openJson(value, RESULT_AAD));
}

/** An error a tool call threw, as JSON that keeps its class (the turn and the executor branch on it). */
export function errorToJson(e: unknown): RpaError {
  if (e instanceof ScopeDenied) return { kind: 'scope', tool: e.tool, phase: e.phase, reason: e.reason, owners: e.owners.map((o) => ({ ...o })), ...(e.count && { count: e.count }) };
  if (e instanceof BusinessError) return { kind: 'business', code: e.code, message: e.message, details: e.details };
  if (e instanceof SystemError) return { kind: 'system', code: e.code, system: e.system, message: e.message };
  return { kind: 'other', message: e instanceof Error ? e.message : String(e) };
}

/** The error back in its class, with the runner's record attached as ToolRunner attaches it. */
export function errorFromJson(j: RpaError, record?: ToolCallRecord): Error {
  const e =
    j.kind === 'scope'
      ? new ScopeDenied(j.tool, j.phase as ScopePhase, j.reason as ScopeDenialReason, j.owners, j.count)
      : j.kind === 'business'
        ? new BusinessError(j.code as BusinessErrorCode, j.message, j.details)
        : j.kind === 'system'
          ? new SystemError(j.code as SystemErrorCode, j.system, j.message)
          : new Error(j.message);
  if (record) Object.defineProperty(e, 'record', { value: record, enumerable: false, configurable: true });
  return e;
}

export type RpaOutcome = { output?: unknown; verify?: VerifyResult; owners?: ScopeOwner[] };
