/**
 * Per-conversation memory for the LLM (placeholder-redacted messages and their vault) and the
 * record of what each turn cost (llm_calls rows, totals on the run).
 */
import type { Queryable } from '../../store/db.js';
import { storable, storableJson, storableText } from '../../lib/storable.js';
import type { VaultSnapshot } from './pii-vault.js';
import { openJson, sealJson } from '../../store/data-keys.js';
import { maskText } from '../../policies/masking.js';
import { approxTokens } from './tokens.js';

export interface MemoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface ConversationMemory {
  messages: MemoryMessage[];
  vault: VaultSnapshot;
  noticeSent: boolean;
}

interface MemoryRow {
  messages: MemoryMessage[];
  vault: VaultSnapshot;
  llm_notice_sent: boolean;
  updated_at: Date;
}

/** Memory older than ttlMinutes is a new conversation: it starts empty. */
export async function loadMemory(db: Queryable, channel: string, conversationId: string, ttlMinutes: number): Promise<ConversationMemory> {
  const row = (
    await db.query<MemoryRow>('SELECT messages, vault, llm_notice_sent, updated_at FROM conversation_memory WHERE channel = $1 AND conversation_id = $2', [
      channel,
      conversationId,
    ])
  ).rows[0];
  if (!row) return { messages: [], vault: { entries: [] }, noticeSent: false };
  const fresh = Date.now() - new Date(row.updated_at).getTime() < ttlMinutes * 60_000;
  // Both are sealed at rest: the vault holds the real values behind the placeholders.
  return {
    messages: fresh ? openJson<MemoryMessage[]>(row.messages, 'conversation_memory.messages') : [],
    vault: fresh ? openJson<VaultSnapshot>(row.vault, 'conversation_memory.vault') : { entries: [] },
    noticeSent: row.llm_notice_sent,
  };
}

/** Keep the newest messages that fit the token budget, starting at a user message. */
export function trimMemory(messages: MemoryMessage[], budgetTokens: number): MemoryMessage[] {
  let total = 0;
  let start = messages.length;
  for (let i = messages.length - 1; i >= 0; i--) {
    total += approxTokens(messages[i]!.content) + 4;
    if (total > budgetTokens) break;
    start = i;
  }
  while (start < messages.length && messages[start]!.role !== 'user') start++;
  return messages.slice(start);
}

export async function saveMemory(db: Queryable, channel: string, conversationId: string, messages: MemoryMessage[], vault: VaultSnapshot): Promise<void> {
  await db.query(
    `INSERT INTO conversation_memory (channel, conversation_id, messages, vault, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (channel, conversation_id) DO UPDATE SET messages = EXCLUDED.messages, vault = EXCLUDED.vault, updated_at = now()`,
    [channel, storableText(conversationId), JSON.stringify(sealJson(storable(messages), 'conversation_memory.messages')), JSON.stringify(sealJson(storable(vault), 'conversation_memory.vault'))],
  );
}

/** True the first time it is called for a conversation (the "free-form needs the LLM" notice). */
export async function claimNotice(db: Queryable, channel: string, conversationId: string): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO conversation_memory (channel, conversation_id, llm_notice_sent) VALUES ($1, $2, true)
     ON CONFLICT (channel, conversation_id) DO UPDATE SET llm_notice_sent = true WHERE conversation_memory.llm_notice_sent = false
     RETURNING 1`,
    [channel, conversationId],
  );
  return (res.rowCount ?? 0) > 0;
}

export type LlmCallStatus = 'ok' | 'rate_limited' | 'server' | 'timeout' | 'connection' | 'malformed' | 'refused';

export interface LlmCallRecord {
  model: string;
  status: LlmCallStatus;
  promptTokens: number;
  completionTokens: number;
  durationMs: number;
  error?: string;
}

export async function recordLlmCalls(db: Queryable, runId: string, calls: LlmCallRecord[], cost: number): Promise<void> {
  if (calls.length === 0) return;
  for (const c of calls) {
    await db.query(
      `INSERT INTO llm_calls (run_id, model, status, prompt_tokens, completion_tokens, duration_ms, error) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [runId, storableText(c.model), c.status, c.promptTokens, c.completionTokens, Math.round(c.durationMs), c.error == null ? null : storableText(maskText(c.error))],
    );
  }
  await db.query(
    `UPDATE runs SET llm_calls = llm_calls + $2, llm_prompt_tokens = llm_prompt_tokens + $3,
       llm_completion_tokens = llm_completion_tokens + $4, llm_cost = llm_cost + $5 WHERE id = $1`,
    [runId, calls.length, calls.reduce((n, c) => n + c.promptTokens, 0), calls.reduce((n, c) => n + c.completionTokens, 0), cost],
  );
}

export async function setRunFlow(db: Queryable, runId: string, flow: string): Promise<void> {
  await db.query('UPDATE runs SET flow = $2 WHERE id = $1', [runId, flow]);
}

export interface LlmUsageTotals {
  runs: number;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/** Totals over runs since a time (for the KPIs and the weekly report). */
export async function llmUsageSince(db: Queryable, since: Date): Promise<LlmUsageTotals> {
  const r = (
    await db.query<{ runs: string; calls: string; p: string; c: string; cost: string }>(
      `SELECT count(*) FILTER (WHERE llm_calls > 0) AS runs, COALESCE(sum(llm_calls), 0) AS calls, COALESCE(sum(llm_prompt_tokens), 0) AS p,
         COALESCE(sum(llm_completion_tokens), 0) AS c, COALESCE(sum(llm_cost), 0) AS cost FROM runs WHERE started_at >= $1`,
      [since],
    )
  ).rows[0]!;
  return { runs: Number(r.runs), calls: Number(r.calls), promptTokens: Number(r.p), completionTokens: Number(r.c), cost: Number(r.cost) };
}

/**
 * Add what became of a proposal (a rejection and its reason) to the conversation's LLM memory, so
 * the model does not propose the same thing again unchanged. Only a conversation the LLM already
 * remembers gets it (command-only conversations have no memory); masked by shape.
 */
export async function rememberOutcome(db: Queryable, channel: string, conversationId: string, note: string): Promise<boolean> {
  const row = (await db.query<{ messages: MemoryMessage[] | null }>('SELECT messages FROM conversation_memory WHERE channel = $1 AND conversation_id = $2', [channel, conversationId])).rows[0];
  if (!row?.messages) return false;
  const messages = openJson<MemoryMessage[]>(row.messages, 'conversation_memory.messages');
  if (!Array.isArray(messages) || messages.length === 0) return false;
  const next = [...messages, { role: 'assistant' as const, content: maskText(note) }];
  await db.query('UPDATE conversation_memory SET messages = $3, updated_at = now() WHERE channel = $1 AND conversation_id = $2', [
    channel,
    conversationId,
    JSON.stringify(sealJson(storable(next), 'conversation_memory.messages')),
  ]);
  return true;
}
