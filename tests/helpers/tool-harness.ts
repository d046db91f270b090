/**
 * For tool tests: the sandbox on a random port and the real tool runtime (Chromium pool, HTTP
 * clients, runner, every legacy tool) against it, as `npm start` composes them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { SandboxHandle } from '../../src/sandbox/server.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { recordOf, type ToolCallRecord } from '../../src/tools/runner.js';
import { systemCaller } from '../../src/tools/scope.js';
import { createToolRuntime, type ToolRuntime } from '../../src/tools/runtime.js';

export interface ToolHarness {
  sandbox: SandboxHandle;
  runtime: ToolRuntime;
  /** Runs a tool; resolves with its output or rejects with its typed error (record attached). */
  run(name: string, input: unknown, opts?: { idempotencyKey?: string }): Promise<{ output: unknown; record: ToolCallRecord }>;
  /** Runs a tool and returns the typed error it failed with (throws if it succeeded). */
  fail(name: string, input: unknown, opts?: { idempotencyKey?: string }): Promise<Error & { code?: string; record?: ToolCallRecord }>;
  close(): Promise<void>;
}

export async function startToolHarness(env: Record<string, string> = {}): Promise<ToolHarness> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sb-tools-'));
  const sandbox = await startSandbox({ port: 0 });
  const config = loadConfig({ DATA_DIR: dataDir, RPA_TRACES: 'off', ...env });
  const runtime = await createToolRuntime(config, { sandboxUrl: sandbox.url });
  // Tool tests drive the tools themselves: a named system caller (scope is tested in tests/scope*.test.ts).
  // A key given stands for an approved approval of that id, as the approved-write executor passes it.
  const run: ToolHarness['run'] = (name, input, opts = {}) =>
    runtime.runner.run(name, input, {
      caller: systemCaller('tool test'),
      ...opts,
      ...(opts.idempotencyKey !== undefined && { approval: { id: opts.idempotencyKey, status: 'approved' as const } }),
    });
  return {
    sandbox,
    runtime,
    run,
    async fail(name, input, opts = {}) {
      try {
        await run(name, input, opts);
      } catch (e) {
        // The runner's errors carry their call record already (recordOf).
        if (!recordOf(e)) throw e;
        return e as Error & { code?: string; record?: ToolCallRecord };
      }
      throw new Error(`${name} succeeded, a failure was expected`);
    },
    async close() {
      await runtime.close();
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
