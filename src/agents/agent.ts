/**
 * The Agent wires the rooms together: planners (understand), policies (authorize, approvers,
 * masking), tools (read, write, verify), store (runs, approvals, outbox, audit) and channels
 * (replies and every copy of a card). The graph decides the order; this class does the I/O.
 */
import { Command } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { z } from 'zod';
import type { Channel, ChannelName, CardAction, InboundMessage, MessageRef, OutboundMessage } from '../chat/channel.js';
import type { Db } from '../store/db.js';
import type { Directory } from '../store/directory.js';
import type { Principal } from '../policies/principals.js';
import { canCallTool, ownersOutOfScope, type ScopeOwner } from '../policies/access.js';
import { approversFor, mayDecide } from '../policies/approval-rules.js';
import { actionHash } from '../policies/action-hash.js';
import { maskDeep, maskText } from '../policies/masking.js';
import { appendAudit } from '../store/audit.js';
import { uuidFromKey } from '../lib/ids.js';
import { createRun, getRun, updateRun, FINAL_RUN_STATUSES, type RunStatus } from '../store/runs-repo.js';
import {
  addApprovalMessage,
  approvalMessages,
  createApproval,
  decideApproval,
  expireApprovals,
  getApproval,
  setApprovalOutcome,
} from '../store/approvals-repo.js';
import { BusinessError, SystemError, isBusinessError, isSystemError } from '../tools/errors.js';
import type { AnyTool, VerifyResult } from '../tools/define.js';
import { ApprovedWriteExecutor } from './approvals/executor.js';
import { OutboxRecovery, outcomeUpdate } from './approvals/recovery.js';
import { refreshApprovalCards } from './approvals/cards.js';
import { armCrash, crashPoint } from './approvals/crash-points.js';
import { recordToolCall } from './tool-call-log.js';
import type { ToolCallRecord } from '../tools/runner.js';
import { checkTargetScope, isScopeDenied, ScopeDenied, systemCaller, type ToolCaller } from '../tools/scope.js';
import { noApproverInScopeText, scopeDeniedDetails, scopeDeniedText } from './scope-reply.js';
import { buildGraph, type AgentGraph, type AgentNodes, type AgentStateUpdate, type AgentStateValue, type DecisionSignal } from './graph.js';
import { runFlow } from '../skills/router.js';
import type { FlowTools } from '../skills/contract.js';
import type { Planner } from '../skills/index.js';
import { detectLang, type Lang } from '../chat/lang.js';
import { formatTime } from '../chat/locale.js';
import { messages, refusalText } from './replies.js';
import { approvalView } from './approval-view.js';
import { PolicyDenied } from '../skills/denials.js';
import { ThreadLock, isBusyError, type ThreadLockOptions } from './thread-lock.js';
import type { FreeFormResponder } from './llm/index.js';

/** What the agent needs of the tool runtime (tools/runner.ts ToolRunner fits). */
export interface ToolInvoker {
  run(name: string, input: unknown, opts?: ToolInvokeOptions): Promise<{ output: unknown; record: ToolRecordLike }>;
  verify(name: string, input: unknown, output: unknown, opts?: ToolInvokeOptions): Promise<VerifyResult>;
  /** A write's target owners, checked against opts.caller (ToolRunner.scopeOf; throws ScopeDenied). */
  scopeOf(name: string, input: unknown, opts: ToolInvokeOptions): Promise<ScopeOwner[]>;
  /** Whether the system's circuit breaker refuses calls right now (ToolRunner.circuitOpen). */
  circuitOpen?(system: string): boolean;
}
export interface ToolInvokeOptions {
  /** Whom the call is for; the runner checks the tool's data scope against it (invariant 10). */
  caller?: ToolCaller;
  runId?: string;
  idempotencyKey?: string;
  onRecord?(rec: ToolRecordLike): Promise<void> | void;
}
/** The runner's record of one call (tools/runner.ts). */
export type ToolRecordLike = ToolCallRecord;

export interface ChannelDirectory {
  get(name: ChannelName): Channel | undefined;
}

