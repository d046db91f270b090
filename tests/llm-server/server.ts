/**
 * A scripted OpenAI-compatible server for tests and benchmarks: answers POST
 * {base}/chat/completions (and Azure's /openai/deployments/{d}/chat/completions) from a queue of
 * recorded steps — text, tool calls (parallel when several), malformed JSON, HTTP errors, slow
 * answers — and captures every request body, so the real `openai` client runs against it.
 * Usage figures are estimated with the same tokenizer approximation the planner uses.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { approxTokens } from '../../src/agents/llm/tokens.js';

export interface ChatBody {
  model: string;
  messages: { role: string; content?: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string; description: string; parameters: unknown; strict?: boolean } }[];
  tool_choice?: unknown;
  max_tokens?: number;
  [k: string]: unknown;
}

export interface CapturedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: string;
  body: ChatBody;
}

export type Step =
  | { reply: string }
  /** `arguments` as a string is sent verbatim (malformed JSON allowed). */
  | { toolCalls: { name: string; arguments: unknown }[] }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { malformedBody: string }
  | { delayMs: number; then: Step }
  | ((req: CapturedRequest) => Step);

export class ScriptedLlm {
  /** Requests since the last `script(..., { reset: true })`. */
  readonly requests: CapturedRequest[] = [];
  /** Every request since the server started. */
  readonly all: CapturedRequest[] = [];
  private queue: Step[] = [];
  private server!: http.Server;
  url = '';
  private callSeq = 0;

  static async start(): Promise<ScriptedLlm> {
    const s = new ScriptedLlm();
    s.server = http.createServer((req, res) => void s.handle(req, res));
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}/v1`;
    return s;
  }

  /** Replace the queue of answers; the captured requests are kept unless `reset`. */
  script(steps: Step[], opts: { reset?: boolean } = {}): this {
    this.queue = [...steps];
    if (opts.reset) this.requests.length = 0;
    return this;
  }

  get pending(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || !req.url?.split('?')[0]!.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const captured: CapturedRequest = { path: req.url, headers: req.headers, raw, body: JSON.parse(raw) as ChatBody };
    this.requests.push(captured);
    this.all.push(captured);
    let step: Step | undefined = this.queue.shift();
    if (!step) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'scripted server: no step left' } }));
      return;
    }
    for (;;) {
      if (typeof step === 'function') step = step(captured);
      else if ('delayMs' in step) {
        await new Promise((r) => setTimeout(r, (step as { delayMs: number }).delayMs));
        step = step.then;
      } else break;
    }
    if (res.destroyed || req.socket.destroyed) return; // the client gave up (timeout)
    if ('status' in step) {
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers }).end(JSON.stringify(step.body ?? { error: { message: `scripted ${step.status}` } }));
      return;
    }
    if ('malformedBody' in step) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(step.malformedBody);
      return;
    }
    const promptTokens = approxTokens(JSON.stringify(captured.body.messages)) + approxTokens(JSON.stringify(captured.body.tools ?? []));
    const message =
      'reply' in step
        ? { role: 'assistant', content: step.reply, refusal: null }
        : {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: step.toolCalls.map((c) => ({
              id: `call_${++this.callSeq}`,
              type: 'function',
              function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
            })),
          };
    const completionTokens = approxTokens(JSON.stringify(message));
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${this.requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: captured.body.model,
        choices: [{ index: 0, message, finish_reason: 'reply' in step ? 'stop' : 'tool_calls', logprobs: null }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      }),
    );
  }
}

/** The text of every message and tool of a request, for assertions on what the provider saw. */
export const systemOf = (r: CapturedRequest) => r.body.messages.find((m) => m.role === 'system')?.content ?? '';
export const toolNamesOf = (r: CapturedRequest) => (r.body.tools ?? []).map((t) => t.function.name);
export const toolMessagesOf = (r: CapturedRequest) => r.body.messages.filter((m) => m.role === 'tool').map((m) => m.content ?? '');
