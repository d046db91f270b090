/**
 * The bot replica's tool runtime when RPA runs on workers: every call (a read, a write under its
 * approval, a verify, a write's scope read) is one pg-boss job, answered through rpa_results.
 * The agent sees the same ToolInvoker as with an in-process runner: outputs, typed errors with
 * their records, and each record handed to onRecord (the tool_calls row and its audit are written
 * here, by the asker, as before).
 *
 * Waiting costs no polling interval: the worker's NOTIFY (or, embedded, its direct call) wakes the
 * waiter, which reads and deletes its row in one statement. The waiter also looks now and then on
 * its own (every `lookMs`; faster while notifications are not heard), which finds an answer whose
 * notification was missed and a job whose worker died (pg-boss fails it once its heartbeats stop):
 * that job is sent again, to a live worker (`resends` times), then the call fails as the system
 * being unavailable, handled as any other SystemError.
 */
import type { PgBoss } from 'pg-boss';
import type { ToolInvoker, ToolInvokeOptions, ToolRecordLike } from '../agents/tool-invoker.js';
import type { ScopeOwner } from '../policies/access.js';
import type { Db } from '../store/db.js';
import type { VerifyResult } from '../tools/define.js';
import { SystemError } from '../tools/errors.js';
import type { ApprovedWrite, ToolCallRecord } from '../tools/runner.js';
import { errorFromJson, openResult, RPA_QUEUE, sealRequest, type RpaRequest, type RpaResult } from './rpa-call.js';
import { rpaDoneBus } from './rpa-done.js';
import { JOBS_SCHEMA } from './boss.js';

export interface JobInvokerOptions {
  db: Db;
  boss: PgBoss;
  /** The system a tool belongs to (for the error of a lost job). */
  systemOf(tool: string): string;
  /** Embedded worker: wake it after each send (no other process listens). */
  wakeLocal?: () => void;
  /** How often a waiter looks by itself (default 2 s; 250 ms while notifications are not heard). */
  lookMs?: number;
  /** The longest a call may wait (its deadline plus the worker's margin). */
  maxWaitMs: number;
  /** Times a call whose worker died is sent again before it fails (default 2). */
  resends?: number;
  /** Whether a system's breaker is open, when known here (shared breaker state). */
  circuitOpen?(system: string): boolean;
}

/** A job whose worker died before answering (pg-boss failed it when its heartbeats stopped). */
class LostJob extends SystemError {
  constructor(system: string, message: string) {
    super('unavailable', system, message);
  }
}

type Waiter = { tool: string; started: number; resolve(r: RpaResult): void; reject(e: Error): void };

export interface InvokeOptions extends ToolInvokeOptions {
  targetScope?: readonly ScopeOwner[];
  approval?: ApprovedWrite;
}