export interface AgentDeps {
  db: Db;
  directory: Directory;
  planner: Planner;
  /** Requests the command planner cannot place (agents/llm): the LLM, or a once-per-conversation note that it is needed. */
  freeForm?: FreeFormResponder;
  tools: ToolInvoker;
  toolDefs: { get(name: string): AnyTool | undefined };
  channels: ChannelDirectory;
  checkpointer: BaseCheckpointSaver;
  approvalTtlSeconds: number;
  /** How long an executor's outbox claim holds without renewal (OUTBOX_LEASE_MS). Default 60 s. */
  outboxLeaseMs?: number;
  /** Per-thread serialization (config THREAD_LEASE_TTL_MS, THREAD_LOCK_WAIT_MS). */
  threadLock?: ThreadLockOptions;
  log?: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
}

export type DecisionResult =
  | { status: 'approved' | 'rejected'; approvalId: string; message: string; done: Promise<void> }
  | { status: 'refused'; approvalId: string; reason: string; message: string };

export interface TurnResult {
  runId: string | null;
  /** Messages this turn sent to the requester's conversation. */
  sent: MessageRef[];
}

export class Agent implements AgentNodes {
  readonly graph: AgentGraph;
  private readonly lock: ThreadLock;
  /** Message refs sent per run while a turn is being handled (for the console's ?wait=1). */
  private readonly sentByRun = new Map<string, MessageRef[]>();
  private readonly background = new Set<Promise<unknown>>();
  /** The one path every approved write takes (agents/approvals/executor.ts). */
  readonly executor: ApprovedWriteExecutor;
  private readonly recovery: OutboxRecovery;

  constructor(private readonly deps: AgentDeps) {
    this.lock = new ThreadLock(deps.db, { ...deps.threadLock, log: (level, msg, data) => this.log(level, msg, data) });
    this.graph = buildGraph(this, deps.checkpointer);
    this.executor = new ApprovedWriteExecutor({
      db: deps.db,
      tools: deps.tools,
      directory: deps.directory,
      refreshCards: (id) => this.refreshCards(id),
      leaseMs: deps.outboxLeaseMs ?? 60_000,
      log: (level, msg, data) => this.log(level, msg, data),
    });
    this.recovery = new OutboxRecovery({
      db: deps.db,
      directory: deps.directory,
      executor: this.executor,
      lock: this.lock,
      resume: (threadId, signal) => this.resume(threadId, signal),
      send: async (channel, conversationId, text, runId) => {
        await this.send(channel, conversationId, { kind: 'text', text }, runId);
      },
      refreshCards: (id) => this.refreshCards(id),
      log: (level, msg, data) => this.log(level, msg, data),
    });
  }

  // ---------------------------------------------------------------- inbound

  /** One inbound chat message, already in the inbox. Safe to call again for the same event. */
  async handleMessage(msg: InboundMessage): Promise<TurnResult> {
    try {
      return await this.handleMessageOnce(msg);
    } catch (err) {
      // The database or the thread was too busy for this turn: it fails alone, with an answer.
      if (!isBusyError(err)) throw err;
      return this.answerBusy(msg, err);
    }
  }

  private async answerBusy(msg: InboundMessage, err: unknown): Promise<TurnResult> {
    const runId = uuidFromKey(`run:${msg.channel}:${msg.messageId}`);
    const lang = detectLang(msg.text);
    this.log('warn', 'turn failed: database or thread busy', { runId, error: err instanceof Error ? err.message : String(err) });
    // Best effort: the database that just failed this turn may still be busy.
    await updateRun(this.deps.db, runId, { status: 'failed' }).catch(() => undefined);
    await appendAudit(this.deps.db, { actor: 'switchboard', action: 'run.busy', subject: msg.conversationId, runId, details: { channel: msg.channel } }).catch(() => undefined);
    const ref = await this.send(msg.channel, msg.conversationId, { kind: 'text', text: messages.busy(lang) });
    return { runId, sent: ref ? [ref] : [] };
  }

