/**
 * The approval lifecycle of a write, from the proposal to its end:
 *   propose  the approval row (role, target scope, approvers), cards to the requester and approvers
 *   decide   a card click, with every refusal rule, then the thread is resumed
 *   execute  the graph's step after the decision: rejected, expired, or the one executor
 *   refreshCards, sweepExpired, recover (the outbox sweep, approvals/recovery.ts)
 * The graph calls propose and execute; the turn (agents/turn.ts) owns everything else of a run.
 */
import { applyTier, approvalRuleFor, type RiskTier } from '../../policies/policy.js';
import type { RateLimits } from '../rate-limits.js';
import type { CardAction, ChannelName, OutboundMessage } from '../../chat/channel.js';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import type { Principal } from '../../policies/principals.js';
import { ownersOutOfScope, scopeFilterOf, type ScopeOwner } from '../../policies/access.js';
import { approversFor, mayDecide } from '../../policies/approval-rules.js';
import { mayStandIn } from '../../policies/delegation-rules.js';
import { actionHash, requestHash, targetKey } from '../../policies/action-hash.js';
import { maskDeep, maskText } from '../../policies/masking.js';
import { appendAudit } from '../../store/audit.js';
import { uuidFromKey } from '../../lib/ids.js';
import { getRun, updateRun } from '../../store/runs-repo.js';
import { activeDelegates } from '../../store/delegations.js';
import { nextOnRoster } from '../../policies/roster.js';
import {
  addApprovalMessage,
  approvalMessages,
  createApproval,
  decideApproval,
  expireApprovals,
  SWEEP_BATCH,
  approvalsDueForEscalation,
  recentFactSum,
  escalateApproval,
  getApproval,
  seats,
  escalationsUntold,
  markEscalationTold,
  setApprovalOutcome,
  pendingDuplicate,
  recentRejection,
  conflictingApprovals,
  withdrawApproval,
  approvalsByPrefix,
  requestsOfRequesterPage,
  pendingForApproverPage,
  type ApprovalRow,
} from '../../store/approvals-repo.js';
import { cardContents } from './card-content.js';
import type { AnyTool } from '../../tools/define.js';
import type { RequestDesk, RequestSummary, WithdrawResult } from '../../skills/contract.js';
import { isScopeDenied, ScopeDenied } from '../../tools/scope.js';
import type { AgentStateUpdate, AgentStateValue, DecisionSignal } from '../graph.js';
import type { Lang } from '../../chat/lang.js';
import { formatTime } from '../../chat/locale.js';
import { messages, refusalText } from '../replies.js';
import { noApproverInScopeText, scopeDeniedText } from '../scope-reply.js';
import { approvalView } from '../approval-view.js';
import { roleDenial, scopeDenial } from '../refusals.js';
import { failureUpdate } from '../failure-reply.js';
import { recordToolCall } from '../tool-call-log.js';
import type { ChannelDirectory, Send } from '../outbound.js';
import type { ToolInvoker } from '../tool-invoker.js';
import { ApprovedWriteExecutor } from './executor.js';
import { OutboxRecovery, outcomeUpdate, type RecoveryDeps } from './recovery.js';
import { refreshApprovalCards } from './cards.js';
import { armCrash, crashPoint } from './crash-points.js';
import { rememberOutcome } from '../llm/memory-repo.js';
import { BulkApprovals } from './bulk.js';
import { isBulkCardId } from '../../store/bulk-approvals-repo.js';
import { withdrawTexts } from '../../skills/request-withdraw/texts.js';

export interface LifecycleDeps {
  db: Db;
  directory: Directory;
  tools: ToolInvoker;
  toolDefs: { get(name: string): AnyTool | undefined };
  channels: ChannelDirectory;
  approvalTtlSeconds: number;
  /** How long an executor's outbox claim holds without renewal. */
  outboxLeaseMs: number;
  /** Per-thread serialization, for the recovery sweep's direct finish of a run. */
  lock: RecoveryDeps['lock'];
  /** Pending approvals per requester and department (policy rateLimits). */
  limits: RateLimits;
  /**
   * How far back a write on the same target counts as a conflict, and an unchanged rejected
   * request is answered with its rejection (APPROVAL_CONFLICT_WINDOW_MINUTES). Default a day.
   */
  conflictWindowMinutes?: number;
  /** The one way out (agents/outbound.ts): masked, and recorded for the run's turn. */
  send: Send;
  /** Wake the thread waiting on a decision (agents/turn.ts). */
  resume(threadId: string, signal: DecisionSignal): Promise<void>;
  /** Keep a background task for idle() to wait on; its failure is logged. */
  track(p: Promise<unknown>): void;
  log(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void;
}

export type DecisionResult =
  | { status: 'approved' | 'rejected'; approvalId: string; message: string; done: Promise<void> }
  /** A tiered approval counted this approver's vote and waits for more (nothing runs yet). */
  | { status: 'voted'; approvalId: string; message: string; done: Promise<void> }
  /** The requester's own Withdraw button on their copy. */
  | { status: 'withdrawn'; approvalId: string; message: string; done: Promise<void> }
  | { status: 'refused'; approvalId: string; reason: string; message: string };

export class ApprovalLifecycle {
  /** The one path every approved write takes (agents/approvals/executor.ts). */
  readonly executor: ApprovedWriteExecutor;
  private readonly recovery: OutboxRecovery;
  /** Bulk approval cards (approvals/bulk.ts): each listed item goes through decide() below. */
  readonly bulk: BulkApprovals;

