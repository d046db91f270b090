/**
 * The turn: one inbound message run through the graph on its own thread (thread id = run id),
 * under the thread lock, and the graph steps that belong to it — understand (plan), gather
 * (reads, through the flows or the free-form responder) and finish (reply, run status, audit).
 * The approval steps in between are approvals/lifecycle.ts; resume() wakes a thread that waits
 * on a decision.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Command } from '@langchain/langgraph';
import type { z } from 'zod';
import type { InboundMessage, MessageRef } from '../chat/channel.js';
import type { Db } from '../store/db.js';
import type { Directory } from '../store/directory.js';
import type { Principal } from '../policies/principals.js';
import { maskText } from '../policies/masking.js';
import { appendAudit } from '../store/audit.js';
import { uuidFromKey } from '../lib/ids.js';
import { createRun, getRun, updateRun, type RunStatus } from '../store/runs-repo.js';
import { isScopeDenied } from '../tools/scope.js';
import type { AgentGraph, AgentStateUpdate, AgentStateValue, DecisionSignal } from './graph.js';
import { runFlow } from '../skills/router.js';
import type { FlowTools, RequestDesk } from '../skills/contract.js';
import type { DelegationDesk } from '../policies/delegation-rules.js';
import type { Planner } from '../skills/index.js';
import { detectLang } from '../chat/lang.js';
import { messages, refusalText } from './replies.js';
import { roleDenial, scopeDenial } from './refusals.js';
import { failureUpdate } from './failure-reply.js';
import { recordToolCall } from './tool-call-log.js';
import type { ChannelDirectory, Outbound } from './outbound.js';
import type { ToolInvoker } from './tool-invoker.js';
import { isBusyError, type ThreadLock } from './thread-lock.js';
import type { FreeFormResponder } from './llm/index.js';
import type { RateLimits } from './rate-limits.js';
import { PolicyDenied } from '../skills/denials.js';
import { mayUse, seesEveryRegion } from '../policies/access.js';
import { suggestionsFor } from '../skills/planner.js';
import { routerTexts } from '../skills/texts.js';
import type { Plan } from '../skills/index.js';

export interface TurnResult {
  runId: string | null;
  /** Messages this turn sent to the requester's conversation. */
  sent: MessageRef[];
}

export interface TurnDeps {
  db: Db;
  directory: Directory;
  planner: Planner;
  /** Requests the command planner cannot place (agents/llm). */
  freeForm?: FreeFormResponder;
  tools: Pick<ToolInvoker, 'run'>;
  channels: ChannelDirectory;
  graph: AgentGraph;
  lock: ThreadLock;
  outbound: Outbound;
  /** Requests per minute and tool calls per turn (policy rateLimits). */
  limits: RateLimits;
  /** Naming a delegate from chat (the delegation skill), for the verified sender. */
  delegations?: DelegationDesk;
  /** The requester's approvals (status, withdrawal), bound to the verified requester (approvals/lifecycle.ts). */
  desk?: (principal: Principal, run: { runId: string; channel: AgentStateValue['channel']; conversationId: string; lang: AgentStateValue['lang'] }) => RequestDesk;
  log(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void;
}

export class Turn {
  /** Runs a function with the async context of construction time: no graph invocation in it. */
  private readonly outside = AsyncLocalStorage.snapshot();

  constructor(private readonly deps: TurnDeps) {}

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
    this.deps.log('warn', 'turn failed: database or thread busy', { runId, error: err instanceof Error ? err.message : String(err) });
    // Best effort: the database that just failed this turn may still be busy.
    await updateRun(this.deps.db, runId, { status: 'failed' }).catch(() => undefined);
    await appendAudit(this.deps.db, { actor: 'switchboard', action: 'run.busy', subject: msg.conversationId, runId, details: { channel: msg.channel } }).catch(() => undefined);
    const ref = await this.deps.outbound.send(msg.channel, msg.conversationId, { kind: 'text', text: messages.busy(lang) });
    return { runId, sent: ref ? [ref] : [] };
  }

