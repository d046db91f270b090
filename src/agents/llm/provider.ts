/**
 * One chat.completions request through the `openai` SDK (OpenAI, Azure OpenAI, or any compatible
 * endpoint: Qwen/DashScope, DeepSeek, vLLM, Ollama), retried once with backoff on 429, 5xx,
 * timeouts, lost connections and malformed output. The SDK's own retries are off so the count is
 * ours. Every attempt is reported, failed or not, so cost and failures are recorded.
 */
import OpenAI, { AzureOpenAI } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { LlmCallRecord, LlmCallStatus } from './memory-repo.js';
import { approxJsonTokens } from './tokens.js';

export interface ProviderSettings {
  model: string;
  apiKey?: string;
  baseURL?: string;
  azure?: { apiKey: string; endpoint: string; deployment: string; apiVersion: string };
  timeoutMs: number;
  retryBackoffMs: number;
}

export class ProviderError extends Error {
  constructor(
    readonly status: Exclude<LlmCallStatus, 'ok'>,
    message: string,
  ) {
    super(message);
  }
}

export type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'model'>;

export class LlmProvider {
  private readonly client: OpenAI;
  readonly model: string;

  constructor(private readonly settings: ProviderSettings) {
    this.model = settings.azure ? settings.azure.deployment : settings.model;
    this.client = settings.azure
      ? new AzureOpenAI({
          apiKey: settings.azure.apiKey,
          endpoint: settings.azure.endpoint,
          deployment: settings.azure.deployment,
          apiVersion: settings.azure.apiVersion,
          timeout: settings.timeoutMs,
          maxRetries: 0,
        })
      : new OpenAI({ apiKey: settings.apiKey, baseURL: settings.baseURL, timeout: settings.timeoutMs, maxRetries: 0 });
  }

  /** One completion, at most two attempts. Throws ProviderError after the second failure. */
  async complete(req: ChatRequest, onAttempt: (rec: LlmCallRecord) => void): Promise<ChatCompletion> {
    let lastError: ProviderError | undefined;
    for (let attempt = 1; attempt <= 2; attempt++) {
      if (attempt === 2) await sleep(this.settings.retryBackoffMs * (1 + Math.random()));
      const started = Date.now();
      try {
        const completion = await this.client.chat.completions.create({ ...req, model: this.model });
        checkWellFormed(completion);
        onAttempt({
          model: this.model,
          status: 'ok',
          promptTokens: completion.usage?.prompt_tokens ?? approxJsonTokens(req.messages) + approxJsonTokens(req.tools ?? []),
          completionTokens: completion.usage?.completion_tokens ?? approxJsonTokens(completion.choices[0]?.message ?? ''),
          durationMs: Date.now() - started,
        });
        return completion;
      } catch (err) {
        const pe = classify(err);
        onAttempt({ model: this.model, status: pe.status, promptTokens: 0, completionTokens: 0, durationMs: Date.now() - started, error: pe.message.slice(0, 300) });
        lastError = pe;
        if (pe.status === 'refused') break; // 400/401/403/404: the same request will fail again
      }
    }
    throw lastError!;
  }
}

function checkWellFormed(c: ChatCompletion): void {
  const msg = c?.choices?.[0]?.message;
  if (!msg) throw new ProviderError('malformed', 'no message in the completion');
  for (const call of msg.tool_calls ?? []) {
    if (call.type !== 'function') throw new ProviderError('malformed', `unsupported tool call type ${call.type}`);
    let args: unknown;
    try {
      args = JSON.parse(call.function.arguments || '{}');
    } catch {
      throw new ProviderError('malformed', `arguments of ${call.function.name} are not JSON`);
    }
    if (!args || typeof args !== 'object' || Array.isArray(args)) throw new ProviderError('malformed', `arguments of ${call.function.name} are not an object`);
  }
  if (!msg.tool_calls?.length && !(msg.content ?? '').trim()) throw new ProviderError('malformed', 'empty answer');
}

function classify(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new ProviderError('timeout', 'the provider did not answer in time');
  if (err instanceof OpenAI.APIConnectionError) return new ProviderError('connection', `cannot reach the provider: ${err.message}`);
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    if (status === 429) return new ProviderError('rate_limited', 'rate limited (429)');
    if (status >= 500) return new ProviderError('server', `provider error ${status}`);
    return new ProviderError('refused', `provider refused the request (${status}): ${err.message}`);
  }
  // A body that is not JSON, or a shape the SDK cannot read.
  return new ProviderError('malformed', err instanceof Error ? err.message : String(err));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

