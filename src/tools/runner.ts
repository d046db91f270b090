/**
 * How one tool call is executed: validate input, run with retries that depend on the error type
 * and the tool's effect, validate output, and always leave a ToolCallRecord with evidence.
 *
 * Failure contract: run() and verify() reject with the typed error (BusinessError | SystemError)
 * carrying the call's record as a non-enumerable `record` property; read it with recordOf(err).
 * onRecord has been awaited before either settles, so the audit trail never lags the caller.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { z } from 'zod';
import type { AnyTool, ApiClient, Evidence, LegacySystem, ToolContext, ToolEffect, VerifyResult, WithPage } from './define.js';
import { BusinessError, SystemError, isBusinessError, isSystemError } from './errors.js';
import { pageReusable, toSystemError } from './browser-pool.js';
import { CircuitBreakers, type BreakerOptions, type BreakerSnapshot, type BreakerTicket } from './circuit-breaker.js';
import { EvidenceRecorder, type EvidenceStore, type Redact } from './evidence.js';
import { maskTraceArchive, withMaskedPage } from './evidence-masking.js';
import type { ToolRegistry } from './registry.js';
import { enforceScope, isScopeDenied, ScopeDenied, systemCaller, type ResolveContext, type ToolCaller } from './scope.js';
import { ownersOutOfScope, type ScopeOwner } from '../policies/access.js';

export type ToolCallStatus = 'ok' | 'business_error' | 'system_error';

/** Attempts of a read (or a verify) before it fails as a SystemError; a write runs once per call. */
export const DEFAULT_READ_ATTEMPTS = 8;

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
  /**
   * Whom the call is for (invariant 10): a principal, whose data scope the tool's declaration is
   * checked against before and after the call, or a named system-internal caller. Required: a
   * call without one is refused (ScopeDenied 'no_caller').
   */
  caller?: ToolCaller;
  /**
   * A write's target owners as recorded on its approval (resolved by this runner's scopeOf when
   * it was proposed): the input check uses them instead of reading the target again, so an
   * approved write costs no extra portal read. Absent (or null on the row): resolved as usual.
   */
  targetScope?: readonly ScopeOwner[];
  runId?: string;
  /** A write's: the id of the approval it executes, kept in the target record so a retry lands once. */
  idempotencyKey?: string;
  /**
   * The approval a write executes (the approved-write executor passes its row). run() refuses a
   * write without an idempotency key, or without this approval approved and with that key as its
   * id, before the tool runs: checked here once for every write tool. Reads and verify() ignore it.
   */
  approval?: ApprovedWrite;
  signal?: AbortSignal;
  onRecord?(rec: ToolCallRecord): Promise<void> | void;
  /** Masks personal data in evidence and in the record; overrides the runner's default. */
  redact?(value: unknown): unknown;
  /** Overall deadline of this call, retries included; overrides the runner's default. */
  deadlineMs?: number;
}

