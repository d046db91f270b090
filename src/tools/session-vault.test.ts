import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadConfig } from '../config.js';
import { BrowserPool } from './browser-pool.js';
import { gotoPage } from './browser-pool.js';
import { decryptState, encryptState, parseSessionKey, SessionVault } from './session-vault.js';
import { fixtureLogin, startTestPortal, type TestPortal } from '../../tests/helpers/fixture-portal.js';

const KEY = randomBytes(32);
const STATE = { cookies: [{ name: 'sid', value: 'secret-cookie', domain: '127.0.0.1', path: '/crm', expires: -1, httpOnly: true, secure: false, sameSite: 'Lax' as const }], origins: [] };

describe('session vault: the file format', () => {
  it('accepts a key as 64 hex characters or base64 of 32 bytes, nothing else', () => {
    expect(parseSessionKey(KEY.toString('hex'))).toEqual(KEY);
    expect(parseSessionKey(KEY.toString('base64'))).toEqual(KEY);
    expect(parseSessionKey(KEY.toString('base64url'))).toEqual(KEY);
    expect(parseSessionKey(randomBytes(16).toString('hex'))).toBeNull();
    expect(parseSessionKey(randomBytes(31).toString('base64'))).toBeNull();
    expect(parseSessionKey('not a key')).toBeNull();
    expect(loadConfig({ RPA_SESSION_KEY: KEY.toString('hex') }).RPA_SESSION_KEY).toBe(KEY.toString('hex'));
    expect(loadConfig({}).RPA_SESSION_KEY).toBeUndefined();
    expect(() => loadConfig({ RPA_SESSION_KEY: 'abc123' })).toThrow(/RPA_SESSION_KEY: must be 32 bytes/);
    expect(() => loadConfig({ RPA_SESSION_KEY: 'abc123' })).not.toThrow(/abc123/); // a secret is never echoed
  });

  it('round-trips, and refuses a flipped bit, another system or another key', () => {
    const data = encryptState(KEY, 'crm', STATE);
    expect(data.includes(Buffer.from('secret-cookie'))).toBe(false);
    expect(decryptState(KEY, 'crm', data)).toEqual(STATE);
    const flipped = Buffer.from(data);
    flipped[flipped.length - 3]! ^= 1;
    expect(() => decryptState(KEY, 'crm', flipped)).toThrow(/does not decrypt/);
    expect(() => decryptState(KEY, 'resource', data)).toThrow(/does not decrypt/);
    expect(() => decryptState(randomBytes(32), 'crm', data)).toThrow(/does not decrypt/);
    expect(() => decryptState(KEY, 'crm', Buffer.from('garbage'))).toThrow(/not a session file/);
    expect(() => decryptState(KEY, 'crm', Buffer.alloc(0))).toThrow(/not a session file/);
  });
});

describe('session vault: a restarted pool reuses the portal login', () => {
  let portal: TestPortal;
  let dir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    portal = await startTestPortal();
    dir = await mkdtemp(path.join(tmpdir(), 'sb-sessions-'));
  });
  afterAll(async () => {
    await portal?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const vault = (key = KEY) => new SessionVault({ dir, key, log: (m) => logs.push(m) });
  /** A process's pool: start, run one task on crm, close. Returns the port it read and the session cookie. */
  async function oneProcess(store: SessionVault, id: string): Promise<{ port: string; sid: string | undefined }> {
    const pool = new BrowserPool({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      pagesPerSystem: 1,
      taskTimeoutMs: 5000,
      baseUrl: (s) => `${portal.url}/${s}`,
      login: () => fixtureLogin,
      sessionStore: store,
      log: (m) => logs.push(m),
    });
    try {
      return await pool.withPage('crm', async (page: Page, baseUrl) => {
        await gotoPage(page, `${baseUrl}/ports/${id}`, 'crm');
        const port = (await page.textContent('#port')) ?? '';
        const sid = (await page.context().cookies()).find((c) => c.name === 'sid')?.value;
        return { port, sid };
      });
    } finally {
      await pool.close();
    }
  }

  it('writes the session encrypted (0600, no cookie in plaintext) and a second process does not log in again', async () => {
    const first = await oneProcess(vault(), 'P1');
    expect(first.port).toBe('P1');
    expect(portal.logins.crm).toBe(1);
    const file = path.join(dir, 'crm.state');
    const data = await readFile(file);
    expect(first.sid).toBeTruthy();
    expect(data.includes(Buffer.from(first.sid!))).toBe(false);
    expect(data.toString('latin1')).not.toContain('sid');
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const second = await oneProcess(vault(), 'P2');
    expect(second.port).toBe('P2');
    expect(second.sid).toBe(first.sid); // the same portal session, restored
    expect(portal.logins.crm).toBe(1); // no new login form
  });

  it('a saved session the portal has forgotten costs exactly one fresh login', async () => {
    portal.expireSessions('crm');
    const before = portal.logins.crm ?? 0;
    expect((await oneProcess(vault(), 'P3')).port).toBe('P3');
    expect((portal.logins.crm ?? 0) - before).toBe(1);
  });

  it('a tampered file or a wrong key is ignored with one warning: fresh login, no crash', async () => {
    const file = path.join(dir, 'crm.state');
    const data = await readFile(file);
    data[data.length - 5]! ^= 0xff;
    await writeFile(file, data);
    logs.length = 0;
    let before = portal.logins.crm ?? 0;
    expect((await oneProcess(vault(), 'T1')).port).toBe('T1');
    expect((portal.logins.crm ?? 0) - before).toBe(1);
    expect(logs.filter((l) => /crm: saved session ignored/.test(l))).toHaveLength(1);
    // The fresh login was saved again, readable under the right key.
    expect(await vault().load('crm')).toMatchObject({ cookies: [expect.objectContaining({ name: 'sid' })] });

    logs.length = 0;
    before = portal.logins.crm ?? 0;
    const wrong = vault(randomBytes(32));
    expect((await oneProcess(wrong, 'W1')).port).toBe('W1');
    expect((portal.logins.crm ?? 0) - before).toBe(1);
    expect(logs.some((l) => /does not decrypt/.test(l))).toBe(true);
    expect(logs.join('\n')).not.toMatch(/[0-9a-f]{64}/); // no key material in the logs
  });

  it('no file for a system is simply a first login, without a warning', async () => {
    logs.length = 0;
    expect(await vault().load('nms')).toBeNull();
    expect(logs).toEqual([]);
  });
});
