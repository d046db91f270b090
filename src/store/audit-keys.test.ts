import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { AuditKeyError, resolveAuditKeys } from './audit-keys.js';

describe('audit key', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-audit-key-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('is generated once into DATA_DIR/audit.key (0600) in demo mode, and says so', () => {
    const dir = tmp();
    const logs: string[] = [];
    const first = resolveAuditKeys({ DATA_DIR: dir }, { create: true, log: (l) => logs.push(l) });
    const file = path.join(dir, 'audit.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(logs.join('\n')).toMatch(/demo mode: generated the audit chain key .*audit\.key \(mode 0600\)/);
    const again = resolveAuditKeys({ DATA_DIR: dir }, { create: true, log: (l) => logs.push(l) });
    expect(again.current.id).toBe(first.current.id);
    expect(again.current.secret.equals(first.current.secret)).toBe(true);
    // The verifier never makes up a key.
    expect(() => resolveAuditKeys({ DATA_DIR: tmp() }, { create: false })).toThrow(/no key file/);
  });

  it('is required with DATABASE_URL, and a configured key and the previous ones verify', () => {
    expect(() => resolveAuditKeys({ DATA_DIR: tmp(), DATABASE_URL: 'postgres://x@y/z' }, { create: true })).toThrow(AuditKeyError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x@y/z' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x@y/z' })).toThrow(/AUDIT_KEY: required with DATABASE_URL/);
    expect(() => loadConfig({ AUDIT_KEY: 'short' })).toThrow(/AUDIT_KEY: must be 32 bytes/);
    expect(() => loadConfig({ DATABASE_OWNER_URL: 'postgres://o@y/z' })).toThrow(/DATABASE_OWNER_URL: set DATABASE_URL/);
    const a = 'a'.repeat(64);
    const b = Buffer.alloc(32, 7).toString('base64');
    const cfg = loadConfig({ DATABASE_URL: 'postgres://x@y/z', DATA_KEYS: `k1:${b}`, AUDIT_KEY: a, AUDIT_PREVIOUS_KEYS: b });
    const keys = resolveAuditKeys(cfg, { create: false });
    expect(keys.byId.size).toBe(2);
    expect(keys.current.secret.toString('hex')).toBe(a);
  });
});
