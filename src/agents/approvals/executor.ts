/**
 * The one approved-write executor (invariants 1, 3 and 4). Every write — resumed from a card
 * click, picked up by the outbox recovery sweep, or run by hand with `npm run tool -- --approval`
 * — goes through `execute()`:
 *
 *   approval approved + unexpired + stored action_hash = hash of what would run
 *   (tool + input + requester + thread; the outbox row's copy too, and the caller's if it has one)
 *   -> requester re-authorized (role; data scope, issue 10 §4)
 *   -> outbox row claimed by one conditional UPDATE (a finished or live-claimed row is refused)
 *   -> a row an earlier attempt left 'running' is verified in the target system first
 *   -> tool run with idempotency key = approval id (tool_calls rows + audit via onRecord)
 *   -> read-back verification
 *   -> outbox row, approval outcome and audit record in one transaction
 *   -> every card copy redrawn
 *
 * Finishing the run and telling the requester is the caller's (the graph's finish node, or the
 * recovery sweep when the checkpoint cannot carry the run to its end).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import type { CardLine } from '../../chat/approval-card.js';
import type { Lang } from '../../chat/lang.js';
import { mayUse, type ScopeOwner } from '../../policies/access.js';
import { actionHash } from '../../policies/action-hash.js';
import { maskDeep, maskText } from '../../policies/masking.js';
import { appendAudit, appendAuditInTx } from '../../store/audit.js';
import {
  claimOutbox,
  finishOutbox,
  getApproval,
  getOutbox,
  renewOutboxClaim,
  setApprovalOutcome,
  type ApprovalRow,
  type OutboxRow,
} from '../../store/approvals-repo.js';
import { updateRun } from '../../store/runs-repo.js';
import { BusinessError, SystemError, isSystemError } from '../../tools/errors.js';
import type { CardLineOut, VerifyResult } from '../../tools/define.js';
import type { ApprovedWrite, ToolCallRecord } from '../../tools/runner.js';
import { recordToolCall } from '../tool-call-log.js';
import { messages } from '../replies.js';
import { crashPoint } from './crash-points.js';
import { checkTargetScope, isScopeDenied, systemCaller, type ToolCaller } from '../../tools/scope.js';
import { scopeDeniedDetails, scopeDeniedText } from '../scope-reply.js';

/** What the executor needs of the tool runtime (tools/runner.ts ToolRunner fits). */
export interface WriteTools {
  run(name: string, input: unknown, opts?: WriteCallOptions): Promise<{ output: unknown; record: ToolCallRecord }>;
  verify(name: string, input: unknown, output: unknown, opts?: WriteCallOptions): Promise<VerifyResult>;
}
export interface WriteCallOptions {
  /** Whose write this is: the requester, whose data scope the runner checks (invariant 10). */
  caller?: ToolCaller;
  /** The write's target owners recorded on the approval: the runner checks them, no re-read. */
  targetScope?: readonly ScopeOwner[];
  runId?: string;
  /** The approval id: the runner refuses a write without it. */
  idempotencyKey: string;
  /** The approved row this write executes; the runner refuses a write whose key is not its id. */
  approval: ApprovedWrite;
  onRecord?(rec: ToolCallRecord): Promise<void> | void;
}

/** Where an execution was started: the graph (a click), the recovery sweep, or the tool CLI. */
export type WriteSource = 'graph' | 'recovery' | 'cli';

export interface ExecuteRequest {
  approvalId: string;
  source: WriteSource;
  /** Who is executing, for the audit trail ('switchboard', 'cli:<os user>'). */
  actor: string;
  /** What the caller would run. Its action hash must equal the approval's. */
  expected?: { tool: string; input: unknown; requesterId: string; threadId: string };
}

export type WriteRefusal =
  | 'not_found'
  | 'not_approved'
  | 'used'
  | 'in_progress'
  | 'no_outbox'
  | 'expired'
  | 'hash_mismatch'
  | 'input_mismatch'
  | 'not_authorized';

export type WriteOutcome =
  | { state: 'verified'; row: ApprovalRow; output: unknown; check: VerifyResult; recovered: boolean; record?: ToolCallRecord }
  | { state: 'unverified'; row: ApprovalRow; output: unknown; check: VerifyResult; record?: ToolCallRecord }
  | { state: 'failed'; row: ApprovalRow; detail: string; error?: unknown; record?: ToolCallRecord }
  | { state: 'refused'; row?: ApprovalRow; reason: WriteRefusal; detail: string }
  /** Another live executor holds the claim (only returned to the recovery sweep). */
  | { state: 'busy'; row: ApprovalRow };

