/**
 * Without an LLM key the command planner stays the planner: commands work, and a free-form
 * request gets the usual "not understood" answer plus, once per conversation, the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, llmEnabled, loadConfig } from '../src/config.js';
import { cardOf, createTestDatabase, startTestApp, textOf, type TestApp, type TestDatabase } from './helpers/test-app.js';

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

  it('offers the nearest full commands from the ids a free-form message held, only those the role may use (issue 13)', async () => {
    // alice (customer service) may read and complete tickets but not acknowledge alarms.
    const aliceReplies = await t.client.say('alice', 'T20261124-0012 的用户说要退订宽带，ALM900001 也响了', 'suggest-alice');
    const alice = textOf(aliceReplies);
    // The same commands as buttons; a click sends one as alice's own message and it runs.
    expect(aliceReplies.find((r) => r.suggestions)?.suggestions).toEqual(['查工单 T20261124-0012', '补全工单 T20261124-0012']);
    expect((await t.client.transcript('suggest-alice')).find((m) => m.from === 'bot')?.suggestions).toEqual(['查工单 T20261124-0012', '补全工单 T20261124-0012']);
    expect(textOf(await t.client.say('alice', '查工单 T20261124-0012', 'suggest-alice'))).toContain('T20261124-0012');
    expect(alice).toContain('抱歉，我没有理解这个请求');
    expect(alice).toContain('• 查工单 T20261124-0012');
    expect(alice).toContain('• 补全工单 T20261124-0012');
    expect(alice).not.toContain('确认告警');
    expect(alice).not.toContain('查端口');
    // bob (field technician) may acknowledge the alarm; with no port in the message, no port command.
    const bob = textOf(await t.client.say('bob', 'ALM900001 is ringing again, what should I tell the customer', 'suggest-bob'));
    expect(bob).toContain('• ack alarm ALM900001');
    expect(bob).not.toContain('port OLT');
    // A mobile suggestion is listed masked (never a clear number in chat).
    const mobile = textOf(await t.client.say('alice', '13857101234 这个用户脾气很差，下次来电提醒我', 'suggest-mobile'));
    expect(mobile).toContain('• 黑名单 138****1234');
    // A command holding a mobile is not a button: it would put the number in clear on the page.
    expect((await t.client.say('alice', '13857101234 这个用户脾气很差，下次来电提醒我', 'suggest-mobile-2')).some((r) => r.suggestions?.length)).toBe(false);
  });

  it('a free-form write request is never answered as a ticket lookup (issue 13)', async () => {
    const sms = await t.client.say('alice', '给13857101234发个故障短信 工单T20261124-0012 18点前修好', 'free-writes');
    expect(textOf(sms)).not.toContain('缺失字段');
    expect(cardOf(sms)).toBeDefined();
    expect(textOf(sms)).toContain('SMS_FAULT_NOTICE');
    const note = await t.client.say('alice', '工单 T20261124-0013 加备注：用户已重启光猫', 'free-writes-2');
    expect(cardOf(note)).toBeDefined();
    expect(textOf(note)).toContain('工单备注 T20261124-0013');
  });
});