  constructor(private readonly deps: LifecycleDeps) {
    this.bulk = new BulkApprovals({ db: deps.db, directory: deps.directory, channels: deps.channels, send: deps.send, decide: (a) => this.decide(a), track: deps.track, log: deps.log });
    this.executor = new ApprovedWriteExecutor({
      db: deps.db,
      tools: deps.tools,
      directory: deps.directory,
      refreshCards: (id) => this.refreshCards(id),
      leaseMs: deps.outboxLeaseMs,
      log: deps.log,
    });
    this.recovery = new OutboxRecovery({
      db: deps.db,
      directory: deps.directory,
      executor: this.executor,
      lock: deps.lock,
      resume: deps.resume,
      send: async (channel, conversationId, text, runId) => {
        await deps.send(channel, conversationId, { kind: 'text', text }, runId);
      },
      refreshCards: (id) => this.refreshCards(id),
      log: deps.log,
    });
  }

  /** The graph's propose step: the approval row for the run's write, and its cards, once. */
  async propose(s: AgentStateValue): Promise<AgentStateUpdate> {
    const { db, directory, toolDefs } = this.deps;
    const proposal = s.proposal!;
    const principal = this.requester(s);
    const ctx = { db, principal, runId: s.runId, lang: s.lang };
    const denied = await roleDenial(ctx, proposal.tool, 'write');
    if (denied) return { status: 'denied', reply: denied.reply };
    const tool = toolDefs.get(proposal.tool);
    if (!tool || tool.effect !== 'write' || !tool.summarize) throw new Error(`${proposal.tool} is not a write tool`);
    // The tool's own input rules, before anything else: a write that would be refused gets no card.
    const parsed = tool.input.safeParse(proposal.input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
      await appendAudit(db, { actor: principal.id, action: 'proposal.refused', subject: proposal.tool, runId: s.runId, details: { reason: 'invalid_input', problems: problems.map((p) => maskText(p)) } });
      return { status: 'business_error', reply: maskText(messages.invalidProposal(s.lang, problems)) };
    }
    const input = parsed.data as Record<string, unknown>;
    const reqHash = requestHash({ tool: proposal.tool, input, requesterId: principal.id });
    const target = targetKey(proposal.tool, input);
    const windowMinutes = this.deps.conflictWindowMinutes ?? 24 * 60;
    // The write's target scope: the requester must have it, and so must every approver.
    let targetScope: ScopeOwner[];
    try {
      targetScope = await this.deps.tools.scopeOf(proposal.tool, input, { caller: { principal }, runId: s.runId, onRecord: (r) => recordToolCall(db, s.runId, r) });
    } catch (err) {
      if (isScopeDenied(err)) return { status: 'denied', reply: (await scopeDenial(ctx, proposal.tool, err)).reply };
      return failureUpdate(s, err, this.deps.log);
    }
    // One requester's proposals are decided one at a time (a transaction-scoped advisory lock), so
    // two at the same instant cannot both slip under the pending cap or the anti-splitting sum.
    const approvalId = uuidFromKey(`approval:${s.runId}:${proposal.tool}`);
    const base = approvalRuleFor(proposal.tool);
    const decided = await db.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`approvals:${principal.id}`]);
      // Under the lock, so of the same request sent several times at once exactly one makes a card.
      // A re-run of this node after a crash finds its own row, which is neither duplicate nor rejection.
      const mine = await getApproval(c, approvalId);
      if (!mine) {
        const dup = await pendingDuplicate(c, { requesterId: principal.id, requestHash: reqHash, excludeId: approvalId });
        if (dup) return { kind: 'duplicate', row: dup } as const;
        const rejected = await recentRejection(c, { requesterId: principal.id, requestHash: reqHash, minutes: windowMinutes, excludeId: approvalId });
        if (rejected) return { kind: 'rejected_before', row: rejected } as const;
      }
      const conflicts = target ? await conflictingApprovals(c, { targetKey: target, minutes: windowMinutes, excludeId: approvalId }) : [];
      // The rule, as the write's risk tier makes it (facts from the guard's fresh read), with the
      // requester's recent writes of the kind summed where the tier says so (anti-splitting).
      const sums = new Map<RiskTier, number>();
      for (const tier of base.tiers) {
        if (!tier.summedOverMinutes || typeof proposal.facts?.[tier.when.fact] !== 'number') continue;
        sums.set(tier, await recentFactSum(c, { requesterId: principal.id, tool: proposal.tool, fact: tier.when.fact, minutes: tier.summedOverMinutes, excludeId: approvalId }));
      }
      const rule = applyTier(base, proposal.facts, (tier) => sums.get(tier) ?? 0);
      const chosen = approversFor(principal, directory.all(), targetScope, rule);
      // Delegates of the chosen approvers approve too, while their delegation holds: never the
      // requester (four-eyes), and only with the target in scope, like any approver.
      // Each stands in for their delegator's seat (store/approvals-repo.ts seats).
      const standIns: Record<string, string> = {};
      for (const d of (await activeDelegates(c, chosen.map((a) => a.id))).values()) {
        const p = directory.get(d.delegate_id);
        if (p && !(p.id in standIns) && mayStandIn(p, { requesterId: principal.id, tool: proposal.tool, targetScope }) && !chosen.some((a) => a.id === p.id)) standIns[p.id] = d.delegator_id;
      }
      const approvers = [...chosen, ...Object.keys(standIns).map((id) => directory.get(id)!)];
      if (approvers.length === 0) {
        // Say which it is: no manager at all, or none who may see this data.
        const anyManager = approversFor(principal, directory.all(), [], rule).length > 0;
        return { kind: 'denied', reply: anyManager ? noApproverInScopeText(s.lang, targetScope) : messages.noApprover(s.lang) } as const;
      }
      // Seats, not people: a delegate does not make a second approver of the one they stand in for.
      if (chosen.length < rule.approvals) return { kind: 'denied', reply: messages.notEnoughApprovers(s.lang, rule.approvals, chosen.length) } as const;
      // A cap on pending approvals; a re-run of this node after a crash finds its own row and goes on.
      if (!mine) {
        const hit = await this.deps.limits.roomForPending(c, principal);
        if (hit) return { kind: 'limited', hit } as const;
      }
      // The lines the rule adds to the card (the tier's reason, a fresh sign-in), in a reader's language.
      const ruleLines = (lang: Lang) => [
        ...(rule.tier === null ? [] : [tierLine(lang, base.tiers[rule.tier]!, proposal.facts ?? {}, rule.summed)]),
        ...(rule.reauthWithinMinutes ? [reauthLine(lang, rule.reauthWithinMinutes)] : []),
        // What the guard found in the target system (a work order already dispatched), then other requests on the same target.
        ...(proposal.warnings ?? []).map((w) => ({ label: messages.conflictLabel(lang), value: w })),
        ...conflicts.map((o) => ({ label: messages.conflictLabel(lang), value: messages.conflictWith(lang, conflictOf(o, directory)) })),
      ];
      const made = await createApproval(c, {
        id: approvalId,
        runId: s.runId,
        threadId: s.runId,
        tool: proposal.tool,
        input,
        actionHash: actionHash({ tool: proposal.tool, input, requesterId: principal.id, threadId: s.runId }),
        requesterId: principal.id,
        department: principal.department,
        approverIds: approvers.map((a) => a.id),
        standIns,
        title: proposal.title,
        lines: maskDeep([...tool.summarize!(input, s.lang), ...ruleLines(s.lang)]),
        // Every reader's language: each copy is drawn in its reader's (issue 13).
        card: cardContents(tool, input, proposal, s.lang, ruleLines),
        lang: s.lang,
        ttlSeconds: rule.expiresInMinutes ? rule.expiresInMinutes * 60 : this.deps.approvalTtlSeconds,
        escalateAfterSeconds: rule.escalateAfterMinutes ? rule.escalateAfterMinutes * 60 : null,
        requiredApprovals: rule.approvals,
        approvalOrder: rule.order,
        ...(proposal.facts ? { facts: proposal.facts } : {}),
        reauthWithinSeconds: rule.reauthWithinMinutes ? rule.reauthWithinMinutes * 60 : null,
        targetScope,
        requestHash: reqHash,
        targetKey: target,
      });
      return { kind: 'created', ...made, approvers, rule, conflicts } as const;
    });
    if (decided.kind === 'denied') return { status: 'denied', reply: decided.reply };
    if (decided.kind === 'duplicate') {
      const dup = decided.row;
      await appendAudit(db, { actor: principal.id, action: 'approval.duplicate', subject: dup.id, runId: s.runId, details: { tool: proposal.tool } });
      const names = dup.approver_ids.map((id) => directory.get(id)?.name ?? id);
      return { status: 'business_error', reply: messages.duplicate(s.lang, dup.title, shortId(dup.id), names, formatTime(dup.created_at)) };
    }
    if (decided.kind === 'rejected_before') {
      const r = decided.row;
      await appendAudit(db, { actor: principal.id, action: 'approval.rejected_before', subject: r.id, runId: s.runId, details: { tool: proposal.tool } });
      const by = directory.get(r.decided_by ?? '')?.name ?? r.decided_by ?? '?';
      return { status: 'business_error', reply: messages.rejectedBefore(s.lang, r.title, by, r.comment ?? '', r.decided_at ? formatTime(r.decided_at) : '') };
    }
    if (decided.kind === 'limited') {
      const hit = decided.hit;
      await appendAudit(db, { actor: principal.id, action: 'rate.limited', subject: proposal.tool, runId: s.runId, details: { ...hit } });
      return { status: 'denied', reply: messages.rateLimited(s.lang, hit.limit, hit.max) };
    }
    const { row, created, approvers, rule } = decided;
    if (created) {
      await appendAudit(db, {
        actor: principal.id,
        action: 'approval.requested',
        subject: row.id,
        runId: s.runId,
        details: { tool: row.tool, input: maskDeep(input), approvers: row.approver_ids, required: row.required_approvals, order: row.approval_order, tier: rule.tier, facts: proposal.facts ?? null, targetScope: targetScope.map((o) => `${o.kind}:${o.id}`), expiresAt: new Date(row.expires_at).toISOString() },
      });
    }
    // Cards go out once: a re-run of this node (after a crash) finds the copies already recorded.
    if ((await approvalMessages(db, row.id)).length === 0) {
      const { send } = this.deps;
      // The requester's copy in the request's language, without buttons; each approver's in theirs.
      const card: OutboundMessage = { kind: 'card', card: approvalView(row, directory, principal.id) };
      const conflictNote = decided.kind === 'created' && (decided.conflicts.length > 0 || (proposal.warnings ?? []).length > 0) ? `\n${messages.conflictLabel(s.lang)}: ${[...(proposal.warnings ?? []), ...decided.conflicts.map((o) => messages.conflictWith(s.lang, conflictOf(o, directory)))].join(s.lang === 'zh' ? '；' : '; ')}` : '';
      const text = `${messages.proposal(s.lang, row.title, approvers.map((a) => a.name), s.unresolved, proposal.lookedUp === true, row.required_approvals)}${conflictNote}\n${messages.requestRef(s.lang, shortId(row.id))}`;
      await send(s.channel, s.conversationId, { kind: 'text', text }, s.runId);
      const ref = await send(s.channel, s.conversationId, card, s.runId);
      if (ref) await addApprovalMessage(db, { approvalId: row.id, ...ref, readerId: principal.id });
      await this.sendCopies(s.channel, row, approvers, (lang, title) => messages.approvalSent(lang, principal.name, title), s.conversationId);
    }
    await updateRun(db, s.runId, { status: 'awaiting_approval', neededHuman: true });
    return { approvalId: row.id, reply: null };
  }

  /** A click on an approval card. Identity comes from the platform envelope (action.actor). */
  async decide(action: CardAction): Promise<DecisionResult> {
    const { db, directory } = this.deps;
    if (isBulkCardId(action.approvalId)) return this.bulk.decide(action);
    if (action.decision === 'withdraw') return this.withdrawByClick(action);
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
    // The top risk tier: an approval counts only from someone who signed in again recently (the
    // console's OpenID Connect login; a chat platform's click carries no sign-in time). Rejecting needs none.
    if (action.decision === 'approve' && row.status === 'pending' && row.reauth_within_seconds) {
      const at = action.authenticatedAt ? Date.parse(action.authenticatedAt) : NaN;
      if (!(Date.now() - at <= row.reauth_within_seconds * 1000)) {
        return refuse('reauth_required', messages.reauthRequired(lang, Math.round(row.reauth_within_seconds / 60), action.channel === 'console' && !Number.isNaN(at)), actor.id);
      }
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
    if (!outcome.won && 'vote' in outcome) {
      const current = outcome.current;
      if (outcome.vote === 'counted') {
        await this.refreshCards(current.id);
        const votes = seats(current).filled.size;
        return { status: 'voted', approvalId: current.id, message: messages.voteCounted(lang, current.title, votes, current.required_approvals, current.required_approvals - votes), done: Promise.resolve() };
      }
      if (outcome.vote === 'already_voted') return refuse('already_voted', refusalText(lang, { reason: 'already_voted' }), actor.id);
      const next = directory.get(outcome.next ?? '')?.name ?? outcome.next ?? '?';
      return refuse('not_your_turn', refusalText(lang, { reason: 'not_your_turn', next }), actor.id);
    }
    if (!outcome.won) {
      const current = outcome.current ?? row;
      if (current.status === 'approved' || current.status === 'rejected') {
        const by = directory.get(current.decided_by ?? '')?.name ?? current.decided_by ?? '?';
        const at = current.decided_at ? formatTime(current.decided_at) : '';
        return refuse('already_decided', refusalText(lang, { reason: 'already_decided', status: current.status, by, at }), actor.id);
      }
      if (current.status === 'withdrawn') return refuse('withdrawn', refusalText(lang, { reason: 'withdrawn', at: current.decided_at ? formatTime(current.decided_at) : '' }), actor.id);
      // Expired, whether or not the sweeper has marked it yet.
      this.deps.track(this.sweepExpired());
      return refuse('expired', refusalText(lang, { reason: 'expired', at: formatTime(current.expires_at) }), actor.id);
    }

    const decided = outcome.row;
    armCrash(decided.id);
    crashPoint('decision.committed', decided.id);
    if (decided.status === 'approved') await setApprovalOutcome(db, decided.id, { state: 'executing', lines: [] });
    await this.refreshCards(decided.id);
    const done = this.deps.resume(decided.thread_id, { approvalId: decided.id, status: decided.status as 'approved' | 'rejected' });
    this.deps.track(done);
    const message =
      decided.status === 'approved'
        ? messages.decisionApproved(lang, decided.title)
        : messages.decisionRejected(lang, decided.title, directory.get(decided.requester_id)?.name ?? decided.requester_id);
    return { status: decided.status as 'approved' | 'rejected', approvalId: decided.id, message, done };
  }

  /** The graph's execute step, after the decision: the run's end from the approval row and the executor. */
  async execute(s: AgentStateValue): Promise<AgentStateUpdate> {
    const { db, directory } = this.deps;
    let row = await getApproval(db, s.approvalId ?? '');
    if (!row) return { status: 'failed', reply: refusalText(s.lang, { reason: 'not_found' }) };
    if (row.status === 'pending') {
      if (new Date(row.expires_at).getTime() > Date.now()) return {};
      await expireApprovals(db, { id: row.id });
      row = (await getApproval(db, row.id))!;
    }
    const waitedMs = (row.decided_at ? new Date(row.decided_at).getTime() : Date.now()) - new Date(row.created_at).getTime();
    await updateRun(db, s.runId, { approvalWaitMs: waitedMs });
    const by = directory.get(row.decided_by ?? '')?.name ?? row.decided_by ?? '';
    if (row.status === 'rejected') {
      // The reason reaches the requester (this reply) and the LLM's memory of the conversation, so the
      // same write is not proposed again unchanged (propose() also refuses an unchanged repeat).
      await rememberOutcome(db, s.channel, s.conversationId, messages.rejectedMemory(row.title, by, row.comment ?? ''));
      return { status: 'rejected', reply: messages.rejected(s.lang, row.title, by, row.comment ?? '') };
    }
    if (row.status === 'expired') return { status: 'expired', reply: messages.expired(s.lang, row.title) };
    if (row.status === 'withdrawn') return { status: 'withdrawn', reply: messages.withdrawn(s.lang, row.title) };
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

  /**
   * The requester withdraws their own pending approval (a chat command; `requester` is the
   * verified sender). One conditional UPDATE against the decision's: exactly one of a withdrawal
   * and an approval at the same instant wins. Every card copy is redrawn without buttons and the
   * waiting run ends "withdrawn".
   */
  async withdraw(requester: Principal, ref: string, via: { channel: ChannelName; runId: string }): Promise<WithdrawResult> {
    const { db, directory } = this.deps;
    const id = ref.trim().toLowerCase();
    const candidates = await approvalsByPrefix(db, requester.id, id);
    const exact = candidates.find((r) => r.id === id);
    const pending = candidates.filter((r) => r.status === 'pending');
    const row = exact ?? (pending.length === 1 ? pending[0] : candidates.length === 1 ? candidates[0] : undefined);
    if (!row) {
      // Somebody else's request, or none: audited, and told apart only as "not found" (no probing of ids).
      await appendAudit(db, { actor: requester.id, action: 'approval.withdraw_refused', subject: maskText(id).slice(0, 36), runId: via.runId, details: { reason: candidates.length > 1 ? 'ambiguous' : 'not_found', channel: via.channel } });
      return candidates.length > 1 ? { kind: 'ambiguous', ids: candidates.map((r) => shortId(r.id)) } : { kind: 'not_found' };
    }
    const outcome = await withdrawApproval(db, { id: row.id, requesterId: requester.id, auditDetails: { channel: via.channel, viaRun: via.runId } });
    if (!outcome.won) {
      const current = outcome.current ?? row;
      await appendAudit(db, { actor: requester.id, action: 'approval.withdraw_refused', subject: row.id, runId: via.runId, details: { reason: 'not_pending', status: current.status } });
      return { kind: 'not_pending', request: summaryOf(current, directory) };
    }
    await this.refreshCards(outcome.row.id);
    this.deps.track(this.deps.resume(outcome.row.thread_id, { approvalId: outcome.row.id, status: 'withdrawn' }));
    return { kind: 'withdrawn', request: summaryOf(outcome.row, directory) };
  }

  /**
   * The Withdraw button on the requester's own copy: what `撤回 <id>` does, for the clicker the
   * envelope names. Only the requester finds their approval; anyone else's click is refused and
   * audited (approval.withdraw_refused, by withdraw()).
   */
  private async withdrawByClick(action: CardAction): Promise<DecisionResult> {
    const { db, directory } = this.deps;
    const row = await getApproval(db, action.approvalId);
    const lang: Lang = row?.lang ?? 'zh';
    const actor = directory.byPlatformUser(action.channel, action.actor.id);
    if (!actor) {
      await appendAudit(db, { actor: `${action.channel}:${action.actor.id}`, action: 'approval.withdraw_refused', subject: action.approvalId.slice(0, 64), runId: row?.run_id ?? null, details: { reason: 'not_enrolled', channel: action.channel, eventId: action.messageId } });
      return { status: 'refused', approvalId: action.approvalId, reason: 'not_enrolled', message: refusalText(lang, { reason: 'not_enrolled' }) };
    }
    if (!row) return { status: 'refused', approvalId: action.approvalId, reason: 'not_found', message: refusalText(lang, { reason: 'not_found' }) };
    const r = await this.withdraw(actor, row.id, { channel: action.channel, runId: row.run_id });
    switch (r.kind) {
      case 'withdrawn':
        return { status: 'withdrawn', approvalId: row.id, message: withdrawTexts.done(lang, r.request), done: Promise.resolve() };
      case 'not_pending':
        return { status: 'refused', approvalId: row.id, reason: 'not_pending', message: withdrawTexts.notPending(lang, r.request) };
      default:
        // Not the requester (a forged or shared-chat click): audited by withdraw() as not found.
        return { status: 'refused', approvalId: row.id, reason: 'not_requester', message: refusalText(lang, { reason: 'not_requester' }) };
    }
  }

  /** What the status and withdrawal skills may see and do, for one verified requester. */
  desk(requester: Principal, run: { runId: string; channel: ChannelName; conversationId?: string; lang?: Lang }): RequestDesk {
    const { db, directory } = this.deps;
    return {
      mine: async (limit) => {
        const page = await requestsOfRequesterPage(db, requester.id, { limit, withTotal: true });
        return { items: page.items.map((r) => summaryOf(r, directory)), total: page.total ?? page.items.length, totalAtLeast: page.totalAtLeast };
      },
      waitingForMe: async (limit) => {
        // One page, in scope in SQL (riskiest, then oldest first); each row checked again as a decision would be.
        const page = await pendingForApproverPage(db, requester.id, scopeFilterOf(requester), { limit, withTotal: true });
        const items = page.items.filter((r) => mayDecide(requester, { requesterId: r.requester_id, approverIds: r.approver_ids, targetScope: r.target_scope }).allowed);
        const bulkKinds = await this.bulk.kinds(requester);
        return { items: items.map((r) => summaryOf(r, directory)), total: page.total ?? items.length, totalAtLeast: page.totalAtLeast, ...(bulkKinds.length ? { bulkKinds } : {}) };
      },
      withdraw: (id) => this.withdraw(requester, id, run),
      ...(run.conversationId
        ? { bulk: (tool: string) => this.bulk.offer(requester, tool, { channel: run.channel, conversationId: run.conversationId!, runId: run.runId, lang: run.lang ?? 'zh' }) }
        : {}),
    };
  }

  /** Redraw every copy of an approval card from the approval row (the single source). */
  async refreshCards(approvalId: string): Promise<void> {
    await refreshApprovalCards({ ...this.deps, warn: (msg, data) => this.deps.log('warn', msg, data) }, approvalId);
  }

  /** Approvals past their expiry: mark them, redraw their cards, and let their runs end. */
  async sweepExpired(): Promise<number> {
    // In batches: thousands expiring at once are never one transaction nor one array in memory.
    let total = 0;
    for (;;) {
      const expired = await expireApprovals(this.deps.db, { limit: SWEEP_BATCH });
      for (const row of expired) {
        await this.refreshCards(row.id);
        this.deps.track(this.deps.resume(row.thread_id, { approvalId: row.id, status: 'expired' }));
      }
      total += expired.length;
      if (expired.length < SWEEP_BATCH) return total;
    }
  }

  /**
   * A copy of an approval's card, with a line saying why, in each approver's personal conversation
   * on the channel; approvers may share one (a department approval group): one copy each place,
   * and none where `skip` (the requester's conversation) already has it. Every copy is recorded
   * so the card is redrawn everywhere after each change. Each copy, and the line before it, is in
   * its approver's language (the directory's), whatever language the request was typed in.
   */
  private async sendCopies(ch: ChannelName, row: ApprovalRow, approvers: readonly Principal[], intro: (lang: Lang, title: string) => string, skip: string): Promise<void> {
    const { db, directory, send } = this.deps;
    const channel = this.deps.channels.get(ch);
    const reached = new Set([skip]);
    for (const approver of approvers) {
      for (const platformId of directory.platformIdsOf(ch, approver.id)) {
        const conv = await channel?.personalConversation({ channel: ch, id: platformId });
        if (!conv || reached.has(conv)) continue;
        reached.add(conv);
        const view = approvalView(row, directory, approver.id);
        await send(ch, conv, { kind: 'text', text: intro(view.lang, view.title) });
        const copy = await send(ch, conv, { kind: 'card', card: view });
        if (copy) await addApprovalMessage(db, { approvalId: row.id, ...copy, readerId: approver.id });
      }
    }
  }

  /**
   * A delegation that started while these approvals waited on the delegator: the delegate (already
   * added to their approvers, store/delegations.ts) gets a copy of each card where the request came
   * in, and every copy is redrawn with the new approver list.
   */
  async shareWithDelegate(approvalIds: readonly string[], delegate: Principal, delegator: Principal): Promise<void> {
    const { db, directory } = this.deps;
    for (const id of approvalIds) {
      const row = await getApproval(db, id);
      const run = row && (await getRun(db, row.run_id));
      if (!row || !run || row.status !== 'pending') continue;
      const requester = directory.get(row.requester_id);
      await this.sendCopies(run.channel as ChannelName, row, [delegate], (lang, title) => messages.delegatedToYou(lang, delegator.name, requester?.name ?? row.requester_id, title), run.conversation_id);
      await this.refreshCards(row.id);
    }
  }

  /**
   * Approvals still waiting at their rule's escalation time (`at`; the sweeper passes now, tests a
   * controlled clock): the next person on the roster who may approve it — the rule's roles, any
   * department, the target in scope, not the requester nor an approver already — is added to the
   * approvers and gets a copy of the card, and the requester is told. Each approval once.
   */
  async escalateDue(at: Date = new Date()): Promise<number> {
    const { db, directory } = this.deps;
    // First what a process that died mid-escalation left untold (claimed, no copies sent): one sweeper
    // takes each (markEscalationTold), then sends what the claim would have sent.
    for (const row of await escalationsUntold(db, at)) {
      const requester = directory.get(row.requester_id);
      const next = directory.get(row.escalated_to);
      if (!(await markEscalationTold(db, row.id)) || !requester || !next) continue;
      await appendAudit(db, { actor: 'switchboard', action: 'approval.escalation_resumed', subject: row.id, runId: row.run_id, details: { to: next.id } });
      await this.tellEscalation(row, requester, next, approvalRuleFor(row.tool).escalateAfterMinutes ?? 0);
    }
    let escalated = 0;
    for (const row of await approvalsDueForEscalation(db, at)) {
      const requester = directory.get(row.requester_id);
      const rule = approvalRuleFor(row.tool);
      const already = new Set(row.approver_ids);
      const candidates = requester ? approversFor(requester, directory.all(), row.target_scope ?? [], { ...rule, departments: 'any' }).filter((p) => !already.has(p.id)) : [];
      const next = nextOnRoster(candidates, at);
      const claimed = await escalateApproval(db, row.id, next?.id ?? null);
      if (!claimed) continue;
      const minutes = rule.escalateAfterMinutes ?? 0;
      await appendAudit(db, { actor: 'switchboard', action: next ? 'approval.escalated' : 'approval.escalation_none', subject: row.id, runId: row.run_id, details: { to: next?.id ?? null, afterMinutes: minutes } });
      if (!next || !requester) continue;
      await this.tellEscalation(claimed, requester, next, minutes);
      await markEscalationTold(db, row.id);
      escalated++;
    }
    return escalated;
  }

  /** The new approver gets the card where the request came in, the requester is told, every copy is redrawn. */
  private async tellEscalation(row: ApprovalRow, requester: Principal, next: Principal, minutes: number): Promise<void> {
    const { db, send } = this.deps;
    const run = await getRun(db, row.run_id);
    if (run) {
      // The channel the request came in on: the escalation reaches the new approver there.
      const ch = run.channel as ChannelName;
      await this.sendCopies(ch, row, [next], (lang, title) => messages.escalatedToApprover(lang, requester.name, title, minutes), run.conversation_id);
      await send(ch, run.conversation_id, { kind: 'text', text: messages.escalationNotice(row.lang, row.title, next.name, minutes) });
    }
    await this.refreshCards(row.id);
  }

  /**
   * Every approved, unfinished outbox row executed or verified, and every decided run brought to
   * its end (agents/approvals/recovery.ts). Runs in the background, tracked.
   */
  recover(): Promise<number> {
    const sweep = this.recovery.sweep();
    this.deps.track(sweep);
    return sweep;
  }

  private requester(s: AgentStateValue): Principal {
    const p = this.deps.directory.get(s.requesterId);
    if (!p) throw new Error(`unknown requester ${s.requesterId}`);
    return p;
  }
}

/** The card says that approving it needs a fresh sign-in. */
function reauthLine(lang: Lang, minutes: number): { label: string; value: string } {
  return lang === 'zh'
    ? { label: '批准须重新登录', value: `审批人须在 ${minutes} 分钟内重新登录控制台（/console/login?reauth=1）后批准` }
    : { label: 'Fresh sign-in', value: `an approver must have signed in to the console again within ${minutes} minutes (/console/login?reauth=1)` };
}

/** Why the card needs more than one approver: the fact, or the sum of recent ones, and the count. */
function tierLine(lang: Lang, tier: RiskTier, facts: Record<string, string | number | boolean>, summed: number | null): { label: string; value: string } {
  const value = summed ?? facts[tier.when.fact];
  return { label: lang === 'zh' ? '审批层级' : 'Approval tier', value: messages.tierReason(lang, tier.when.fact, String(value), tier.approvals, summed === null ? null : tier.summedOverMinutes ?? null) };
}

/** The first 8 hex digits of an approval id: what a person types to withdraw it. */
export const shortId = (id: string): string => id.slice(0, 8);

function conflictOf(o: ApprovalRow, directory: Directory) {
  const state = o.status === 'pending' ? 'pending' : (o.outcome?.state ?? 'approved');
  return { id: shortId(o.id), title: o.title, requester: directory.get(o.requester_id)?.name ?? o.requester_id, state, at: formatTime(o.created_at) } as const;
}

/** An approval as the status skills show it (names, operator-local times; no input). */
function summaryOf(r: ApprovalRow, directory: Directory): RequestSummary {
  const name = (id: string) => directory.get(id)?.name ?? id;
  return {
    id: shortId(r.id),
    title: r.title,
    status: r.status,
    outcome: r.outcome?.state ?? null,
    requester: name(r.requester_id),
    approvers: r.approver_ids.map(name),
    decidedBy: r.decided_by ? name(r.decided_by) : null,
    comment: r.comment,
    createdAt: formatTime(r.created_at),
    expiresAt: formatTime(r.expires_at),
    requiredApprovals: r.required_approvals,
    approvedBy: r.approved_by.map(name),
  };
}
