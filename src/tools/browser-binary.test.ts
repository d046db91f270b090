/**
 * Which browser the pool launches: CHROMIUM_PATH, then system paths, then the bundled build; the
 * one-line fix when there is none; the bundled build unpacked once, atomically, even when several
 * processes (here: calls) start at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserUnavailableError, NO_BROWSER_FIX, locateBundledChromium, resolveBrowser, type BundledChromium } from './browser-binary.js';

let tmp: string;
let exeA: string;
let exeB: string;
let notExecutable: string;
let fakeBundle: BundledChromium;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-binary-'));
  const mk = (name: string, mode: number) => {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, '#!/bin/sh\necho fake\n', { mode });
    return p;
  };
  exeA = mk('chrome-a', 0o755);
  exeB = mk('chrome-b', 0o755);
  notExecutable = mk('chrome-noexec', 0o644);
  // A bundle shaped like @sparticuz/chromium's bin/: a brotli'd binary and a brotli'd tarball of lib/.
  const bin = path.join(tmp, 'bundle-bin');
  fs.mkdirSync(path.join(tmp, 'libsrc', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'libsrc', 'lib', 'libnss3.so'), 'not really a library');
  const tarball = execFileSync('tar', ['-c', '-C', path.join(tmp, 'libsrc'), 'lib']);
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'chromium.br'), brotliCompressSync(Buffer.from('#!/bin/sh\necho bundled\n')));
  fs.writeFileSync(path.join(bin, 'al2023.tar.br'), brotliCompressSync(tarball));
  fakeBundle = { binDir: bin, version: '999.0.0-test' };
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const collect = () => {
  const lines: string[] = [];
  return { lines, log: (m: string) => lines.push(m) };
};

describe('resolveBrowser', () => {
  it('uses CHROMIUM_PATH first, without a warning', async () => {
    const { lines, log } = collect();
    const b = await resolveBrowser({ chromiumPath: exeB, candidates: [exeA], bundled: fakeBundle, cacheDir: path.join(tmp, 'c1'), log });
    expect(b).toMatchObject({ executablePath: exeB, source: 'CHROMIUM_PATH' });
    expect(lines).toEqual([]);
  });

  it('a CHROMIUM_PATH that points nowhere (or at a non-executable) is named in one warning, then the system paths are tried in order', async () => {
    for (const wrong of ['/nonexistent/chromium', notExecutable, tmp /* a directory */]) {
      const { lines, log } = collect();
      const b = await resolveBrowser({ chromiumPath: wrong, candidates: ['/nonexistent/a', exeA, exeB], bundled: fakeBundle, cacheDir: path.join(tmp, 'c2'), log });
      expect(b).toMatchObject({ executablePath: exeA, source: 'system' });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`CHROMIUM_PATH=${wrong}`);
    }
  });

  it('with no configured or system browser, unpacks the bundled one once and gives it its libraries', async () => {
    const cacheDir = path.join(tmp, 'c3');
    // Several start-ups at once: one unpacked folder, no partial leftovers.
    const all = await Promise.all([1, 2, 3].map(() => resolveBrowser({ candidates: [], bundled: fakeBundle, cacheDir, log: () => {} })));
    const b = all[0]!;
    expect(new Set(all.map((x) => x.executablePath)).size).toBe(1);
    expect(b.source).toBe('bundled');
    expect(b.executablePath).toBe(path.join(cacheDir, '999.0.0-test', 'chromium'));
    expect(execFileSync(b.executablePath).toString()).toBe('bundled\n');
    expect(fs.existsSync(path.join(cacheDir, '999.0.0-test', 'lib', 'libnss3.so'))).toBe(true);
    expect(b.env.LD_LIBRARY_PATH?.split(':')[0]).toBe(path.join(cacheDir, '999.0.0-test', 'lib'));
    expect(fs.readdirSync(cacheDir).filter((n) => n.includes('partial'))).toEqual([]);
    // Later start-ups reuse it (the file is not rewritten).
    const mtime = fs.statSync(b.executablePath).mtimeMs;
    await resolveBrowser({ candidates: [], bundled: fakeBundle, cacheDir, log: () => {} });
    expect(fs.statSync(b.executablePath).mtimeMs).toBe(mtime);
  });

  it('an unpacked folder without its completion mark (a kill -9 mid-unpack elsewhere) is replaced, not trusted', async () => {
    const cacheDir = path.join(tmp, 'c4');
    fs.mkdirSync(path.join(cacheDir, '999.0.0-test'), { recursive: true });
    fs.writeFileSync(path.join(cacheDir, '999.0.0-test', 'chromium'), 'trunc', { mode: 0o755 });
    const b = await resolveBrowser({ candidates: [], bundled: fakeBundle, cacheDir, log: () => {} });
    expect(execFileSync(b.executablePath).toString()).toBe('bundled\n');
  });

  it('removes the staging folder of a process that died mid-unpack, not that of a live one', async () => {
    const cacheDir = path.join(tmp, 'c7');
    const dead = path.join(cacheDir, '999.0.0-test.partial-2147483646-deadbeef');
    const alive = path.join(cacheDir, `999.0.0-test.partial-${process.ppid}-cafef00d`);
    for (const d of [dead, alive]) fs.mkdirSync(d, { recursive: true });
    await resolveBrowser({ candidates: [], bundled: fakeBundle, cacheDir, log: () => {} });
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(alive)).toBe(true);
  });

  it('with nothing at all: one clear line naming the fix (and the wrong CHROMIUM_PATH)', async () => {
    const err = await resolveBrowser({ chromiumPath: '/nonexistent/chromium', candidates: [], bundled: null, cacheDir: path.join(tmp, 'c5'), log: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrowserUnavailableError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('CHROMIUM_PATH=/nonexistent/chromium');
    expect(message).toContain(NO_BROWSER_FIX);
    expect(message).toContain('apt-get install -y chromium');
  });

  it('every browser gets a fontconfig file with the system configuration and the bundled CJK font folder', async () => {
    const fontsDir = path.join(tmp, 'fonts & more');
    const b = await resolveBrowser({ chromiumPath: exeA, bundled: null, cacheDir: path.join(tmp, 'c6'), fontsDir, log: () => {} });
    const conf = fs.readFileSync(b.env.FONTCONFIG_FILE!, 'utf8');
    expect(conf).toContain('<include ignore_missing="yes">/etc/fonts/fonts.conf</include>');
    expect(conf).toContain('<dir>' + path.join(tmp, 'fonts &amp; more') + '</dir>');
  });

  it('finds the installed @sparticuz/chromium and the shipped font', async () => {
    const bundled = locateBundledChromium();
    expect(bundled?.version).toMatch(/^\d+\./);
    expect(fs.existsSync(path.join(bundled!.binDir, 'chromium.br'))).toBe(true);
    const { DEFAULT_FONTS_DIR } = await import('./browser-binary.js');
    expect(fs.existsSync(path.join(DEFAULT_FONTS_DIR, 'NotoSansSC-Regular-subset.ttf'))).toBe(true);
  });
});
