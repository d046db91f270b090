/**
 * TEST HOOK — deterministic kill points between an approve click and the verified write.
 *
 * `SWITCHBOARD_CRASH_AT=<point>` makes this process kill itself with SIGKILL (no cleanup, no
 * flush: a real crash) when an approval decided by a click *in this process* reaches <point>.
 * Executions started by recovery or the CLI never crash, so a restarted process with the same
 * variable recovers instead of crash-looping. Unset (always, outside tests): no effect.
 *
 *   decision.committed  the decision and its outbox row are committed; nothing executed yet
 *   outbox.claimed      the outbox row is claimed ('running'); the tool has not run
 *   tool.saved          the tool's save went through in the legacy system; outbox still 'running'
 *   write.verified      read-back verified and recorded (outbox 'done'); the run not finished,
 *                       the requester not told, the cards not redrawn
 *
 * Used by tests/approval-crash.e2e.test.ts.
 */
export const CRASH_POINTS = ['decision.committed', 'outbox.claimed', 'tool.saved', 'write.verified'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

const armed = new Set<string>();

/** A click in this process decided this approval: its path may crash at the configured point. */
export function armCrash(approvalId: string): void {
  if (process.env.SWITCHBOARD_CRASH_AT) armed.add(approvalId);
}

export function crashPoint(point: CrashPoint, approvalId: string): void {
  if (process.env.SWITCHBOARD_CRASH_AT !== point || !armed.has(approvalId)) return;
  process.stderr.write(`[crash-hook] SIGKILL at ${point} (approval ${approvalId})\n`);
  process.kill(process.pid, 'SIGKILL');
}
