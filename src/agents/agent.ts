/**
 * The Agent wires the rooms together: planners (understand), policies (authorize, approvers,
 * masking), tools (read, write, verify), store (runs, approvals, outbox, audit) and channels
 * (replies and every copy of a card). The graph decides the order; the turn (turn.ts) and the
 * approval lifecycle (approvals/lifecycle.ts) do the I/O. This class builds them and is the
 * app's one handle on both.
 */
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { CardAction, InboundMessage } from '../chat/channel.js';
import type { Db } from '../store/db.js';
import type { Directory } from '../store/directory.js';
import { maskDeep } from '../policies/masking.js';
import type { AnyTool } from '../tools/define.js';
import type { ApprovedWriteExecutor } from './approvals/executor.js';
import { ApprovalLifecycle, type DecisionResult } from './approvals/lifecycle.js';
import type { ApprovalCardView } from '../chat/approval-card.js';
import type { Text } from '../chat/locale.js';
import type { Principal } from '../policies/principals.js';
import { actionName } from './approvals/card-content.js';
import { bulkCommand } from '../skills/approvals-bulk/texts.js';
import { createDelegationDesk } from './delegation.js';
import type { DelegationDesk } from '../policies/delegation-rules.js';
import { RateLimits } from './rate-limits.js';
import { buildGraph, type AgentGraph, type AgentNodes, type AgentStateUpdate, type AgentStateValue, type DecisionSignal } from './graph.js';
import { Outbound, type ChannelDirectory } from './outbound.js';
import type { Planner } from '../skills/index.js';
import { ThreadLock, type ThreadLockOptions } from './thread-lock.js';
import type { ToolInvoker } from './tool-invoker.js';
import { Turn, type TurnResult } from './turn.js';
import type { FreeFormResponder } from './llm/index.js';

// The Agent's public contract, wherever its parts are defined (app.ts, tests and benches use it).

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
  /** A write on the same target within this long is a conflict on the card; an unchanged rejected request is answered with its reason (APPROVAL_CONFLICT_WINDOW_MINUTES). */
  conflictWindowMinutes?: number;
  /** How long an executor's outbox claim holds without renewal (OUTBOX_LEASE_MS). Default 60 s. */
  outboxLeaseMs?: number;
  /** Per-thread serialization (config THREAD_LEASE_TTL_MS, THREAD_LOCK_WAIT_MS). */
  threadLock?: ThreadLockOptions;
  log?: (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;
}

export class Agent implements AgentNodes {
  readonly graph: AgentGraph;
  /** The one path every approved write takes (agents/approvals/executor.ts). */
  readonly executor: ApprovedWriteExecutor;
  private readonly lock: ThreadLock;
  private readonly turn: Turn;
  private readonly lifecycle: ApprovalLifecycle;
  private readonly background = new Set<Promise<unknown>>();
  /** The policy's rate limits, shared by the turn and the proposal; their hits show on /healthz. */
  readonly rateLimits = new RateLimits();
  /** Naming a delegate: the console route and the chat command (agents/delegation.ts). */
  readonly delegations: DelegationDesk;

  constructor(private readonly deps: AgentDeps) {
    const log = this.log;
    this.lock = new ThreadLock(deps.db, { ...deps.threadLock, log });
    this.graph = buildGraph(this, deps.checkpointer);
    const outbound = new Outbound(deps.channels, log);
    const { db, directory, tools, channels } = deps;
    const limits = this.rateLimits;
    this.lifecycle = new ApprovalLifecycle({
      db,
      directory,
      tools,
      toolDefs: deps.toolDefs,
      channels,
      approvalTtlSeconds: deps.approvalTtlSeconds,
      ...(deps.conflictWindowMinutes ? { conflictWindowMinutes: deps.conflictWindowMinutes } : {}),
      outboxLeaseMs: deps.outboxLeaseMs ?? 60_000,
      lock: this.lock,
      limits,
      send: outbound.send,
      resume: (threadId, signal) => this.resume(threadId, signal),
      track: (p) => this.track(p),
      log,
    });
    this.executor = this.lifecycle.executor;
    this.delegations = createDelegationDesk({ db, directory, shareWithDelegate: (ids, to, from) => this.lifecycle.shareWithDelegate(ids, to, from) });
    this.turn = new Turn({
      db,
      directory,
      planner: deps.planner,
      freeForm: deps.freeForm,
      tools,
      channels,
      graph: this.graph,
      lock: this.lock,
      outbound,
      limits,
      delegations: this.delegations,
      desk: (principal, run) => this.lifecycle.desk(principal, run),
      log,
    });
  }