/** The approval a write runs under, as the executor holds it once it has checked the row. */
export interface ApprovedWrite {
  id: string;
  status: 'approved';
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ToolRunnerDeps {
  registry: ToolRegistry;
  pool: { withPage: WithPage };
  /** HTTP-API carrier per system (tools/api-client.ts), for systems not driven by the browser. */
  api?(system: LegacySystem, signal: AbortSignal): ApiClient;
  baseUrl(system: LegacySystem): string;
  dataDir: string;
  /** Where evidence files go (the app: the database); default: a folder under dataDir. */
  evidenceStore?: EvidenceStore;
  retry?: Partial<RetryPolicy>;
  /** Default redact for every call (e.g. the PII masker from policies/). Identity when absent. */
  redact?: Redact;
  /** Screenshot the page after each browser task: always (default), only when it failed, or never. */
  screenshots?: 'always' | 'failure' | 'off';
  /**
   * A Playwright trace of a browser task that failed (default 'failure'). Traces are recorded as
   * chunks of the system's shared context, one task per context at a time (see traceTask).
   */
  traces?: 'failure' | 'off';
  /**
   * Hand a successful browser task's result back before its screenshot is written (the page stays
   * leased until it is, so the next task never sees it half-captured). Saves the caller the
   * capture time (~60-200 ms); the record lists the file, which exists once settled() resolves.
   * Default false: the file exists when run() resolves.
   */
  screenshotAfterResult?: boolean;
  /**
   * Overall deadline of one call, retries and backoff included (default 60 s). Keep it below the
   * approval expiry, so a write cannot still be retrying when its approval has run out.
   */
  deadlineMs?: number;
  /** One breaker per system; pass options or a shared instance. */
  breakers?: CircuitBreakers | BreakerOptions;
  /** For tests: the delay function used between retries. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * The overall deadline of one call from the configuration, kept below the approval expiry (minus a
 * margin for verification): a write must never still be retrying when its approval has run out.
 */
export function callDeadlineMs(cfg: { RPA_CALL_DEADLINE_MS: number; APPROVAL_TTL_SECONDS: number }): number {
  return Math.max(1_000, Math.min(cfg.RPA_CALL_DEADLINE_MS, Math.floor(cfg.APPROVAL_TTL_SECONDS * 1000 * 0.5)));
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
  private readonly deadlineMs: number;
  private readonly circuits: CircuitBreakers;
  /** Browser tasks whose caller has its answer but whose screenshot is still being written. */
  private readonly finishing = new Set<Promise<unknown>>();

  constructor(private readonly deps: ToolRunnerDeps) {
    this.retry = {
      // Eight tries for a read: at 30 % failed portal answers with sessions expiring (each expiry
      // costing a login: three more requests that can fail) 50-60 % of the attempts of a two-page
      // read fail, and 0.6^8 < 2 %; the deadline bounds them anyway (bench/flaky-portal.bench.ts).
      attempts: Math.max(1, deps.retry?.attempts ?? DEFAULT_READ_ATTEMPTS),
      baseDelayMs: deps.retry?.baseDelayMs ?? 200,
      maxDelayMs: deps.retry?.maxDelayMs ?? 2000,
    };
    this.sleep = deps.sleep ?? abortableSleep;
    this.random = deps.random ?? Math.random;
    this.deadlineMs = Math.max(1, deps.deadlineMs ?? 60_000);
    this.circuits = deps.breakers instanceof CircuitBreakers ? deps.breakers : new CircuitBreakers(deps.breakers ?? {});
  }

  /** Resolves when every screenshot still being written after its call answered is on disk. */
  async settled(): Promise<void> {
    while (this.finishing.size > 0) await Promise.allSettled([...this.finishing]);
  }

  /** State of every system's breaker that has seen a call (for /healthz). */
  breakers(): BreakerSnapshot[] {
    return this.circuits.snapshot();
  }

  /** Whether calls to this system are being refused right now (approvals must not be spent then). */
  circuitOpen(system: string): boolean {
    return this.circuits.isOpen(system);
  }

  async run(name: string, input: unknown, opts: RunToolOptions = {}): Promise<{ output: unknown; record: ToolCallRecord }> {
    const tool = this.deps.registry.get(name);
    return this.execute(name, tool, 'run', input, opts, tool?.effect === 'write' ? 1 : this.retry.attempts, async (parsed, ctx, addOwners) => {
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
      // Output scope: a ScopeDenied (a BusinessError) fails the call, and the record keeps no output.
      addOwners(await enforceScope(tool!, 'output', checked.data, opts.caller!, noReads));
      return checked.data;
    });
  }

  /**
   * The owners of a write's target (its input declarations, resolved), checked against the
   * caller: what the approval row records, and what approvers must have in scope.
   */
  async scopeOf(name: string, input: unknown, opts: RunToolOptions): Promise<ScopeOwner[]> {
    const tool = this.deps.registry.require(name);
    if (!opts.caller) throw new ScopeDenied(name, 'input', 'no_caller', []);
    return enforceScope(tool, 'input', tool.input.parse(input), opts.caller, this.resolveContext(name, opts));
  }

  /** Resolver reads: system-internal calls, recorded under the same run like any other call. */
  private resolveContext(name: string, opts: RunToolOptions, signal?: AbortSignal): ResolveContext {
    return {
      read: async (tool, input) =>
        (
          await this.run(tool, input, {
            caller: systemCaller(`scope of ${name}`),
            ...(opts.runId !== undefined && { runId: opts.runId }),
            ...(opts.onRecord && { onRecord: opts.onRecord }),
            ...(opts.redact && { redact: opts.redact }),
            ...(signal ?? opts.signal ? { signal: (signal ?? opts.signal)! } : {}),
          })
        ).output,
    };
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
    body: (parsed: unknown, ctx: ToolContext, addOwners: (found: readonly ScopeOwner[]) => void) => Promise<R>,
  ): Promise<{ output: R; record: ToolCallRecord }> {
    const callId = randomUUID();
    const startedAt = new Date();
    const redact: Redact = opts.redact ?? this.deps.redact ?? ((v) => v);
    const evidence = new EvidenceRecorder({ dataDir: this.deps.dataDir, ...(this.deps.evidenceStore && { store: this.deps.evidenceStore }), callId, redact });
    // The call's data owners as its scope checks find them: who may later see its evidence. A
    // verify without the write's recorded target has none to go by (only an all-region viewer).
    const owners: ScopeOwner[] = [...(opts.targetScope ?? [])];
    const ownersComplete = phase === 'run' || opts.targetScope !== undefined;
    const addOwners = (found: readonly ScopeOwner[]) => void owners.push(...found);
    // One signal for the whole call: the caller's abort or the overall deadline, whichever first.
    const deadlineMs = Math.max(1, opts.deadlineMs ?? this.deadlineMs);
    const deadline = new AbortController();
    const deadlineAt = Date.now() + deadlineMs;
    const timer = setTimeout(() => deadline.abort(new DeadlineExceeded(deadlineMs)), deadlineMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline.signal]) : deadline.signal;
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
      // Files go to the store with the owners: after the answer when screenshots come after it; a
      // failed call's (captured before it failed) before the failure is reported.
      const stored = evidence.commit({ owners: dedupeOwners(owners), complete: ownersComplete });
      if (this.deps.screenshotAfterResult && status === 'ok') {
        this.finishing.add(stored);
        void stored.finally(() => this.finishing.delete(stored));
      } else await stored;
      await opts.onRecord?.(record);
      return record;
    };

    const fail = async (e: BusinessError | SystemError): Promise<never> => {
      clearTimeout(timer);
      // Refused on its output: the screenshot shows what the caller may not see; none is kept.
      if (isScopeDenied(e) && e.phase === 'output') await evidence.discardFiles("no screenshot: the page holds data outside the caller's scope");
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

    // Data scope before the call (invariant 10). Verify reads back what run() was allowed to write.
    if (!opts.caller) return fail(new ScopeDenied(name, 'input', 'no_caller', []));
    // A write's preconditions, before any read its scope check would cost and before the tool runs.
    if (phase === 'run' && tool.effect === 'write') {
      const refused = writeRefusal(opts);
      if (refused) return fail(refused);
    }
    if (phase === 'run') {
      try {
        if (tool.effect === 'write' && opts.targetScope && 'principal' in opts.caller) {
          const denied = ownersOutOfScope(opts.caller.principal, opts.targetScope);
          if (denied.length > 0) throw new ScopeDenied(name, 'input', 'out_of_scope', denied);
        } else {
          addOwners(await enforceScope(tool, 'input', parsed.data, opts.caller, this.resolveContext(name, opts, signal)));
        }
      } catch (e) {
        if (isBusinessError(e) || isSystemError(e)) return fail(e);
        throw e;
      }
    }

    // Whether the current attempt reached the system (a page was leased, or its API called): an
    // attempt that failed before that (it queued for a page past its deadline) is not the system's failure.
    let reached = false;
    const ctx: ToolContext = {
      ...(opts.runId !== undefined && { runId: opts.runId }),
      ...(opts.idempotencyKey !== undefined && { idempotencyKey: opts.idempotencyKey }),
      signal,
      baseUrl: (s) => this.deps.baseUrl(s),
      api: (s) => {
        if (!this.deps.api) throw new SystemError('unavailable', s, `${s}: no HTTP API client configured`);
        reached = true;
        return this.deps.api(s, signal);
      },
      step: (s, data) => evidence.step(s, data),
      withPage: this.evidenceWithPage(evidence, signal, () => (reached = true)),
    };
    // The breaker judges whole calls (circuit-breaker.ts): admitted once, checked before each
    // retry (it may have opened meanwhile), told the call's outcome once at its end.
    let ticket: BreakerTicket;
    try {
      ticket = this.circuits.get(tool.system).acquire();
    } catch (open) {
      // Fail fast: no browser, no retry; the message names the system.
      evidence.step('circuit open: not calling the system', { system: tool.system });
      return fail(open as SystemError);
    }
    // Whether an attempt of this call met the system failing (not a renewed session, not queueing).
    let systemFailed = false;
    const failCall = (e: BusinessError | SystemError): Promise<never> => {
      // The caller's own abort is not the system's failure; the deadline passing on it is.
      const callerGaveUp = opts.signal?.aborted === true && !deadline.signal.aborted;
      ticket(systemFailed && !callerGaveUp ? 'failure' : 'ignored');
      return fail(e);
    };

    for (;;) {
      if (signal.aborted) return failCall(aborted(tool.system, signal, attempts));
      if (attempts > 0) {
        try {
          ticket.check();
        } catch (open) {
          evidence.step('circuit opened meanwhile: no further attempt', { system: tool.system });
          return failCall(open as SystemError);
        }
      }
      attempts++;
      reached = false;
      try {
        const output = await raceAbort(body(parsed.data, ctx, addOwners), signal, tool.system, attempts);
        ticket('success');
        clearTimeout(timer);
        const record = await finish('ok', output, undefined);
        return { output, record };
      } catch (raw) {
        const e = toSystemError(raw, tool.system);
        // A BusinessError is an answer: the system is up.
        if (isBusinessError(e)) {
          ticket('success');
          return fail(e);
        }
        // A failure before the system was reached is the app's. session_expired here means the
        // pool's fresh login worked and the session died again: the portal answered (a refused
        // login is 'unavailable').
        if (reached && e.code !== 'session_expired') systemFailed = true;
        evidence.step(`attempt ${attempts} failed: ${e.code}`, { code: e.code });
        if (signal.aborted || attempts >= maxAttempts) return failCall(e);
        // Capped exponential backoff with full jitter: spreads retries of many callers apart.
        const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempts - 1));
        const delay = Math.floor(this.random() * cap);
        if (Date.now() + delay >= deadlineAt) {
          evidence.step('no time left for another attempt before the deadline', { deadlineMs });
          return failCall(e);
        }
        try {
          await this.sleep(delay, signal);
        } catch {
          return failCall(aborted(tool.system, signal, attempts));
        }
      }
    }
  }

  /**
   * The pool's withPage, plus what a failed browser task leaves behind (screenshot, HTML, trace),
   * and the call's signal made real: an abort (deadline) closes the page the task is using, so the
   * task stops now instead of running on until the pool's own task deadline.
   */
  private evidenceWithPage(evidence: EvidenceRecorder, signal: AbortSignal, onReached: () => void = () => {}): WithPage {
    const mode = this.deps.screenshots ?? 'always';
    const traces = this.deps.traces ?? 'failure';
    const pool = this.deps.pool;
    const early = this.deps.screenshotAfterResult === true && mode === 'always';
    return <T>(system: LegacySystem, fn: (page: Page, baseUrl: string) => Promise<T>): Promise<T> => {
      // With `early`, the caller gets the result as soon as the task has it and the screenshot is
      // captured while the page is still leased; the lease ends when the file is written.
      let answer: ((v: T) => void) | null = null;
      const answered = early ? new Promise<T>((resolve) => (answer = resolve)) : null;
      const lease = pool.withPage(
        system,
        async (page, baseUrl) => {
        if (signal.aborted) throw pageReusable(aborted(system, signal, 0));
        const onAbort = () => void page.close().catch(() => undefined);
        signal.addEventListener('abort', onAbort, { once: true });
        const trace = traces === 'failure' ? await traceTask(page) : null;
        let result: T;
        try {
          result = await fn(page, baseUrl);
        } catch (e) {
          // A data-scope refusal: the page shows data the caller may not see, so none of it is kept
          // (the record says why there is no screenshot).
          if (isScopeDenied(e)) {
            await trace?.discard();
            evidence.step('no screenshot: the page holds data outside the caller\'s scope');
            throw e;
          }
          if (mode !== 'off') await shoot(evidence, page, 'screenshot (failed)');
          // A BusinessError is the portal's answer (not found, closed...): the screenshot shows it.
          // What the system did wrong deserves the page's HTML and the trace.
          if (isBusinessError(e)) {
            await trace?.discard();
          } else {
            if (mode !== 'off') {
              const html = await evidence.html(page);
              if (html) evidence.step('page HTML (failed)', { file: html });
            }
            const file = await trace?.keep(evidence);
            if (file) evidence.step('trace (failed)', { file });
          }
          throw e;
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
        await trace?.discard();
        if (answer) {
          // Answer first, then capture: the file's name is in the record already (reserve), and
          // the page stays leased until the PNG is written, so it is never lent mid-capture.
          const shot = evidence.reserve('png', 'screenshot');
          (answer as (v: T) => void)(result);
          await shot.write((abs) => (page.isClosed() ? Promise.reject(new Error('page closed')) : withMaskedPage(page, () => capturePng(page, abs))));
        } else if (mode === 'always') {
          await shoot(evidence, page, 'screenshot');
        }
        return result;
        },
        { onLease: onReached },
      );
      if (!answered) return lease;
      this.finishing.add(lease);
      const done = () => void this.finishing.delete(lease);
      lease.then(done, done);
      // Whichever comes first: the early answer, or the task's own outcome (its failure included).
      return Promise.race([answered, lease]);
    };
  }
}

