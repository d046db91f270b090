import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';

describe('Feishu configuration', () => {
  it('is off without an app id, and defaults to Feishu over the webhook', () => {
    const cfg = loadConfig({});
    expect(cfg.FEISHU_APP_ID).toBeUndefined();
    expect(cfg.FEISHU_DOMAIN).toBe('https://open.feishu.cn');
    expect(cfg.FEISHU_MODE).toBe('webhook');
  });

  it('refuses the webhook without an Encrypt Key, naming the variable but not echoing secrets', () => {
    expect(() => loadConfig({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's3cret' })).toThrow(/FEISHU_ENCRYPT_KEY: required for FEISHU_MODE=webhook/);
    expect(() => loadConfig({ FEISHU_APP_ID: 'cli_x' })).toThrow(/FEISHU_APP_SECRET: required/);
    expect(() => loadConfig({ FEISHU_MODE: 'socket' })).toThrow(/FEISHU_MODE/);
    expect(() => loadConfig({ FEISHU_DOMAIN: 'not a url' })).toThrow(/FEISHU_DOMAIN/);
    const ws = loadConfig({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's', FEISHU_MODE: 'websocket', FEISHU_DOMAIN: 'https://open.larksuite.com' });
    expect(ws.FEISHU_MODE).toBe('websocket');
    expect(ws.FEISHU_DOMAIN).toBe('https://open.larksuite.com');
  });

  it('reads department approval groups', () => {
    expect(loadConfig({}).FEISHU_APPROVAL_CHATS).toEqual({});
    expect(loadConfig({ FEISHU_APPROVAL_CHATS: 'cs-hangzhou=oc_abc, field-hangzhou = oc_def' }).FEISHU_APPROVAL_CHATS).toEqual({ 'cs-hangzhou': 'oc_abc', 'field-hangzhou': 'oc_def' });
    expect(() => loadConfig({ FEISHU_APPROVAL_CHATS: 'cs-hangzhou=ou_carol' })).toThrow(/expected department=oc_chatId/);
  });
});
