/** A free-form turn stops at its wall-clock limit with a clear message, however the model behaves. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../store/db.js';
import { migrate } from '../../store/migrate.js';
import { seedDirectory } from '../../store/directory.js';
import { createRun } from '../../store/runs-repo.js';
import { randomUUID } from '../../lib/ids.js';
import { seedDepartments, seedIdentities, seedPrincipals } from '../../policies/principals.js';
import { legacyTools } from '../../tools/catalog.js';
import { ScriptedLlm } from '../../../tests/llm-server/server.js';
import { LlmResponder } from './responder.js';
import { LlmProvider } from './provider.js';
import type { FlowTools } from '../../skills/contract.js';

describe('free-form turn deadline', () => {
  let db: Db;
  let llm: ScriptedLlm;

  beforeAll(async () => {
    db = await openDb({ dataDir: '', inMemory: true });
    await migrate(db);
    await seedDirectory(db, { departments: seedDepartments, principals: seedPrincipals, identities: seedIdentities });
    llm = await ScriptedLlm.start();
  });
  afterAll(async () => {
    await llm?.close();
    await db?.close();
  });

  it('stops a turn that runs past LLM_TURN_TIMEOUT_MS, before asking the model again', async () => {
    const slowToolCall = {
      delayMs: 400,
      then: { toolCalls: [{ name: 'resource_getPort', arguments: { olt: 'OLT-HZ-01', fsp: '0/1/3', broadbandAccount: null } }] },
    };
    llm.script([slowToolCall, slowToolCall, slowToolCall, slowToolCall, { reply: 'never reached' }], { reset: true });
    const provider = new LlmProvider({ model: 'scripted', apiKey: 'sk-test', baseURL: llm.url, timeoutMs: 5_000, retryBackoffMs: 10 });
    const responder = new LlmResponder(db, provider, () => [...legacyTools], {
      maxToolCalls: 20,
      maxLlmCalls: 20,
      tokenBudget: 1_000_000,
      maxTokens: 200,
      turnTimeoutMs: 1_000,
      memoryTokens: 500,
      memoryTtlMinutes: 60,
      pricePromptPerM: 0,
      priceCompletionPerM: 0,
      strictTools: true,
    });
    const runId = randomUUID();
    await createRun(db, { id: runId, inboxId: null, channel: 'console', conversationId: 'c-timeout', requesterId: 'bob', department: 'field-hangzhou', lang: 'en' });
    let toolRuns = 0;
    const tools: FlowTools = {
      call: async (_tool, _input, output) => {
        toolRuns++;
        await new Promise((r) => setTimeout(r, 200));
        return output.parse({
          olt: 'OLT-HZ-01', fsp: '0/1/3', region: 'hangzhou', adminStatus: 'up', operStatus: 'up', onuId: 5, onuSn: 'HWTC1A2B3C4D',
          rxPowerDbm: -26.4, txPowerDbm: 2.31, rxBand: 'marginal', lastDownCause: null, lastDownAt: null, broadbandAccount: null,
        });
      },
    };
    const started = Date.now();
    const result = await responder.respond({
      runId,
      channel: 'console',
      conversationId: 'c-timeout',
      text: 'how is that port on the first hangzhou olt doing',
      lang: 'en',
      principal: seedPrincipals.find((p) => p.id === 'bob')!,
      tools,
      commandPlan: { flow: 'unknown', lang: 'en' },
    });
    expect(result).toMatchObject({ kind: 'reply', status: 'not_understood' });
    expect(result.kind === 'reply' && result.text).toContain('longer than the 1 s limit');
    // Each step takes ~0.6 s: the second check after 1.2 s stops it; the model is not asked a third time.
    expect(llm.requests.length).toBe(2);
    expect(toolRuns).toBe(2);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