  private async handleMessageOnce(msg: InboundMessage): Promise<TurnResult> {
    const { db, directory } = this.deps;
    const principal = directory.byPlatformUser(msg.channel, msg.sender.id);
    const lang = detectLang(msg.text);
    if (!principal) {
      await appendAudit(db, {
        actor: `${msg.channel}:${msg.sender.id}`,
        action: 'identity.unknown',
        subject: msg.conversationId,
        details: { channel: msg.channel, text: maskText(msg.text).slice(0, 200) },
      });
      const ref = await this.send(msg.channel, msg.conversationId, { kind: 'text', text: refusalText(lang, { reason: 'not_enrolled' }) });
      return { runId: null, sent: ref ? [ref] : [] };
    }
    const runId = uuidFromKey(`run:${msg.channel}:${msg.messageId}`);
    const existing = await getRun(db, runId);
    if (existing && existing.status !== 'running') return { runId, sent: [] };

    this.sentByRun.set(runId, []);
    try {
      if (!existing) {
        await createRun(db, {
          id: runId,
          inboxId: null,
          channel: msg.channel,
          conversationId: msg.conversationId,
          requesterId: principal.id,
          department: principal.department,
          lang,
        });
        await appendAudit(db, {
          actor: principal.id,
          action: 'message.received',
          subject: msg.conversationId,
          runId,
          details: { channel: msg.channel, messageId: msg.messageId, text: maskText(msg.text) },
        });
      }
      await this.lock.run(runId, async (abort) => {
        const config = { configurable: { thread_id: runId }, signal: abort };
        const input = { runId, channel: msg.channel, conversationId: msg.conversationId, requesterId: principal.id, text: msg.text, lang };
        const waitsForDecision = (st: { tasks: readonly { interrupts: readonly unknown[] }[] }) => st.tasks.some((t) => t.interrupts.length > 0);
        const state = await this.graph.getState(config);
        if (state.next.length > 0) {
          // A crash interrupted this run mid-graph: continue from its last checkpoint.
          if (!waitsForDecision(state)) await this.graph.invoke(null, config);
        } else if (!(state.values as AgentStateValue | undefined)?.runId) {
          await this.graph.invoke(input, config);
        }
        // The run table, not the checkpoint, says whether the turn ended: a process killed mid-turn
        // can leave a checkpoint with no next step for a run that never finished (measured on
        // PostgreSQL). Such a turn runs again from its input: its reads are safe to repeat and a
        // proposal is idempotent (one approval per run and tool, cards sent once).
        if ((await getRun(db, runId))?.status === 'running' && !waitsForDecision(await this.graph.getState(config))) {
          await this.graph.invoke(input, config);
        }
      });
      return { runId, sent: this.sentByRun.get(runId) ?? [] };
    } finally {
      this.sentByRun.delete(runId);
    }
  }