export interface ExecutorDeps {
  db: Db;
  tools: WriteTools;
  directory: Directory;
  /** Redraw every copy of an approval's card. Absent in the CLI: the app's recovery redraws them. */
  refreshCards?(approvalId: string): Promise<void>;
  /**
   * Re-check the requester's right to this write just before it runs (their role or data scope
   * may have changed since the proposal). Default: the requester still exists and may call the
   * tool (policies/access canCallTool). Data-scope checks (issue 10 §4) plug in here.
   */
  authorize?(row: ApprovalRow): Promise<{ allowed: true } | { allowed: false; detail: string }>;
  /** How long a claim holds without renewal; renewed every third of it while the write runs. */
  leaseMs: number;
  /** How often a waiting caller looks again at a row another process is executing. */
  pollMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
}

const t = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en);
/** The same words in each language, for the card copies of readers of either (issue 13). */
type ByLang = Record<Lang, string>;
const both = (zh: string, en: string): ByLang => ({ zh, en });
const LANGS: readonly Lang[] = ['zh', 'en'];
/** A verify() line for a reader: its Chinese form where the tool gave one (labels are English). */
const lineFor = (lang: Lang, l: CardLineOut): CardLine => (lang === 'zh' && l.zh ? { label: l.zh.label, value: l.zh.value } : { label: l.label, value: l.value });

/** A row whose status was checked: only such a row's write is run (and handed to the runner). */
type ApprovedRow = ApprovalRow & { status: 'approved' };
const isApproved = (row: ApprovalRow): row is ApprovedRow => row.status === 'approved';

export class ApprovedWriteExecutor {
  /** This executor's claim name: unique per process start. */
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly inflight = new Map<string, Promise<WriteOutcome>>();

  constructor(private readonly deps: ExecutorDeps) {}

  /** Execute (or report) an approved write. Concurrent calls in this process share one execution. */
  execute(req: ExecuteRequest): Promise<WriteOutcome> {
    const current = this.inflight.get(req.approvalId);
    if (current && req.source !== 'cli') return current;
    const p = this.executeLoop(req).finally(() => {
      if (this.inflight.get(req.approvalId) === p) this.inflight.delete(req.approvalId);
    });
    this.inflight.set(req.approvalId, p);
    return p;
  }

  /** What a finished outbox row records, as an outcome (undefined while unfinished). */
  async recorded(row: ApprovalRow): Promise<WriteOutcome | undefined> {
    const outbox = await getOutbox(this.deps.db, row.id);
    if (!outbox || (outbox.status !== 'done' && outbox.status !== 'failed')) return undefined;
    return this.fromRecord(row, outbox);
  }

  private get exclusiveStore(): boolean {
    // PGlite: one process per data dir, so a claim not ours is a dead process's.
    return this.deps.db.kind === 'pglite';
  }