/**
 * Why a write may not run with these options, or null. The key is what lets a retried or recovered
 * write land once; the approval is what it executes, so the key must be that approval's id. The
 * status is checked again at run time: the type says 'approved', an untyped caller may not.
 */
function writeRefusal(opts: RunToolOptions): BusinessError | null {
  if (!opts.idempotencyKey) {
    return new BusinessError('invalid_input', 'a write needs an approval id as idempotency key', { zh: '写操作需要审批单号作为幂等键' });
  }
  const approval = opts.approval;
  if (!approval || approval.status !== 'approved') {
    return new BusinessError('invalid_input', 'a write runs only for an approved approval, and none was given', {
      zh: '写操作只能按已批准的审批单执行，未提供已批准的审批单',
    });
  }
  if (approval.id !== opts.idempotencyKey) {
    return new BusinessError('invalid_input', "a write's idempotency key must be the id of the approval it executes", {
      zh: '写操作的幂等键必须是所执行审批单的单号',
    });
  }
  return null;
}

function dedupeOwners(owners: readonly ScopeOwner[]): ScopeOwner[] {
  return [...new Map(owners.map((o) => [`${o.kind}:${o.id}`, o])).values()];
}

/** Output declarations use pure resolvers only (validateScope): nothing to read. */
const noReads: ResolveContext = {
  read: () => Promise.reject(new Error('output scope resolvers do not read')),
};

