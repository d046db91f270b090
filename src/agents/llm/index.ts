/** The free-form path from configuration: the LLM responder when a provider is configured, else commands only. */
import { llmEnabled, type Config } from '../../config.js';
import type { Db } from '../../store/db.js';
import type { AnyTool } from '../../tools/define.js';
import { CommandsOnly, LlmResponder, type FreeFormResponder, type LlmLimits } from './responder.js';
import { LlmProvider, type ProviderSettings } from './provider.js';

export type { FreeFormResponder, FreeFormRequest } from './responder.js';

export function providerSettings(config: Config): ProviderSettings {
  return {
    model: config.OPENAI_MODEL,
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    azure:
      config.AZURE_OPENAI_API_KEY && config.AZURE_OPENAI_ENDPOINT && config.AZURE_OPENAI_DEPLOYMENT && !config.OPENAI_API_KEY
        ? {
            apiKey: config.AZURE_OPENAI_API_KEY,
            endpoint: config.AZURE_OPENAI_ENDPOINT,
            deployment: config.AZURE_OPENAI_DEPLOYMENT,
            apiVersion: config.OPENAI_API_VERSION,
          }
        : undefined,
    timeoutMs: config.LLM_TIMEOUT_MS,
    retryBackoffMs: config.LLM_RETRY_BACKOFF_MS,
  };
}

export function llmLimits(config: Config): LlmLimits {
  return {
    maxToolCalls: config.LLM_MAX_TOOL_CALLS,
    maxLlmCalls: config.LLM_MAX_CALLS,
    tokenBudget: config.LLM_TURN_TOKEN_BUDGET,
    maxTokens: config.LLM_MAX_TOKENS,
    turnTimeoutMs: config.LLM_TURN_TIMEOUT_MS,
    memoryTokens: config.LLM_MEMORY_TOKENS,
    memoryTtlMinutes: config.LLM_MEMORY_TTL_MINUTES,
    pricePromptPerM: config.LLM_PRICE_PROMPT_PER_M,
    priceCompletionPerM: config.LLM_PRICE_COMPLETION_PER_M,
    strictTools: config.LLM_STRICT_TOOLS,
  };
}

export function createFreeForm(config: Config, db: Db, tools: () => AnyTool[]): FreeFormResponder {
  if (!llmEnabled(config)) return new CommandsOnly(db);
  return new LlmResponder(db, new LlmProvider(providerSettings(config)), tools, llmLimits(config));
}
