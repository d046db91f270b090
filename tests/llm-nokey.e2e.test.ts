/**
 * Without an LLM key the command planner stays the planner: commands work, and a free-form
 * request gets the usual "not understood" answer plus, once per conversation, the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, llmEnabled, loadConfig } from '../src/config.js';
import { createTestDatabase, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

describe('LLM configuration', () => {
  it('turns the LLM on when a key is configured (PLANNER=auto), and never without one', () => {
    expect(llmEnabled(loadConfig({}))).toBe(false);
    expect(llmEnabled(loadConfig({ OPENAI_API_KEY: 'sk-x' }))).toBe(true);
    expect(llmEnabled(loadConfig({ OPENAI_API_KEY: 'sk-x', PLANNER: 'commands' }))).toBe(false);
    expect(llmEnabled(loadConfig({ AZURE_OPENAI_API_KEY: 'k', AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com', AZURE_OPENAI_DEPLOYMENT: 'gpt4o' }))).toBe(true);
  });

  it('refuses PLANNER=llm without a key, and half an Azure configuration, naming the variables', () => {
    expect(() => loadConfig({ PLANNER: 'llm' })).toThrow(ConfigError);
    expect(() => loadConfig({ PLANNER: 'llm' })).toThrow(/PLANNER/);
    expect(() => loadConfig({ AZURE_OPENAI_API_KEY: 'k' })).toThrow(/AZURE_OPENAI/);
    expect(() => loadConfig({ OPENAI_BASE_URL: 'not a url' })).toThrow(/OPENAI_BASE_URL/);
  });
});

describe('no LLM configured', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase('pglite');
    t = await startTestApp(db.env);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('says once per conversation that free-form requests need the LLM; commands still work', async () => {
    const first = textOf(await t.client.say('bob', '帮我看看杭州 OLT-HZ-01 上 0/1/3 这个口怎么样了', 'nokey'));
    expect(first).toContain('抱歉，我没有理解这个请求');
    expect(first).toContain('自由表述的请求需要接入大模型（LLM）');
    const second = textOf(await t.client.say('bob', '那个口现在好了吗', 'nokey'));
    expect(second).toContain('抱歉，我没有理解这个请求');
    expect(second).not.toContain('大模型');
    const en = textOf(await t.client.say('bob', 'is that line ok now?', 'nokey-en'));
    expect(en).toContain('free-form requests need an LLM');
    expect(textOf(await t.client.say('bob', 'port OLT-HZ-01 0/1/4', 'nokey'))).toContain('Rx power -19.85 dBm (normal)');
  });
});