/** Why a call's signal fired when the runner's own deadline did it. */
class DeadlineExceeded extends Error {
  constructor(readonly deadlineMs: number) {
    super(`deadline of ${deadlineMs} ms exceeded`);
  }
}


interface TraceHandle {
  keep(evidence: EvidenceRecorder): Promise<string | null>;
  discard(): Promise<void>;
}

/**
 * Tracing is per BrowserContext, and a system's pages share one context. So tracing starts once
 * per context (screenshots off: we take our own; DOM snapshots on) and each task records a chunk,
 * kept only when the task failed. Two chunks cannot overlap in one context: while one task of a
 * system is being traced, a concurrent task of the same system runs untraced (its screenshot and
 * HTML are still kept). A chunk holds every page of the context during its time, which is what
 * an auditor wants to see anyway.
 */
const tracing = new WeakMap<BrowserContext, { ready: Promise<boolean>; busy: boolean }>();

async function traceTask(page: Page): Promise<TraceHandle | null> {
  let context: BrowserContext;
  try {
    context = page.context();
  } catch {
    return null;
  }
  let st = tracing.get(context);
  if (!st) {
    const ready = (async () => {
      await context.tracing.start({ snapshots: true, screenshots: false });
      await context.tracing.stopChunk(); // start() opens a chunk; from here on, one per task
      return true;
    })().catch(() => false);
    st = { ready, busy: false };
    tracing.set(context, st);
  }
  const state = st;
  if (!(await state.ready) || state.busy) return null;
  state.busy = true;
  try {
    await context.tracing.startChunk();
  } catch {
    state.busy = false;
    return null;
  }
  const stop = async (file?: string): Promise<boolean> => {
    try {
      await context.tracing.stopChunk(file ? { path: file } : undefined);
      return true;
    } catch {
      return false;
    } finally {
      state.busy = false;
    }
  };
  return {
    keep: (evidence) => evidence.file('trace.zip', async (abs) => {
      if (!(await stop(abs))) throw new Error('trace not written');
      // The chunk holds the DOM snapshots and network bodies of the task: masked before it is kept.
      await maskTraceArchive(abs);
    }),
    discard: async () => void (await stop()),
  };
}

