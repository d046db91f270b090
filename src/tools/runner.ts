/**
 * How one tool call is executed: validate input, run with retries that depend on the error type
 * and the tool's effect, validate output, and always leave a ToolCallRecord with evidence.
 *
 * Failure contract: run() and verify() reject with the typed error (BusinessError | SystemError)
 * carrying the call's record as a non-enumerable `record` property; read it with recordOf(err).
 * onRecord has been awaited before either settles, so the audit trail never lags the caller.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { z } from 'zod';
import type { AnyTool, Evidence, LegacySystem, ToolContext, ToolEffect, VerifyResult, WithPage } from './define.js';
import { BusinessError, SystemError, isBusinessError, isSystemError } from './errors.js';
import { toSystemError } from './browser-pool.js';
import { EvidenceRecorder, type Redact } from './evidence.js';
import type { ToolRegistry } from './registry.js';

export type ToolCallStatus = 'ok' | 'business_error' | 'system_error';

export interface ToolCallRecord {
  callId: string;
  tool: string;
  /** 'run' executes the tool; 'verify' reads a write's effect back. */
  phase: 'run' | 'verify';
  /** null only when the tool name is unknown. */
  system: LegacySystem | null;
  effect: ToolEffect | null;
  runId?: string;
  idempotencyKey?: string;
  /** Redacted. */
  input: unknown;
  /** Redacted; present when status is 'ok'. */
  output?: unknown;
  status: ToolCallStatus;
  error?: { name: 'BusinessError' | 'SystemError'; code: string; message: string; system?: string };
  startedAt: Date;
  endedAt: Date;
  durationMs: number;
  /** How many times the tool's code ran (0 when the input was refused). */
  attempts: number;
  evidence: Evidence;
}