  /** A click on an approval card. Identity comes from the platform envelope (action.actor). */
  async decide(action: CardAction): Promise<DecisionResult> {
    const { db, directory } = this.deps;
    const row = await getApproval(db, action.approvalId);
    const lang: Lang = row?.lang ?? 'zh';
    const actor = directory.byPlatformUser(action.channel, action.actor.id);
    const refuse = async (reason: string, message: string, actorId: string): Promise<DecisionResult> => {
      await appendAudit(db, {
        actor: actorId,
        action: 'approval.refused',
        subject: action.approvalId,
        runId: row?.run_id ?? null,
        details: { reason, decision: action.decision, channel: action.channel, eventId: action.messageId },
      });
      return { status: 'refused', approvalId: action.approvalId, reason, message };
    };
    if (!actor) return refuse('not_enrolled', refusalText(lang, { reason: 'not_enrolled' }), `${action.channel}:${action.actor.id}`);
    if (!row) return refuse('not_found', refusalText(lang, { reason: 'not_found' }), actor.id);

    const right = mayDecide(actor, { requesterId: row.requester_id, approverIds: row.approver_ids, targetScope: row.target_scope });
    if (!right.allowed) {
      if (right.reason === 'out_of_scope') {
        // The approver would decide on data they may not see (the audit row says so, the reply names the region only).
        const denied = new ScopeDenied(row.tool, 'approver', row.target_scope ? 'out_of_scope' : 'unresolved', ownersOutOfScope(actor, row.target_scope ?? []));
        return refuse('out_of_scope', scopeDeniedText(lang, denied), actor.id);
      }
      const approvers = row.approver_ids.map((id) => directory.get(id)?.name ?? id);
      const text =
        right.reason === 'self_approval' ? refusalText(lang, { reason: 'self_approval' }) : refusalText(lang, { reason: right.reason, approvers });
      return refuse(right.reason, text, actor.id);
    }
    const comment = action.comment?.trim() ? maskText(action.comment.trim()).slice(0, 500) : null;
    if (action.decision === 'reject' && !comment && row.status === 'pending') {
      return refuse('comment_required', refusalText(lang, { reason: 'comment_required' }), actor.id);
    }
    // An approval spent now would only fail against a system known to be down: keep it pending.
    const writeSystem = this.deps.toolDefs.get(row.tool)?.system;
    if (action.decision === 'approve' && row.status === 'pending' && writeSystem && this.deps.tools.circuitOpen?.(writeSystem)) {
      return refuse('circuit_open', refusalText(lang, { reason: 'circuit_open', system: writeSystem }), actor.id);
    }

    const outcome = await decideApproval(db, {
      id: row.id,
      status: action.decision === 'approve' ? 'approved' : 'rejected',
      deciderId: actor.id,
      comment,
      auditDetails: { channel: action.channel, eventId: action.messageId, tool: row.tool, comment },
    });
    if (!outcome.won) {
      const current = outcome.current ?? row;
      if (current.status === 'approved' || current.status === 'rejected') {
        const by = directory.get(current.decided_by ?? '')?.name ?? current.decided_by ?? '?';
        const at = current.decided_at ? formatTime(current.decided_at) : '';
        return refuse('already_decided', refusalText(lang, { reason: 'already_decided', status: current.status, by, at }), actor.id);
      }
      // Expired, whether or not the sweeper has marked it yet.
      this.track(this.sweepExpired());
      return refuse('expired', refusalText(lang, { reason: 'expired', at: formatTime(current.expires_at) }), actor.id);
    }

    const decided = outcome.row;
    armCrash(decided.id);
    crashPoint('decision.committed', decided.id);
    if (decided.status === 'approved') await setApprovalOutcome(db, decided.id, { state: 'executing', lines: [] });
    await this.refreshCards(decided.id);
    const done = this.resume(decided.thread_id, { approvalId: decided.id, status: decided.status as 'approved' | 'rejected' });
    this.track(done);
    const message =
      decided.status === 'approved'
        ? messages.decisionApproved(lang, decided.title)
        : messages.decisionRejected(lang, decided.title, directory.get(decided.requester_id)?.name ?? decided.requester_id);
    return { status: decided.status as 'approved' | 'rejected', approvalId: decided.id, message, done };
  }

  // ---------------------------------------------------------------- graph nodes

  async understand(s: AgentStateValue): Promise<AgentStateUpdate> {
    const plan = await this.deps.planner.plan(s.text);
    await updateRun(this.deps.db, s.runId, { flow: plan.flow });
    return { plan, lang: plan.lang };
  }

  async gather(s: AgentStateValue): Promise<AgentStateUpdate> {
    const principal = this.requester(s);
    if (!s.plan) return { status: 'failed', reply: messages.unknown(s.lang) };
    try {
      const tools = this.flowTools(s, principal);
      const { freeForm } = this.deps;
      const result = freeForm?.wants(s.plan)
        ? await freeForm.respond({ runId: s.runId, channel: s.channel, conversationId: s.conversationId, text: s.text, lang: s.lang, principal, tools, commandPlan: s.plan })
        : await runFlow(s.plan, tools);
      if (result.kind === 'reply') return { reply: result.text, status: result.status };
      return { proposal: result.proposal, unresolved: result.unresolved };
    } catch (err) {
      return this.failure(s, err);
    }
  }

