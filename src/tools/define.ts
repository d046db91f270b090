/**
 * defineTool(): the only way the agent touches a legacy system. Input and output are zod schemas,
 * validated on every call, so neither a planner nor a portal can hand the rest of the system a
 * shape it did not declare.
 */
import type { z } from 'zod';
import type { Page } from 'playwright-core';
import type { Lang } from '../chat/lang.js';
import { validateScope, type ToolScope } from './scope.js';

/** The legacy systems the robot reaches (tools/systems.ts says how: browser or HTTP API). */
export type LegacySystem = 'crm' | 'resource' | 'nms' | 'ticket' | 'billing' | 'channel' | 'sms' | 'risk';
export type ToolEffect = 'read' | 'write';

/** One step of evidence: what the robot did, in order. */
export interface EvidenceStep {
  at: string;
  step: string;
  data?: Record<string, unknown>;
}

export interface Evidence {
  steps: EvidenceStep[];
  /** References: `evidence/<callId>/<name>` in the database (the app; GET /console/api/<ref>), or `evidence/<day>/<name>` under the data dir (the tool CLI's reads). */
  files: string[];
}

/**
 * The HTTP-API carrier: a logged-in JSON client for one system (tools/api-client.ts). Same
 * contract as a browser page: 5xx, timeouts and lost sessions are SystemErrors (a lost session
 * logs in again and retries once); other 4xx come back as a status for the tool to turn into a
 * BusinessError.
 */
export interface ApiResponse {
  status: number;
  body: unknown;
}
export interface ApiClient {
  request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<ApiResponse>;
}

/** A warm, logged-in page for one legacy system, lent for the duration of fn. */
/**
 * Lend a page of the system to fn. `hooks.onLease` is told when a page was granted (the wait for
 * one is over): from then on a failure is the system's (its login included), not the queue's.
 */
export type WithPage = <T>(system: LegacySystem, fn: (page: Page, baseUrl: string) => Promise<T>, hooks?: { onLease?: () => void }) => Promise<T>;

export interface ToolContext {
  /** Run this call belongs to (for evidence and audit), if any. */
  runId?: string;
  /** Set for writes: the approval id, stored in the target record so a retry is recognised. */
  idempotencyKey?: string;
  signal: AbortSignal;
  withPage: WithPage;
  /** The HTTP-API carrier for systems driven through their API instead of the browser. */
  api(system: LegacySystem): ApiClient;
  /** Base URL of each legacy system (the sandbox, or the real portals). */
  baseUrl(system: LegacySystem): string;
  /** Record a step of evidence. */
  step(step: string, data?: Record<string, unknown>): void;
}

/**
 * What a write's run() is given. The runner refuses a write without an idempotency key (and
 * without the approval whose id it is) before run() is called, so a write tool never checks.
 */
export interface WriteContext extends ToolContext {
  idempotencyKey: string;
}

export interface CardLineOut {
  label: string;
  value: string;
  /** summarize(): the input field this line writes; a proposal names each value's source by it. */
  key?: string;
  /** summarize(): the value now (the guard's `expected`), shown current → new; null: empty now. */
  current?: string | null;
  /** verify(): label and value are English; the same line for a Chinese reader. */
  zh?: { label: string; value: string };
}

export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType, E extends ToolEffect = ToolEffect> {
  /** system.verb */
  name: string;
  effect: E;
  system: LegacySystem;
  /** zh + en, shown to the LLM planner */
  description: string;
  input: I;
  output: O;
  /**
   * Data scope (invariant 10, tools/scope.ts): which input and output fields carry region,
   * department or customer ownership, or { none: reason }. The runner enforces it on every call.
   */
  scope: ToolScope;
  run(input: z.infer<I>, ctx: E extends 'write' ? WriteContext : ToolContext): Promise<z.infer<O>>;
  /**
   * Write tools: read the target back and confirm the effect. Returns whether the effect is
   * present; output is null when called after a crash (the write's own result was lost).
   */
  verify?(input: z.infer<I>, output: z.infer<O> | null, ctx: ToolContext): Promise<VerifyResult>;
  /** Exact, human-readable lines for the approval card. */
  summarize?(input: z.infer<I>, lang: Lang): CardLineOut[];
}

export interface VerifyResult {
  ok: boolean;
  lines: CardLineOut[];
}

export function defineTool<I extends z.ZodType, O extends z.ZodType, E extends ToolEffect>(def: ToolDefinition<I, O, E>): ToolDefinition<I, O, E> {
  if (def.effect === 'write' && (!def.verify || !def.summarize)) {
    throw new Error(`write tool ${def.name} must define verify() and summarize()`);
  }
  if (!/^[a-z]+\.[a-zA-Z]+$/.test(def.name)) throw new Error(`tool name ${def.name} is not system.verb`);
  validateScope(def);
  return def;
}

/** Method syntax above keeps run/verify bivariant, so any concrete tool fits the plain type. */
export type AnyTool = ToolDefinition;
