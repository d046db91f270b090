/**
 * Recovery driven by the outbox, not by what a checkpoint happens to show (issue 10 §8).
 *
 * At start-up and every OUTBOX_RECOVERY_MS:
 *  1. every approved, unfinished outbox row (pending, or running under a lapsed claim) is executed
 *     or verified through the one executor;
 *  2. every decided approval whose run has not ended (and has nothing left to execute) gets its
 *     run ended: the graph is resumed if it can be; if the checkpoint cannot carry it (e.g. it holds
 *     the decision's pending writes but no next step, so getState shows `next: []`), the run is
 *     finished from the approval and outbox records directly: run status, reply, cards, audit.
 */
import type { ChannelName } from '../../chat/channel.js';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import { maskText } from '../../policies/masking.js';
import { appendAudit } from '../../store/audit.js';
import { decidedRunsToFinish, getApproval, unfinishedOutbox, type ApprovalRow } from '../../store/approvals-repo.js';
import { FINAL_RUN_STATUSES, getRun, updateRun, type RunStatus } from '../../store/runs-repo.js';
import type { Lang } from '../../chat/lang.js';
import { messages } from '../replies.js';
import type { ApprovedWriteExecutor, WriteOutcome } from './executor.js';

export interface RecoveryDeps {
  db: Db;
  directory: Directory;
  executor: ApprovedWriteExecutor;
  /** Serializes work on one thread (agents/thread-lock.ts). */
  lock: { run<T>(threadId: string, fn: () => Promise<T>): Promise<T> };
  /** Resume the thread's graph with the decision (serialized by the lock itself). */
  resume(threadId: string, signal: { approvalId: string; status: 'approved' | 'rejected' | 'expired' | 'withdrawn' }): Promise<void>;
  /** Tell the requester (masked and sent through their channel). */
  send(channel: ChannelName, conversationId: string, text: string, runId: string): Promise<void>;
  refreshCards(approvalId: string): Promise<void>;
  log(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void;
}

/** The run's end for an executor outcome (the graph's execute node and the direct finish share it). */
export function outcomeUpdate(outcome: WriteOutcome, lang: Lang, title: string, by: string): { status: RunStatus; reply: string } {
  switch (outcome.state) {
    case 'verified':
      return { status: 'succeeded', reply: messages.executedVerified(lang, title, by) };
    case 'unverified':
      return { status: 'failed', reply: messages.executedUnverified(lang, title, outcome.check.lines.map((l) => `${l.label}: ${l.value}`).join('; ')) };
    case 'failed':
    case 'refused':
      return { status: 'failed', reply: messages.executionFailed(lang, title, maskText(outcome.detail)) };
    case 'busy':
      return { status: 'failed', reply: messages.executionFailed(lang, title, messages.anotherProcessExecuting(lang)) };
  }
}

export class OutboxRecovery {
  private current: Promise<number> | undefined;

  constructor(private readonly deps: RecoveryDeps) {}

  /** One sweep; a sweep already under way is joined, not doubled. Returns the rows it handled. */
  sweep(): Promise<number> {
    this.current ??= this.sweepOnce().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  private async sweepOnce(): Promise<number> {
    const { db, executor } = this.deps;
    let handled = 0;
    for (const row of await unfinishedOutbox(db, { owner: executor.owner, exclusiveStore: db.kind === 'pglite' })) {
      try {
        const outcome = await executor.execute({ approvalId: row.approval_id, source: 'recovery', actor: 'switchboard' });
        if (outcome.state !== 'busy') handled++;
      } catch (err) {
        this.deps.log('error', 'outbox recovery failed', { approvalId: row.approval_id, error: (err as Error).message });
      }
    }
    for (const row of await decidedRunsToFinish(db)) {
      try {
        await this.finishRun(row);
        handled++;
      } catch (err) {
        this.deps.log('error', 'run recovery failed', { approvalId: row.id, runId: row.run_id, error: (err as Error).message });
      }
    }
    return handled;
  }

  private async finishRun(row: ApprovalRow): Promise<void> {
    const { db, directory } = this.deps;
    const status = row.status as 'approved' | 'rejected' | 'expired' | 'withdrawn';
    try {
      await this.deps.resume(row.thread_id, { approvalId: row.id, status });
    } catch (err) {
      this.deps.log('warn', 'resume failed; finishing the run from the outbox', { runId: row.run_id, error: (err as Error).message });
    }
    await this.deps.lock.run(row.thread_id, async () => {
      const run = await getRun(db, row.run_id);
      if (!run || FINAL_RUN_STATUSES.includes(run.status)) return;
      // The checkpoint did not carry the run to its end: the approval and outbox say what happened.
      const fresh = (await getApproval(db, row.id)) ?? row;
      const lang: Lang = fresh.lang;
      const by = directory.get(fresh.decided_by ?? '')?.name ?? fresh.decided_by ?? '';
      let end: { status: RunStatus; reply: string };
      if (fresh.status === 'rejected') end = { status: 'rejected', reply: messages.rejected(lang, fresh.title, by, fresh.comment ?? '') };
      else if (fresh.status === 'expired') end = { status: 'expired', reply: messages.expired(lang, fresh.title) };
      else if (fresh.status === 'withdrawn') end = { status: 'withdrawn', reply: messages.withdrawn(lang, fresh.title) };
      else {
        const outcome = await this.deps.executor.recorded(fresh);
        if (!outcome) return; // not finished after all: the next sweep executes it
        end = outcomeUpdate(outcome, lang, fresh.title, by);
      }
      await this.deps.send(run.channel as ChannelName, run.conversation_id, end.reply, run.id);
      const waitedMs = (fresh.decided_at ? new Date(fresh.decided_at).getTime() : Date.now()) - new Date(fresh.created_at).getTime();
      await updateRun(db, run.id, { status: end.status, approvalWaitMs: waitedMs });
      await appendAudit(db, {
        actor: 'switchboard',
        action: 'run.finished',
        subject: run.id,
        runId: run.id,
        details: { status: end.status, flow: run.flow, approvalId: fresh.id, finishedFrom: 'outbox' },
      });
      await this.deps.refreshCards(fresh.id);
    });
  }
}