  async propose(s: AgentStateValue): Promise<AgentStateUpdate> {
    const { db, directory, toolDefs } = this.deps;
    const proposal = s.proposal!;
    const principal = this.requester(s);
    const access = canCallTool(principal, proposal.tool);
    if (!access.allowed) {
      await appendAudit(db, { actor: principal.id, action: 'tool.denied', subject: proposal.tool, runId: s.runId, details: { detail: access.detail } });
      return { status: 'denied', reply: messages.denied(s.lang, proposal.tool) };
    }
    const tool = toolDefs.get(proposal.tool);
    if (!tool || tool.effect !== 'write' || !tool.summarize) throw new Error(`${proposal.tool} is not a write tool`);
    const input = tool.input.parse(proposal.input) as Record<string, unknown>;
    // The write's target scope: the requester must have it, and so must every approver.
    let targetScope: ScopeOwner[];
    try {
      targetScope = await this.deps.tools.scopeOf(proposal.tool, input, { caller: { principal }, runId: s.runId, onRecord: (r) => this.recordToolCall(s.runId, r) });
    } catch (err) {
      if (isScopeDenied(err)) return { status: 'denied', reply: await this.scopeDenied(s, principal, err) };
      return this.failure(s, err);
    }
    const approvers = approversFor(principal, directory.all(), targetScope);
    if (approvers.length === 0) {
      // Say which it is: no manager at all, or none who may see this data.
      const anyManager = approversFor(principal, directory.all(), []).length > 0;
      return { status: 'denied', reply: anyManager ? noApproverInScopeText(s.lang, targetScope) : messages.noApprover(s.lang) };
    }
    const approvalId = uuidFromKey(`approval:${s.runId}:${proposal.tool}`);
    const { row, created } = await createApproval(db, {
      id: approvalId,
      runId: s.runId,
      threadId: s.runId,
      tool: proposal.tool,
      input,
      actionHash: actionHash({ tool: proposal.tool, input, requesterId: principal.id, threadId: s.runId }),
      requesterId: principal.id,
      department: principal.department,
      approverIds: approvers.map((a) => a.id),
      title: proposal.title,
      lines: maskDeep(tool.summarize(input, s.lang)),
      lang: s.lang,
      ttlSeconds: this.deps.approvalTtlSeconds,
      targetScope,
    });
    if (created) {
      await appendAudit(db, {
        actor: principal.id,
        action: 'approval.requested',
        subject: row.id,
        runId: s.runId,
        details: { tool: row.tool, input: maskDeep(input), approvers: row.approver_ids, targetScope: targetScope.map((o) => `${o.kind}:${o.id}`), expiresAt: new Date(row.expires_at).toISOString() },
      });
    }
    // Cards go out once: a re-run of this node (after a crash) finds the copies already recorded.
    if ((await approvalMessages(db, row.id)).length === 0) {
      const card: OutboundMessage = { kind: 'card', card: approvalView(row, directory) };
      const text = messages.proposal(s.lang, row.title, approvers.map((a) => a.name), s.unresolved, proposal.lookedUp === true);
      await this.send(s.channel, s.conversationId, { kind: 'text', text }, s.runId);
      const ref = await this.send(s.channel, s.conversationId, card, s.runId);
      if (ref) await addApprovalMessage(db, { approvalId: row.id, ...ref });
      const channel = this.deps.channels.get(s.channel);
      // Approvers may share a conversation (a department approval group): one copy each place.
      const reached = new Set([s.conversationId]);
      for (const approver of approvers) {
        for (const platformId of directory.platformIdsOf(s.channel, approver.id)) {
          const conv = await channel?.personalConversation({ channel: s.channel, id: platformId });
          if (!conv || reached.has(conv)) continue;
          reached.add(conv);
          await this.send(s.channel, conv, { kind: 'text', text: messages.approvalSent(s.lang, principal.name, row.title) });
          const copy = await this.send(s.channel, conv, card);
          if (copy) await addApprovalMessage(db, { approvalId: row.id, ...copy });
        }
      }
    }
    await updateRun(db, s.runId, { status: 'awaiting_approval', neededHuman: true });
    return { approvalId: row.id, reply: null };
  }