export interface RunToolOptions {
  runId?: string;
  idempotencyKey?: string;
  signal?: AbortSignal;
  onRecord?(rec: ToolCallRecord): Promise<void> | void;
  /** Masks personal data in evidence and in the record; overrides the runner's default. */
  redact?(value: unknown): unknown;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ToolRunnerDeps {
  registry: ToolRegistry;
  pool: { withPage: WithPage };
  baseUrl(system: LegacySystem): string;
  dataDir: string;
  retry?: Partial<RetryPolicy>;
  /** Default redact for every call (e.g. the PII masker from policies/). Identity when absent. */
  redact?: Redact;
  /** Screenshot the page after each browser task: always (default), only when it failed, or never. */
  screenshots?: 'always' | 'failure' | 'off';
  /** For tests: the delay function used between retries. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

export type ToolCallError = (BusinessError | SystemError) & { readonly record: ToolCallRecord };

/** The record attached to an error thrown by ToolRunner, if any. */
export function recordOf(e: unknown): ToolCallRecord | undefined {
  if (typeof e === 'object' && e !== null && 'record' in e) return (e as { record: ToolCallRecord }).record;
  return undefined;
}

export class ToolRunner {
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly deps: ToolRunnerDeps) {
    this.retry = {
      attempts: Math.max(1, deps.retry?.attempts ?? 3),
      baseDelayMs: deps.retry?.baseDelayMs ?? 200,
      maxDelayMs: deps.retry?.maxDelayMs ?? 2000,
    };
    this.sleep = deps.sleep ?? abortableSleep;
    this.random = deps.random ?? Math.random;
  }

  async run(name: string, input: unknown, opts: RunToolOptions = {}): Promise<{ output: unknown; record: ToolCallRecord }> {
    const tool = this.deps.registry.get(name);
    return this.execute(name, tool, 'run', input, opts, tool?.effect === 'write' ? 1 : this.retry.attempts, async (parsed, ctx) => {
      const out: unknown = await tool!.run(parsed, ctx);
      const checked = tool!.output.safeParse(out);
      if (!checked.success) {
        // The portal answered something the tool was not written for: treat as a system fault.
        throw new SystemError(
          'unexpected_page',
          tool!.system,
          `${tool!.name}: portal returned unexpected data (${describeIssues(checked.error)})`,
        );
      }
      return checked.data;
    });
  }

  /**
   * Read a write's effect back. output is null after a crash (the write's own result was lost).
   * Retried like a read, since verification has no side effect.
   */
  async verify(name: string, input: unknown, output: unknown, opts: RunToolOptions = {}): Promise<VerifyResult> {
    const tool = this.deps.registry.get(name);
    if (tool && !tool.verify) throw new Error(`tool ${name} has no verify()`);
    const { output: result } = await this.execute(name, tool, 'verify', input, opts, this.retry.attempts, (parsed, ctx) =>
      tool!.verify!(parsed, output, ctx),
    );
    return result;
  }

  private async execute<R>(
    name: string,
    tool: AnyTool | undefined,
    phase: 'run' | 'verify',
    rawInput: unknown,
    opts: RunToolOptions,
    maxAttempts: number,
    body: (parsed: unknown, ctx: ToolContext) => Promise<R>,
  ): Promise<{ output: R; record: ToolCallRecord }> {
    const callId = randomUUID();
    const startedAt = new Date();
    const redact: Redact = opts.redact ?? this.deps.redact ?? ((v) => v);
    const evidence = new EvidenceRecorder({ dataDir: this.deps.dataDir, callId, redact });
    const signal = opts.signal ?? new AbortController().signal;
    let attempts = 0;
    let recordedInput: unknown = rawInput;

    const finish = async (status: ToolCallStatus, output: unknown, error: BusinessError | SystemError | undefined) => {
      const endedAt = new Date();
      const record: ToolCallRecord = {
        callId,
        tool: name,
        phase,
        system: tool?.system ?? null,
        effect: tool?.effect ?? null,
        ...(opts.runId !== undefined && { runId: opts.runId }),
        ...(opts.idempotencyKey !== undefined && { idempotencyKey: opts.idempotencyKey }),
        input: redact(recordedInput),
        ...(status === 'ok' && { output: redact(output) }),
        status,
        ...(error && {
          error: {
            name: error.name,
            code: error.code,
            message: redactText(redact, error.message),
            ...(isSystemError(error) && { system: error.system }),
          },
        }),
        startedAt,
        endedAt,
        durationMs: endedAt.getTime() - startedAt.getTime(),
        attempts,
        evidence: evidence.snapshot(),
      };
      await opts.onRecord?.(record);
      return record;
    };

    const fail = async (e: BusinessError | SystemError): Promise<never> => {
      const record = await finish(isBusinessError(e) ? 'business_error' : 'system_error', undefined, e);
      Object.defineProperty(e, 'record', { value: record, enumerable: false, configurable: true });
      throw e as ToolCallError;
    };

    if (!tool) {
      return fail(new BusinessError('invalid_input', `未知工具 / Unknown tool: ${name}`, { tool: name }));
    }

    const parsed = tool.input.safeParse(rawInput);
    if (!parsed.success) {
      return fail(
        new BusinessError('invalid_input', `参数无效 / Invalid input: ${describeIssues(parsed.error)}`, {
          issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), code: i.code })),
        }),
      );
    }
    recordedInput = parsed.data;

    const ctx: ToolContext = {
      ...(opts.runId !== undefined && { runId: opts.runId }),
      ...(opts.idempotencyKey !== undefined && { idempotencyKey: opts.idempotencyKey }),
      signal,
      baseUrl: (s) => this.deps.baseUrl(s),
      step: (s, data) => evidence.step(s, data),
      withPage: this.evidenceWithPage(evidence),
    };

    for (;;) {
      if (signal.aborted) return fail(aborted(tool.system, signal));
      attempts++;
      try {
        const output = await raceAbort(body(parsed.data, ctx), signal, tool.system);
        const record = await finish('ok', output, undefined);
        return { output, record };
      } catch (raw) {
        const e = toSystemError(raw, tool.system);
        if (isBusinessError(e)) return fail(e);
        evidence.step(`attempt ${attempts} failed: ${e.code}`, { code: e.code });
        if (signal.aborted || attempts >= maxAttempts) return fail(e);
        // Capped exponential backoff with full jitter: spreads retries of many callers apart.
        const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempts - 1));
        try {
          await this.sleep(Math.floor(this.random() * cap), signal);
        } catch {
          return fail(aborted(tool.system, signal));
        }
      }
    }
  }

  private evidenceWithPage(evidence: EvidenceRecorder): WithPage {
    const mode = this.deps.screenshots ?? 'always';
    const pool = this.deps.pool;
    return <T>(system: LegacySystem, fn: (page: Page, baseUrl: string) => Promise<T>): Promise<T> =>
      pool.withPage(system, async (page, baseUrl) => {
        let result: T;
        try {
          result = await fn(page, baseUrl);
        } catch (e) {
          if (mode !== 'off') await shoot(evidence, page, 'screenshot (failed)');
          throw e;
        }
        if (mode === 'always') await shoot(evidence, page, 'screenshot');
        return result;
      });
  }
}

async function shoot(evidence: EvidenceRecorder, page: Page, label: string): Promise<void> {
  const file = await evidence.screenshot(page);
  if (file) evidence.step(label, { file });
}

/** "portId: Invalid input: expected string, received number; slot: Too small ..." — names fields, never values. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(input)'}: ${i.message}`)
    .join('; ');
}

function redactText(redact: Redact, text: string): string {
  const r = redact(text);
  return typeof r === 'string' ? r : '[redacted]';
}

function aborted(system: string, signal: AbortSignal): SystemError {
  return new SystemError('timeout', system, `${system}: tool call aborted`, { cause: signal.reason });
}

/** Hand control back as soon as the caller aborts; a browser task left behind ends at its own deadline. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal, system: string): Promise<T> {
  if (signal.aborted) return Promise.reject(aborted(system, signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(system, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