  private async executeLoop(req: ExecuteRequest): Promise<WriteOutcome> {
    const { db } = this.deps;
    for (;;) {
      const row = await getApproval(db, req.approvalId);
      if (!row) return this.refuse(undefined, req, 'not_found', `approval ${req.approvalId} does not exist`);
      if (!isApproved(row)) {
        return this.refuse(row, req, 'not_approved', t(row.lang, `审批状态为 ${row.status}，未批准`, `the approval is ${row.status}, not approved`));
      }
      const outbox = await getOutbox(db, row.id);
      if (!outbox) return this.refuse(row, req, 'no_outbox', t(row.lang, '没有待执行记录', 'no outbox entry'));
      if (outbox.status === 'done' || outbox.status === 'failed') {
        // Finished already: report it, never run it again. By hand that is a reuse: refused.
        if (req.source === 'cli') return this.refuse(row, req, 'used', `approval ${row.id} was already used (outbox ${outbox.status})`);
        // A crash may have come between the record and the redraw: redraw (idempotent).
        await this.refresh(row.id);
        return this.fromRecord(row, outbox);
      }

      // Invariant 1: what runs is exactly what was approved.
      const identity = { requesterId: row.requester_id, threadId: row.thread_id };
      const stored = actionHash({ tool: row.tool, input: row.input, ...identity });
      const queued = actionHash({ tool: outbox.tool, input: outbox.input, ...identity });
      if (stored !== row.action_hash || queued !== row.action_hash) {
        return this.refuseAndFail(row, req, 'hash_mismatch', t(row.lang, '待执行内容与审批内容不一致', 'what would run differs from what was approved'), both('待执行内容与审批内容不一致', 'what would run differs from what was approved'));
      }
      if (req.expected && actionHash(req.expected) !== row.action_hash) {
        // By hand: the operator typed something else; the approval itself stays usable.
        if (req.source === 'cli') return this.refuse(row, req, 'input_mismatch', `approval ${row.id} was given for a different input or tool`);
        return this.refuseAndFail(row, req, 'hash_mismatch', t(row.lang, '待执行内容与审批内容不一致', 'what would run differs from what was approved'), both('待执行内容与审批内容不一致', 'what would run differs from what was approved'));
      }
      const allowed = await this.recheckRequesterScope(row, outbox.attempts === 0);
      if (!allowed.allowed) return this.refuseAndFail(row, req, 'not_authorized', allowed.detail);
      if (outbox.attempts === 0 && new Date(row.expires_at).getTime() <= Date.now()) {
        return this.refuseAndFail(row, req, 'expired', t(row.lang, '审批已过期，未执行', 'the approval expired before the write ran'), both('审批已过期，未执行', 'the approval expired before the write ran'));
      }

      const claimed = await claimOutbox(db, row.id, { owner: this.owner, leaseMs: this.deps.leaseMs, exclusiveStore: this.exclusiveStore });
      if (!claimed) {
        // Finished in between, or a live executor (another process) holds it.
        const now = await getOutbox(db, row.id);
        if (now && (now.status === 'done' || now.status === 'failed')) continue;
        if (req.source === 'cli') return this.refuse(row, req, 'in_progress', `approval ${row.id} is being executed by ${now?.claimed_by ?? 'another process'}`);
        if (req.source === 'recovery') return { state: 'busy', row };
        await sleep(this.deps.pollMs ?? 250);
        continue;
      }
      const outcome = await this.runClaimed(row, claimed, req);
      if (outcome !== 'lost') return outcome;
      // Our lease lapsed and another executor took over: its record is the answer.
    }
  }

  /**
   * The call site where the requester's right to the write is checked again before it executes
   * (issue 10 §4 data scope extends `deps.authorize`).
   */
  private async recheckRequesterScope(row: ApprovalRow, notStarted: boolean): Promise<{ allowed: true } | { allowed: false; detail: string }> {
    if (this.deps.authorize) return this.deps.authorize(row);
    const requester = this.deps.directory.get(row.requester_id);
    if (!requester) return { allowed: false, detail: `requester ${row.requester_id} is no longer in the directory` };
    // Role and rollout now: a department rolled back to read-only runs no more writes.
    const access = mayUse(requester, row.tool, 'write');
    if (!access.allowed) return { allowed: false, detail: access.detail ?? `${row.requester_id} may not use ${row.tool}` };
    // Scope can shrink between the proposal and the click. Only before a write starts: one already
    // started is decided by its read-back, not refused half-way.
    if (notStarted) {
      try {
        checkTargetScope(row.tool, 'execution', requester, row.target_scope);
      } catch (err) {
        if (!isScopeDenied(err)) throw err;
        await appendAudit(this.deps.db, {
          actor: 'switchboard',
          action: 'data.out_of_scope',
          subject: row.id,
          runId: row.run_id,
          details: { ...scopeDeniedDetails(err), requester: row.requester_id },
        });
        return { allowed: false, detail: scopeDeniedText(row.lang, err) };
      }
    }
    return { allowed: true };
  }

