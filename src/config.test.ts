import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, usesSandbox } from './config.js';

describe('loadConfig', () => {
  it('runs the demo with no environment at all', () => {
    const cfg = loadConfig({});
    expect(cfg).toMatchObject({ PORT: 3000, SANDBOX_PORT: 3100, DATA_DIR: '.data' });
    expect(cfg.CHROMIUM_PATH).toBeUndefined(); // the browser is found at launch (tools/browser-binary.ts)
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(usesSandbox(cfg)).toBe(true);
  });

  it('names every wrong variable in one readable error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://db/x', APPROVAL_TTL_SECONDS: '1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT:/);
    expect(message).toMatch(/DATABASE_URL: must start with postgres:\/\//);
    expect(message).toMatch(/APPROVAL_TTL_SECONDS:/);
  });

  it('does not echo secrets back', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' })).toThrow(/DATABASE_URL/);
    try {
      loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('treats an empty DATABASE_URL as unset and wants all four legacy URLs or none', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
    expect(() => loadConfig({ LEGACY_CRM_URL: 'http://crm.local' })).toThrow(/set all 8 or none.*missing: LEGACY_RESOURCE_URL/s);
    const real = loadConfig({
      LEGACY_CRM_URL: 'http://a/crm',
      LEGACY_RESOURCE_URL: 'http://a/resource',
      LEGACY_NMS_URL: 'http://a/nms',
      LEGACY_TICKET_URL: 'http://a/tickets',
      LEGACY_BILLING_URL: 'http://a/billing',
      LEGACY_CHANNEL_URL: 'http://a/channel',
      LEGACY_SMS_URL: 'http://a/sms',
      LEGACY_RISK_URL: 'http://a/risk',
    });
    expect(usesSandbox(real)).toBe(false);
  });

  it('bounds every database wait by default, and names a bad timeout', () => {
    const cfg = loadConfig({});
    expect(cfg).toMatchObject({ DATABASE_ACQUIRE_TIMEOUT_MS: 10_000, DATABASE_STATEMENT_TIMEOUT_MS: 30_000, DATABASE_IDLE_IN_TX_TIMEOUT_MS: 30_000 });
    expect(cfg.THREAD_LEASE_TTL_MS).toBeGreaterThanOrEqual(1_000);
    expect(() => loadConfig({ DATABASE_ACQUIRE_TIMEOUT_MS: '0' })).toThrow(/DATABASE_ACQUIRE_TIMEOUT_MS:/);
    expect(() => loadConfig({ THREAD_LEASE_TTL_MS: 'soon' })).toThrow(/THREAD_LEASE_TTL_MS:.*got "soon"/);
  });
});