export class JobToolInvoker implements ToolInvoker {
  private readonly waiters = new Map<string, Waiter>();
  /** Ids announced before their asker was waiting (a worker faster than send's own reply). */
  private readonly early = new Map<string, number>();
  private readonly bus;
  private unsubscribe: (() => void) | undefined;
  private sent = 0;
  private lost = 0;
  private lookTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: JobInvokerOptions) {
    this.bus = rpaDoneBus(opts.db);
  }

  async run(name: string, input: unknown, opts: InvokeOptions = {}): Promise<{ output: unknown; record: ToolRecordLike }> {
    const r = await this.call({ op: 'run', tool: name, input, ...this.common(opts) }, name, opts);
    const record = r.records.at(-1);
    if (!record) throw new Error(`worker answered ${name} without a record`);
    return { output: r.outcome.ok ? r.outcome.output : undefined, record };
  }

  async verify(name: string, input: unknown, output: unknown, opts: InvokeOptions = {}): Promise<VerifyResult> {
    const r = await this.call({ op: 'verify', tool: name, input, output, ...this.common(opts) }, name, opts);
    if (!r.outcome.ok || !r.outcome.verify) throw new Error(`worker answered verify of ${name} without a result`);
    return r.outcome.verify as VerifyResult;
  }

  async scopeOf(name: string, input: unknown, opts: InvokeOptions): Promise<ScopeOwner[]> {
    const r = await this.call({ op: 'scopeOf', tool: name, input, ...this.common(opts) }, name, opts);
    return r.outcome.ok ? (r.outcome.owners ?? []) : [];
  }

  circuitOpen(system: string): boolean {
    return this.opts.circuitOpen?.(system) ?? false;
  }

  /** Calls waiting for a worker now, and sent so far (for /healthz). */
  stats(): { waiting: number; sent: number; lost: number } {
    return { waiting: this.waiters.size, sent: this.sent, lost: this.lost };
  }

  /** Fail every waiting call (the process is stopping). */
  close(): void {
    if (this.lookTimer) clearTimeout(this.lookTimer);
    this.lookTimer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const [id, w] of this.waiters) {
      this.waiters.delete(id);
      w.reject(new SystemError('unavailable', 'rpa', 'the bot is stopping: the call was not waited for'));
    }
  }

  private common(opts: InvokeOptions): Omit<RpaRequest, 'op' | 'tool' | 'input' | 'output'> {
    return {
      ...(opts.caller && { caller: opts.caller }),
      ...(opts.targetScope && { targetScope: [...opts.targetScope] }),
      ...(opts.runId && { runId: opts.runId }),
      ...(opts.idempotencyKey && { idempotencyKey: opts.idempotencyKey }),
      ...(opts.approval && { approval: { id: opts.approval.id, status: opts.approval.status } }),
    };
  }

  private async call(req: RpaRequest, tool: string, opts: ToolInvokeOptions): Promise<RpaResult & { outcome: { ok: true } }> {
    this.listen();
    let result: RpaResult | undefined;
    for (let sends = 0; !result; sends++) {
      const id = await this.opts.boss.send(RPA_QUEUE, sealRequest(req));
      if (!id) throw new SystemError('unavailable', this.opts.systemOf(tool), 'the RPA job could not be queued');
      this.sent++;
      this.opts.wakeLocal?.();
      try {
        result = await this.wait(id, tool);
      } catch (e) {
        // Its worker died holding it: sent again, to whichever worker is alive. Safe for a write
        // too: it carries the approval's id as its idempotency key, and the target system keeps
        // that key with the record, so a second run after a first that saved lands once.
        if (!(e instanceof LostJob) || sends >= (this.opts.resends ?? 2)) throw e;
        this.lost++;
      }
    }
    for (const rec of result.records) await opts.onRecord?.(rec as ToolCallRecord);
    const outcome = result.outcome;
    if (!outcome.ok) {
      const record = outcome.record;
      // The error's own record was handed over with the others; a record not among them (a
      // refusal before the tool ran) still reaches the caller's log once.
      if (record && !result.records.some((r) => r.callId === record.callId)) await opts.onRecord?.(record);
      throw errorFromJson(outcome.error, record);
    }
    return result as RpaResult & { outcome: { ok: true } };
  }

  private listen(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.bus.subscribe(
      (jobId) => {
        if (this.waiters.has(jobId)) return void this.collect(jobId);
        // Maybe ours, its send() not yet returned; kept briefly (another replica's ids age out).
        const now = Date.now();
        this.early.set(jobId, now);
        if (this.early.size > 1000) for (const [k, at] of this.early) if (now - at > 10_000 || this.early.size > 1000) this.early.delete(k);
      },
      () => void (this.waiters.size > 0 && this.collectMany([...this.waiters.keys()]).catch(() => undefined)),
    );
  }

  private wait(id: string, tool: string): Promise<RpaResult> {
    return new Promise<RpaResult>((resolve, reject) => {
      const done = (fn: () => void) => {
        this.waiters.delete(id);
        fn();
      };
      this.waiters.set(id, { tool, started: Date.now(), resolve: (r) => done(() => resolve(r)), reject: (e) => done(() => reject(e)) });
      if (this.early.delete(id)) void this.collect(id);
      this.scheduleLook();
    });
  }

  /** One look for every waiting call, not one per call: its cost stays two statements however many wait. */
  private scheduleLook(): void {
    if (this.lookTimer || this.waiters.size === 0) return;
    this.lookTimer = setTimeout(() => {
      this.lookTimer = undefined;
      void this.lookAll()
        .catch(() => undefined)
        .finally(() => this.scheduleLook());
    }, this.bus.live() ? (this.opts.lookMs ?? 2000) : 250);
    this.lookTimer.unref();
  }

  /**
   * Answers whose notification was missed, and jobs whose worker died (pg-boss failed them once
   * their heartbeats stopped) or that are gone. Reads pg-boss's job table directly: one query for
   * all of them (its API reads a job at a time).
   */
  private async lookAll(): Promise<void> {
    const ids = [...this.waiters.keys()];
    if (ids.length === 0) return;
    await this.collectMany(ids);
    const left = ids.filter((id) => this.waiters.has(id));
    if (left.length === 0) return;
    const states = await this.opts.db.query<{ id: string; state: string }>(`SELECT id, state FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND id = ANY($2::uuid[])`, [RPA_QUEUE, left]);
    const stateOf = new Map(states.rows.map((r) => [r.id, r.state]));
    const lost = left.filter((id) => !stateOf.has(id) || stateOf.get(id) === 'failed' || stateOf.get(id) === 'cancelled');
    // The worker answers before pg-boss marks the row: read once more before calling a job lost.
    if (lost.length > 0) await this.collectMany(lost);
    const now = Date.now();
    for (const id of left) {
      const w = this.waiters.get(id);
      if (!w) continue;
      const system = this.opts.systemOf(w.tool);
      if (lost.includes(id)) w.reject(new LostJob(system, stateOf.has(id) ? `the worker running ${w.tool} stopped before it answered` : `the RPA job for ${w.tool} is gone`));
      else if (now - w.started > this.opts.maxWaitMs) w.reject(new SystemError('timeout', system, `no worker answered ${w.tool} in time`));
    }
  }

  private async collectMany(ids: string[]): Promise<void> {
    const res = await this.opts.db.query<{ job_id: string; result: unknown }>('DELETE FROM rpa_results WHERE job_id = ANY($1::uuid[]) RETURNING job_id, result', [ids]);
    for (const row of res.rows) this.deliver(row.job_id, row.result);
  }

  /** Read (and delete) a job's answer; true when there was one and its waiter got it. */
  private async collect(id: string): Promise<boolean> {
    const w = this.waiters.get(id);
    if (!w) return false;
    const res = await this.opts.db.query<{ result: unknown }>('DELETE FROM rpa_results WHERE job_id = $1 RETURNING result', [id]);
    const row = res.rows[0];
    if (!row) return false;
    this.deliver(id, row.result);
    return true;
  }

  private deliver(id: string, sealed: unknown): void {
    const w = this.waiters.get(id);
    if (!w) return;
    try {
      w.resolve(openResult(sealed));
    } catch (e) {
      w.reject(new SystemError('unexpected_page', 'rpa', `the worker's answer could not be read: ${(e as Error).message}`));
    }
  }
}