/**
 * Name the screenshot file in the evidence now and capture it in the background: the returned
 * promise resolves when the PNG is written (or could not be; evidence never fails a call).
 */
/**
 * A viewport PNG through the DevTools protocol with Chromium's fast PNG encoder: about half the CPU
 * of page.screenshot() (no font/caret/animation preparation round trips, quicker compression).
 * Falls back to page.screenshot() when the CDP session cannot be had.
 */
const cdpSessions = new WeakMap<Page, Promise<CDPSession | null>>();

async function capturePng(page: Page, file: string): Promise<void> {
  let session = cdpSessions.get(page);
  if (!session) {
    session = page
      .context()
      .newCDPSession(page)
      .catch(() => null);
    cdpSessions.set(page, session);
  }
  const cdp = await session;
  if (cdp) {
    const shot = await Promise.race([
      cdp.send('Page.captureScreenshot', { format: 'png', optimizeForSpeed: true } as { format: 'png' }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('screenshot timed out')), 5_000).unref()),
    ]);
    await writeFile(file, Buffer.from(shot.data, 'base64'));
    return;
  }
  await page.screenshot({ path: file, type: 'png', timeout: 5_000 });
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

function aborted(system: string, signal: AbortSignal, attempts: number): SystemError {
  const reason: unknown = signal.reason;
  if (reason instanceof DeadlineExceeded) {
    return new SystemError(
      'timeout',
      system,
      `${system}: no answer within the ${reason.deadlineMs} ms deadline for this call (${attempts} attempt${attempts === 1 ? '' : 's'})`,
      { cause: reason },
    );
  }
  return new SystemError('timeout', system, `${system}: tool call aborted`, { cause: reason });
}

/** Hand control back as soon as the caller aborts; the browser task's page is closed meanwhile. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal, system: string, attempts: number): Promise<T> {
  if (signal.aborted) return Promise.reject(aborted(system, signal, attempts));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(system, signal, attempts));
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