  private async runClaimed(row: ApprovedRow, claimed: OutboxRow, req: ExecuteRequest): Promise<WriteOutcome | 'lost'> {
    const { db, tools } = this.deps;
    crashPoint('outbox.claimed', row.id);
    const heartbeat = setInterval(() => {
      void renewOutboxClaim(db, row.id, this.owner, this.deps.leaseMs).then(
        (ok) => {
          if (!ok) this.log('warn', 'outbox claim lost while executing', { approvalId: row.id });
        },
        (err: Error) => this.log('warn', 'outbox claim renewal failed', { approvalId: row.id, error: err.message }),
      );
    }, Math.max(50, Math.floor(this.deps.leaseMs / 3)));
    heartbeat.unref();
    const requester = this.deps.directory.get(row.requester_id);
    const opts: WriteCallOptions = {
      // The write runs for its requester (checked above); one who has since left the directory is
      // refused before a write starts, so only a started write's read-back runs as the system.
      caller: requester ? { principal: requester } : systemCaller(`approval ${row.id}: requester left the directory`),
      ...(row.target_scope ? { targetScope: row.target_scope } : {}),
      runId: row.run_id,
      idempotencyKey: row.id,
      approval: { id: row.id, status: row.status },
      onRecord: (r) => recordToolCall(db, row.run_id, r, req.actor),
    };
    const input = claimed.input;
    try {
      if (claimed.attempts > 1) {
        // An earlier attempt died after its claim: look in the target system before writing again.
        await appendAudit(db, { actor: req.actor, action: 'write.recovering', subject: row.id, runId: row.run_id, details: { tool: row.tool, attempt: claimed.attempts, source: req.source } });
        const check = await tools.verify(row.tool, input, null, opts).catch(() => null);
        if (check?.ok) return this.finish(row, req, { state: 'verified', output: { recovered: true }, check, recovered: true });
        if (new Date(row.expires_at).getTime() <= Date.now()) {
          return this.finish(row, req, { state: 'failed', detail: t(row.lang, '审批已过期，未重新执行', 'the approval expired before the write could be retried'), byLang: both('审批已过期，未重新执行', 'the approval expired before the write could be retried') });
        }
      }
      let output: unknown;
      let record: ToolCallRecord | undefined;
      try {
        ({ output, record } = await tools.run(row.tool, input, opts));
      } catch (err) {
        if (isSystemError(err)) {
          await updateRun(db, row.run_id, { addSystemErrors: 1 });
          // The portal may have saved before the error reached us: the read-back decides.
          const check = await tools.verify(row.tool, input, null, opts).catch(() => null);
          if (check?.ok) return this.finish(row, req, { state: 'verified', output: { recovered: true }, check, recovered: true });
        }
        return this.finish(row, req, { state: 'failed', detail: userMessage(row.lang, err), byLang: { zh: userMessage('zh', err), en: userMessage('en', err) }, error: err });
      }
      crashPoint('tool.saved', row.id);
      let check: VerifyResult;
      try {
        check = await tools.verify(row.tool, input, output, opts);
      } catch (err) {
        check = { ok: false, lines: [{ label: 'verify', value: err instanceof Error ? err.message : String(err) }] };
      }
      return this.finish(row, req, check.ok ? { state: 'verified', output, check, recovered: false, record } : { state: 'unverified', output, check, record });
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Outbox row, approval outcome and audit record in one transaction; then the cards. */
  private async finish(
    row: ApprovalRow,
    req: ExecuteRequest,
    o:
      | { state: 'verified'; output: unknown; check: VerifyResult; recovered: boolean; record?: ToolCallRecord }
      | { state: 'unverified'; output: unknown; check: VerifyResult; record?: ToolCallRecord }
      | { state: 'failed'; detail: string; byLang?: ByLang; error?: unknown },
  ): Promise<WriteOutcome | 'lost'> {
    const { db } = this.deps;
    // Each reader's copy shows the outcome in their language: the reason, or the read-back.
    const linesIn = (lang: Lang): CardLine[] =>
      o.state === 'failed' ? [{ label: t(lang, '原因', 'Reason'), value: maskText(o.byLang?.[lang] ?? o.detail) }] : maskDeep(o.check.lines.map((l) => lineFor(lang, l)));
    const lines: CardLine[] = o.state === 'failed' ? linesIn(row.lang) : maskDeep(o.check.lines.map((l) => ({ label: l.label, value: l.value })));
    const byLang = Object.fromEntries(LANGS.map((lang) => [lang, linesIn(lang)])) as Record<Lang, CardLine[]>;
    const output = o.state === 'failed' ? undefined : maskDeep(o.output);
    const won = await db.tx(async (client) => {
      const ok = await finishOutbox(
        client,
        row.id,
        o.state === 'verified'
          ? { status: 'done', result: output, owner: this.owner }
          : o.state === 'unverified'
            ? { status: 'failed', result: output, error: 'verification failed', owner: this.owner }
            : { status: 'failed', error: maskText(o.detail), owner: this.owner },
      );
      if (!ok) return false;
      await setApprovalOutcome(client, row.id, { state: o.state === 'verified' ? 'verified' : 'failed', lines, byLang });
      await appendAuditInTx(client, {
        actor: req.actor,
        action: o.state === 'verified' ? 'write.verified' : o.state === 'unverified' ? 'write.unverified' : 'write.failed',
        subject: row.id,
        runId: row.run_id,
        details:
          o.state === 'failed'
            ? { tool: row.tool, idempotencyKey: row.id, source: req.source, detail: maskText(o.detail) }
            : { tool: row.tool, idempotencyKey: row.id, source: req.source, output, verify: lines, ...(o.state === 'verified' && o.recovered ? { recovered: true } : {}) },
      });
      return true;
    });
    if (!won) return 'lost';
    if (o.state !== 'verified') await updateRun(db, row.run_id, { neededHuman: true });
    if (o.state === 'verified') crashPoint('write.verified', row.id);
    await this.refresh(row.id);
    const fresh = (await getApproval(db, row.id)) ?? row;
    if (o.state === 'failed') return { state: 'failed', row: fresh, detail: o.detail, ...(o.error !== undefined ? { error: o.error } : {}) };
    return { ...o, row: fresh };
  }

  private fromRecord(row: ApprovalRow, outbox: OutboxRow): WriteOutcome {
    const lines = row.outcome?.lines ?? [];
    if (outbox.status === 'done') return { state: 'verified', row, output: outbox.result, check: { ok: true, lines }, recovered: true };
    if (outbox.error === 'verification failed') return { state: 'unverified', row, output: outbox.result, check: { ok: false, lines } };
    return { state: 'failed', row, detail: outbox.error ?? t(row.lang, '此前执行失败', 'failed earlier') };
  }

  /** A refusal that leaves the row as it is (nothing to finish, or not ours to finish). */
  private async refuse(row: ApprovalRow | undefined, req: ExecuteRequest, reason: WriteRefusal, detail: string): Promise<WriteOutcome> {
    await appendAudit(this.deps.db, {
      actor: req.actor,
      action: 'write.refused',
      subject: row?.id ?? req.approvalId,
      runId: row?.run_id ?? null,
      details: { reason, source: req.source, tool: row?.tool ?? req.expected?.tool ?? null, detail: maskText(detail) },
    });
    return { state: 'refused', ...(row ? { row } : {}), reason, detail };
  }

  /** A refusal that ends the approved write for good: the outbox row fails, so no sweep retries it. */
  private async refuseAndFail(row: ApprovalRow, req: ExecuteRequest, reason: WriteRefusal, detail: string, byLang?: ByLang): Promise<WriteOutcome> {
    const { db } = this.deps;
    const linesIn = (lang: Lang) => [{ label: t(lang, '原因', 'Reason'), value: maskText(byLang?.[lang] ?? detail) }];
    const lines = linesIn(row.lang);
    const failed = await db.tx(async (client) => {
      const ok = await finishOutbox(client, row.id, { status: 'failed', error: maskText(detail), exclusiveStore: this.exclusiveStore });
      if (ok) await setApprovalOutcome(client, row.id, { state: 'failed', lines, byLang: { zh: linesIn('zh'), en: linesIn('en') } });
      return ok;
    });
    const result = await this.refuse(row, req, reason, detail);
    if (failed) await this.refresh(row.id);
    return { ...result, row: (await getApproval(db, row.id)) ?? row };
  }

  private async refresh(approvalId: string): Promise<void> {
    try {
      await this.deps.refreshCards?.(approvalId);
    } catch (err) {
      this.log('warn', 'card refresh failed', { approvalId, error: (err as Error).message });
    }
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void {
    this.deps.log?.(level, msg, data);
  }
}

function userMessage(lang: Lang, err: unknown): string {
  if (err instanceof BusinessError) {
    const zh = typeof err.details.zh === 'string' ? err.details.zh : undefined;
    return maskText(lang === 'zh' && zh ? zh : err.message);
  }
  if (err instanceof SystemError) return messages.systemDown(lang, err.system);
  return maskText(err instanceof Error ? err.message : String(err));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