  /** One inbound chat message, already in the inbox. Safe to call again for the same event. */
  handleMessage(msg: InboundMessage): Promise<TurnResult> {
    return this.turn.handleMessage(msg);
  }

  /** A click on an approval card. Identity comes from the platform envelope (action.actor). */
  decide(action: CardAction): Promise<DecisionResult> {
    return this.lifecycle.decide(action);
  }

  /** A bulk approval card as a principal reads it (the click's id), for the channels' answers to a click. */
  bulkView(cardId: string, readerId?: string | null): Promise<ApprovalCardView | undefined> {
    return this.lifecycle.bulk.viewOf(cardId, readerId);
  }

  /** The kinds a principal could approve in bulk now, with the chat command that asks for the card (both languages). */
  async bulkKinds(principal: Principal): Promise<{ tool: string; count: number; action: Text; command: Text }[]> {
    return (await this.lifecycle.bulk.kinds(principal)).map((k) => ({
      ...k,
      action: { zh: actionName(k.tool, 'zh'), en: actionName(k.tool, 'en') },
      command: { zh: bulkCommand('zh', k.tool), en: bulkCommand('en', k.tool) },
    }));
  }

  // The graph's nodes: the turn's own steps, and the approval steps in between.
  understand(s: AgentStateValue): Promise<AgentStateUpdate> {
    return this.turn.understand(s);
  }
  gather(s: AgentStateValue): Promise<AgentStateUpdate> {
    return this.turn.gather(s);
  }
  propose(s: AgentStateValue): Promise<AgentStateUpdate> {
    return this.lifecycle.propose(s);
  }
  execute(s: AgentStateValue): Promise<AgentStateUpdate> {
    return this.lifecycle.execute(s);
  }
  finish(s: AgentStateValue): Promise<AgentStateUpdate> {
    return this.turn.finish(s);
  }

  /** Redraw every copy of an approval card from the approval row (the single source). */
  refreshCards(approvalId: string): Promise<void> {
    return this.lifecycle.refreshCards(approvalId);
  }

  /** Wake the thread waiting on an approval. Serialized per thread; safe to call twice. */
  resume(threadId: string, signal: DecisionSignal): Promise<void> {
    return this.turn.resume(threadId, signal);
  }

  /** Approvals past their expiry: mark them, redraw their cards, and let their runs end. */
  /** Approvals due for escalation at `at` (approvals/lifecycle.ts escalateDue). */
  escalateDue(at?: Date): Promise<number> {
    return this.lifecycle.escalateDue(at);
  }

  sweepExpired(): Promise<number> {
    return this.lifecycle.sweepExpired();
  }

  /**
   * At start-up and periodically (OUTBOX_RECOVERY_MS): every approved, unfinished outbox row is
   * executed or verified, and every decided run brought to its end (agents/approvals/recovery.ts).
   * Runs in the background; idle() waits for it.
   */
  recover(): Promise<number> {
    return this.lifecycle.recover();
  }

  /** Wait for background resumes (tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    await this.lock.idle();
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((err) => this.log('error', 'background task failed', { error: (err as Error).message }));
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }

  private readonly log = (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void => {
    (this.deps.log ?? defaultLog)(level, msg, data);
  };
}

function defaultLog(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void {
  const line = `[agent] ${msg}${data ? ` ${JSON.stringify(maskDeep(data))}` : ''}`;
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
}