  private async handleMessageOnce(msg: InboundMessage): Promise<TurnResult> {
    const { db, directory, graph, outbound } = this.deps;
    const principal = directory.byPlatformUser(msg.channel, msg.sender.id);
    const lang = detectLang(msg.text);
    if (!principal) {
      await appendAudit(db, {
        actor: `${msg.channel}:${msg.sender.id}`,
        action: 'identity.unknown',
        subject: msg.conversationId,
        details: { channel: msg.channel, text: maskText(msg.text).slice(0, 200) },
      });
      const ref = await outbound.send(msg.channel, msg.conversationId, { kind: 'text', text: refusalText(lang, { reason: 'not_enrolled' }) });
      return { runId: null, sent: ref ? [ref] : [] };
    }
    const runId = uuidFromKey(`run:${msg.channel}:${msg.messageId}`);
    const existing = await getRun(db, runId);
    if (existing && existing.status !== 'running') return { runId, sent: [] };

    const sent = await outbound.collect(runId, async () => {
      if (!existing) {
        // Counted before anything else of the turn: a limited message is answered and ends here.
        const hit = await this.deps.limits.takeRequest(db, principal);
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
        if (hit) {
          await appendAudit(db, { actor: principal.id, action: 'rate.limited', subject: msg.conversationId, runId, details: { ...hit } });
          await outbound.send(msg.channel, msg.conversationId, { kind: 'text', text: messages.rateLimited(lang, hit.limit, hit.max) }, runId);
          await updateRun(db, runId, { status: 'denied' });
          return;
        }
      }
      await this.deps.lock.run(runId, async (abort) => {
        const config = { configurable: { thread_id: runId }, signal: abort };
        const input = { runId, channel: msg.channel, conversationId: msg.conversationId, requesterId: principal.id, text: msg.text, lang };
        const waitsForDecision = (st: { tasks: readonly { interrupts: readonly unknown[] }[] }) => st.tasks.some((t) => t.interrupts.length > 0);
        const state = await graph.getState(config);
        if (state.next.length > 0) {
          // A crash interrupted this run mid-graph: continue from its last checkpoint.
          if (!waitsForDecision(state)) await graph.invoke(null, config);
        } else if (!(state.values as AgentStateValue | undefined)?.runId) {
          await graph.invoke(input, config);
        }
        // The run table, not the checkpoint, says whether the turn ended: a process killed mid-turn
        // can leave a checkpoint with no next step for a run that never finished (measured on
        // PostgreSQL). Such a turn runs again from its input: its reads are safe to repeat and a
        // proposal is idempotent (one approval per run and tool, cards sent once).
        if ((await getRun(db, runId))?.status === 'running' && !waitsForDecision(await graph.getState(config))) {
          await graph.invoke(input, config);
        }
      });
    });
    return { runId, sent };
  }

