/** What the agent needs of the tool runtime (tools/runner.ts ToolRunner fits). */
import type { ScopeOwner } from '../policies/access.js';
import type { VerifyResult } from '../tools/define.js';
import type { ToolCallRecord } from '../tools/runner.js';
import type { ToolCaller } from '../tools/scope.js';

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