  async execute(s: AgentStateValue): Promise<AgentStateUpdate> {
    const { db, directory } = this.deps;
    let row = await getApproval(db, s.approvalId ?? '');
    if (!row) return { status: 'failed', reply: refusalText(s.lang, { reason: 'not_found' }) };
    if (row.status === 'pending') {
      if (new Date(row.expires_at).getTime() > Date.now()) return {};
      await expireApprovals(db);
      row = (await getApproval(db, row.id))!;
    }
    const waitedMs = (row.decided_at ? new Date(row.decided_at).getTime() : Date.now()) - new Date(row.created_at).getTime();
    await updateRun(db, s.runId, { approvalWaitMs: waitedMs });
    const by = directory.get(row.decided_by ?? '')?.name ?? row.decided_by ?? '';
    if (row.status === 'rejected') return { status: 'rejected', reply: messages.rejected(s.lang, row.title, by, row.comment ?? '') };
    if (row.status === 'expired') return { status: 'expired', reply: messages.expired(s.lang, row.title) };
    const proposal = s.proposal;
    const outcome = await this.executor.execute({
      approvalId: row.id,
      source: 'graph',
      actor: 'switchboard',
      // What this run proposed: the executor refuses unless its hash is the approved one.
      expected: {
        tool: proposal?.tool ?? '',
        input: proposal ? this.deps.toolDefs.get(proposal.tool)?.input.parse(proposal.input) : null,
        requesterId: s.requesterId,
        threadId: s.runId,
      },
    });
    return outcomeUpdate(outcome, s.lang, row.title, by);
  }

  async finish(s: AgentStateValue): Promise<AgentStateUpdate> {
    const status: RunStatus = s.status ?? 'failed';
    if (s.reply) await this.send(s.channel, s.conversationId, { kind: 'text', text: s.reply }, s.runId);
    await updateRun(this.deps.db, s.runId, { status });
    await appendAudit(this.deps.db, {
      actor: 'switchboard',
      action: 'run.finished',
      subject: s.runId,
      runId: s.runId,
      details: { status, flow: s.plan?.flow ?? null, approvalId: s.approvalId },
    });
    return { status };
  }

  // ---------------------------------------------------------------- approvals

  /** Redraw every copy of an approval card from the approval row (the single source). */
  async refreshCards(approvalId: string): Promise<void> {
    await refreshApprovalCards({ ...this.deps, warn: (msg, data) => this.log('warn', msg, data) }, approvalId);
  }

  /** Wake the thread waiting on an approval. Serialized per thread; safe to call twice. */
  resume(threadId: string, signal: DecisionSignal): Promise<void> {
    return this.lock.run(threadId, async (abort) => {
      const config = { configurable: { thread_id: threadId }, signal: abort };
      const state = await this.graph.getState(config);
      if (state.next.length === 0) return;
      if (!state.tasks.some((t) => t.interrupts.length > 0)) {
        // Crashed before reaching the interrupt: run up to it first.
        await this.graph.invoke(null, config);
        const again = await this.graph.getState(config);
        if (!again.tasks.some((t) => t.interrupts.length > 0)) return;
      }
      await this.graph.invoke(new Command({ resume: signal }), config);
    });
  }

  /** Approvals past their expiry: mark them, redraw their cards, and let their runs end. */
  async sweepExpired(): Promise<number> {
    const expired = await expireApprovals(this.deps.db);
    for (const row of expired) {
      await this.refreshCards(row.id);
      this.track(this.resume(row.thread_id, { approvalId: row.id, status: 'expired' }));
    }
    return expired.length;
  }

  /**
   * At start-up and periodically (OUTBOX_RECOVERY_MS): every approved, unfinished outbox row is
   * executed or verified, and every decided run brought to its end (agents/approvals/recovery.ts).
   * Runs in the background; idle() waits for it.
   */
  recover(): Promise<number> {
    const sweep = this.recovery.sweep();
    this.track(sweep);
    return sweep;
  }