  /**
   * Wake the thread waiting on an approval. Serialized per thread; safe to call twice. Run outside
   * any graph's async context: a withdrawal resumes another thread from inside its own turn's
   * node, and LangGraph takes the config of the invocation it finds in AsyncLocalStorage, so an
   * invoke there would run as a child of that turn and never reach the waiting thread (measured:
   * the resume returned with the interrupt still pending).
   */
  resume(threadId: string, signal: DecisionSignal): Promise<void> {
    const { graph } = this.deps;
    return this.outside(() => this.deps.lock.run(threadId, async (abort) => {
      const config = { configurable: { thread_id: threadId }, signal: abort };
      const state = await graph.getState(config);
      if (state.next.length === 0) return;
      if (!state.tasks.some((t) => t.interrupts.length > 0)) {
        // Crashed before reaching the interrupt: run up to it first.
        await graph.invoke(null, config);
        const again = await graph.getState(config);
        if (!again.tasks.some((t) => t.interrupts.length > 0)) return;
      }
      await graph.invoke(new Command({ resume: signal }), config);
    }));
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
      if (result.kind === 'reply' && result.status === 'business_error') {
        // A write that would fail: no card, and the reason kept with the run (both planners).
        await appendAudit(this.deps.db, { actor: principal.id, action: 'proposal.refused', subject: result.refused.tool, runId: s.runId, details: { reason: result.refused.reason } });
      }
      if (result.kind === 'reply') {
        // Without an LLM, a turn not understood offers the nearest full commands from the ids it held.
        if (result.status === 'succeeded' && result.suggestions?.length) return { reply: result.text, status: result.status, suggestions: result.suggestions };
        const offered = result.status === 'not_understood' && !freeForm?.llmEnabled ? this.suggestions(s.plan, s.text, principal) : [];
        if (offered.length === 0) return { reply: result.text, status: result.status };
        const reply = s.plan.flow === 'clarify' ? result.text : `${result.text}\n${routerTexts.tryThese(s.lang, offered)}`;
        return { reply, status: result.status, suggestions: offered };
      }
      return { proposal: result.proposal, unresolved: result.unresolved };
    } catch (err) {
      return failureUpdate(s, err, this.deps.log);
    }
  }

  async finish(s: AgentStateValue): Promise<AgentStateUpdate> {
    const status: RunStatus = s.status ?? 'failed';
    if (s.reply) await this.deps.outbound.send(s.channel, s.conversationId, { kind: 'text', text: s.reply, ...(s.suggestions.length ? { suggestions: s.suggestions } : {}) }, s.runId);
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

  // ---------------------------------------------------------------- helpers

  /** "Did you mean" corrections, or commands built from the ids in the text, that the requester's role may use. */
  private suggestions(plan: Plan, text: string, principal: Principal): string[] {
    const all = plan.flow === 'clarify' ? (plan.suggestions ?? []) : plan.flow === 'unknown' ? suggestionsFor(text, plan.lang) : [];
    return all.filter((sg) => mayUse(principal, sg.tool, sg.effect).allowed).map((sg) => sg.text);
  }

  private requester(s: AgentStateValue): Principal {
    const p = this.deps.directory.get(s.requesterId);
    if (!p) throw new Error(`unknown requester ${s.requesterId}`);
    return p;
  }

  /** The flows' (and the free-form responder's) tools: every call authorized for the requester. */
  private flowTools(s: AgentStateValue, principal: Principal): FlowTools {
    const { db, channels, outbound } = this.deps;
    // Progress of a long flow: one message, updated in place (a new one if the update fails).
    let progressRef: MessageRef | undefined;
    const progress = async (text: string): Promise<void> => {
      const channel = channels.get(s.channel);
      if (progressRef && channel) {
        try {
          await channel.update(progressRef, { kind: 'text', text: maskText(text) });
          return;
        } catch (err) {
          this.deps.log('warn', 'progress update failed', { runId: s.runId, error: (err as Error).message });
        }
      }
      progressRef = await outbound.send(s.channel, s.conversationId, { kind: 'text', text }, s.runId);
    };
    const ctx = { db, principal, runId: s.runId, lang: s.lang };
    let calls = 0;
    const desk = this.deps.delegations;
    return {
      progress,
      ...(desk && {
        delegation: {
          start: (delegate: string, until: Date | undefined) => desk.start(principal, delegate, until),
          end: () => desk.end(principal),
          current: () => desk.current(principal),
        },
      }),
      now: () => new Date(),
      seesEveryRegion: () => seesEveryRegion(principal),
      ...(this.deps.desk ? { requests: this.deps.desk(principal, s) } : {}),
      call: async <S extends z.ZodType>(tool: string, input: unknown, output: S): Promise<z.infer<S>> => {
        // Flows and the free-form responder call reads only; a write goes through the approval.
        const denied = await roleDenial(ctx, tool, 'read');
        if (denied) throw denied;
        const max = this.deps.limits.toolCallsPerTurn();
        if (++calls > max) {
          const hit = { limit: 'tool_calls' as const, max };
          // Counted and audited once per turn: the calls after the first refused one are refused the same way.
          if (calls === max + 1) {
            this.deps.limits.toolCallsHit();
            await appendAudit(db, { actor: principal.id, action: 'rate.limited', subject: tool, runId: s.runId, details: { ...hit } });
          }
          throw new PolicyDenied('limit', tool, messages.rateLimited(s.lang, hit.limit, hit.max));
        }
        let res: { output: unknown };
        try {
          // The runner checks the tool's declared data scope against the caller, before and after the call.
          res = await this.deps.tools.run(tool, input, { caller: { principal }, runId: s.runId, onRecord: (r) => recordToolCall(db, s.runId, r) });
        } catch (err) {
          if (isScopeDenied(err)) throw await scopeDenial(ctx, tool, err);
          throw err;
        }
        return output.parse(res.output) as z.infer<S>;
      },
    };
  }
}
