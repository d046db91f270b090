/**
 * Start-up refusals of the listener settings: the demo console and unsigned Teams traffic are
 * loopback-only, the login needs its settings, and the directory file is checked before use.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, consoleAuthMode, demoMode, isLoopbackHost, loadConfig } from '../src/config.js';
import { readDirectoryFile } from '../src/store/directory-file.js';

const oidc = {
  OIDC_ISSUER: 'https://login.example.com/realms/ops',
  OIDC_CLIENT_ID: 'switchboard',
  OIDC_REDIRECT_URL: 'https://switchboard.example.com/console/callback',
  SESSION_SECRET: 'a'.repeat(64),
};

describe('listener configuration', () => {
  it('knows loopback addresses from the rest', () => {
    for (const h of ['127.0.0.1', '127.10.20.30', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', '127.0.0.256', 'switchboard.example.com', '128.0.0.1', 'localhost.evil.com']) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
  });

  it('is the demo on loopback by default, and refuses the demo anywhere else with a readable message', () => {
    const local = loadConfig({});
    expect(consoleAuthMode(local)).toBe('demo');
    expect(demoMode(local)).toBe(true);
    expect(() => loadConfig({ HOST: '0.0.0.0', CONSOLE_AUTH: 'demo' })).toThrow(/demo console .* loopback only .* not on "0\.0\.0\.0"/);
    expect(() => loadConfig({ HOST: '0.0.0.0', CONSOLE_AUTH: 'demo' })).toThrow(ConfigError);
  });

  it('requires the login settings on any other address', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_REDIRECT_URL, SESSION_SECRET: the console on "0\.0\.0\.0" requires an OpenID Connect login/);
    const cfg = loadConfig({ HOST: '0.0.0.0', ...oidc });
    expect(consoleAuthMode(cfg)).toBe('oidc');
    expect(demoMode(cfg)).toBe(false);
    // The switch forces the login on loopback too, and then no demo people are seeded.
    const forced = loadConfig({ CONSOLE_AUTH: 'oidc', ...oidc });
    expect(consoleAuthMode(forced)).toBe('oidc');
    expect(demoMode(forced)).toBe(false);
    expect(() => loadConfig({ HOST: '0.0.0.0', ...oidc, SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET: must be 32 bytes/);
  });

  it('turns the console off without a login, and keeps unsigned Teams traffic on loopback', () => {
    const off = loadConfig({ HOST: '0.0.0.0', CONSOLE: 'off' });
    expect(consoleAuthMode(off)).toBe('off');
    expect(demoMode(off)).toBe(false);
    expect(() => loadConfig({ HOST: '0.0.0.0', CONSOLE: 'off', TEAMS_ALLOW_UNAUTHENTICATED: '1' })).toThrow(/TEAMS_ALLOW_UNAUTHENTICATED: .*loopback-only test mode/);
    expect(() => loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: '1', WEBHOOK_PORT: '3001', WEBHOOK_HOST: '0.0.0.0' })).toThrow(/not on "0\.0\.0\.0"/);
    expect(loadConfig({ TEAMS_ALLOW_UNAUTHENTICATED: '1', WEBHOOK_PORT: '3001' }).TEAMS_ALLOW_UNAUTHENTICATED).toBe(true);
    // Signed Teams traffic may be public while the console stays internal.
    const split = loadConfig({ WEBHOOK_PORT: '3001', WEBHOOK_HOST: '0.0.0.0', MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 'pw' });
    expect(consoleAuthMode(split)).toBe('demo');
    expect(() => loadConfig({ WEBHOOK_HOST: '0.0.0.0' })).toThrow(/WEBHOOK_HOST: set WEBHOOK_PORT too/);
  });
});

describe('directory file', () => {
  const write = (content: unknown) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sb-dirfile-')), 'd.json');
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const person = { id: 'wang.li', name: '王丽', roles: ['manager'], department: 'cs-hangzhou', regions: ['hangzhou'] };

  it('maps people and gives each one a console identity', () => {
    const seed = readDirectoryFile(write({ principals: [person], identities: [{ channel: 'oidc', platformUserId: '2f1c-subject', principalId: 'wang.li' }] }));
    expect(seed.identities).toEqual([
      { channel: 'oidc', platformUserId: '2f1c-subject', principalId: 'wang.li' },
      { channel: 'console', platformUserId: 'wang.li', principalId: 'wang.li' },
    ]);
  });

  it('names what is wrong', () => {
    expect(() => readDirectoryFile(write('{not json'))).toThrow(/DIRECTORY_FILE .*JSON/);
    expect(() => readDirectoryFile(write({ principals: [{ ...person, roles: ['root'] }] }))).toThrow(/principals\.0\.roles\.0/);
    expect(() => readDirectoryFile(write({ principals: [person], identities: [{ channel: 'oidc', platformUserId: 's', principalId: 'ghost' }] }))).toThrow(
      /names "ghost", who is not in principals/,
    );
  });
});