  /** Wait for background resumes (tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    await this.lock.idle();
  }

  // ---------------------------------------------------------------- helpers

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((err) => this.log('error', 'background task failed', { error: (err as Error).message }));
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }

  private requester(s: AgentStateValue): Principal {
    const p = this.deps.directory.get(s.requesterId);
    if (!p) throw new Error(`unknown requester ${s.requesterId}`);
    return p;
  }

  private flowTools(s: AgentStateValue, principal: Principal): FlowTools {
    // Progress of a long flow: one message, updated in place (a new one if the update fails).
    let progressRef: MessageRef | undefined;
    const progress = async (text: string): Promise<void> => {
      const channel = this.deps.channels.get(s.channel);
      if (progressRef && channel) {
        try {
          await channel.update(progressRef, { kind: 'text', text: maskText(text) });
          return;
        } catch (err) {
          this.log('warn', 'progress update failed', { runId: s.runId, error: (err as Error).message });
        }
      }
      progressRef = await this.send(s.channel, s.conversationId, { kind: 'text', text }, s.runId);
    };
    return {
      progress,
      call: async <S extends z.ZodType>(tool: string, input: unknown, output: S): Promise<z.infer<S>> => {
        const access = canCallTool(principal, tool);
        if (!access.allowed) {
          await appendAudit(this.deps.db, { actor: principal.id, action: 'tool.denied', subject: tool, runId: s.runId, details: { detail: access.detail } });
          throw new PolicyDenied('role', tool, messages.denied(s.lang, tool));
        }
        let res: { output: unknown };
        try {
          // The runner checks the tool's declared data scope against the caller, before and after the call.
          res = await this.deps.tools.run(tool, input, { caller: { principal }, runId: s.runId, onRecord: (r) => this.recordToolCall(s.runId, r) });
        } catch (err) {
          if (isScopeDenied(err)) throw new PolicyDenied('scope', tool, await this.scopeDenied(s, principal, err));
          throw err;
        }
        return output.parse(res.output) as z.infer<S>;
      },
    };
  }

  /** A data-scope refusal: audited as data.out_of_scope, answered in the request's language. */
  private async scopeDenied(s: AgentStateValue, principal: Principal, err: ScopeDenied): Promise<string> {
    await appendAudit(this.deps.db, { actor: principal.id, action: 'data.out_of_scope', subject: err.tool, runId: s.runId, details: scopeDeniedDetails(err) });
    return scopeDeniedText(s.lang, err);
  }

  private async recordToolCall(runId: string, r: ToolRecordLike): Promise<void> {
    await recordToolCall(this.deps.db, runId, r);
  }

  private failure(s: AgentStateValue, err: unknown): AgentStateUpdate {
    if (err instanceof PolicyDenied) return { status: 'denied', reply: err.reply };
    if (isBusyError(err)) return { status: 'failed', reply: messages.busy(s.lang) };
    if (isBusinessError(err)) return { status: 'business_error', reply: this.userMessage(s.lang, err) };
    if (isSystemError(err)) return { status: 'failed', reply: messages.systemDown(s.lang, err.system) };
    this.log('error', 'flow failed', { runId: s.runId, error: err instanceof Error ? err.stack : String(err) });
    return { status: 'failed', reply: s.lang === 'zh' ? '处理时出现内部错误，已记录，请稍后重试。' : 'Something went wrong on our side; it was logged. Please try again.' };
  }

  private userMessage(lang: Lang, err: Error): string {
    if (err instanceof BusinessError) {
      const zh = typeof err.details.zh === 'string' ? err.details.zh : undefined;
      return maskText(lang === 'zh' && zh ? zh : err.message);
    }
    if (err instanceof SystemError) return messages.systemDown(lang, err.system);
    return maskText(err.message);
  }

  /** Send through the channel; every outbound text is masked here, the one way out. */
  private async send(channelName: ChannelName, conversationId: string, message: OutboundMessage, runId?: string): Promise<MessageRef | undefined> {
    const channel = this.deps.channels.get(channelName);
    if (!channel) {
      this.log('warn', 'no channel to send to', { channel: channelName });
      return undefined;
    }
    const masked: OutboundMessage = message.kind === 'text' ? { kind: 'text', text: maskText(message.text) } : message;
    const ref = await channel.send(conversationId, masked);
    if (runId) this.sentByRun.get(runId)?.push(ref);
    return ref;
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void {
    (this.deps.log ?? defaultLog)(level, msg, data);
  }
}

function defaultLog(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void {
  const line = `[agent] ${msg}${data ? ` ${JSON.stringify(maskDeep(data))}` : ''}`;
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
}

export { FINAL_RUN_STATUSES };
