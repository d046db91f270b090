/**
 * Which Chromium the browser pool launches, so that `npm ci && npm start` works on a machine with
 * no browser installed.
 *
 * Order: CHROMIUM_PATH, then the usual system paths, then the Chromium shipped inside the npm
 * package @sparticuz/chromium (Linux x64). A CHROMIUM_PATH that points nowhere is reported in one
 * warning line naming the variable and the search goes on: the demo must start for a new user whose
 * .env still names a browser this machine lacks, and the warning plus the start-up banner say which
 * browser runs instead. A path that exists but does not start fails at launch (start-up error).
 *
 * The bundled browser is unpacked once per version into the temporary directory (about 3 s), into
 * a staging folder renamed into place, so two processes starting together or a kill -9 halfway
 * never leave a truncated binary behind (the package's own executablePath() writes /tmp/chromium
 * in place and trusts any file it finds there). Its shared libraries (NSS, expat) come from the
 * package too, so it also runs where no system Chromium pulled them in.
 *
 * Every browser gets a fontconfig file that includes the system's configuration and adds
 * assets/fonts (a Noto Sans SC subset), so Chinese pages are readable in evidence screenshots
 * without system CJK fonts.
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress } from 'node:zlib';

/** Where Chromium or Chrome usually lives on Linux (and macOS), in the order tried. */
export const SYSTEM_BROWSER_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/usr/lib/chromium/chromium',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** The one line a person reads when no browser can run: what to do about it. */
export const NO_BROWSER_FIX =
  'install Chromium (Debian/Ubuntu: apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium/Chrome binary, or run `npm ci` on Linux x64 so the bundled @sparticuz/chromium is installed';

export class BrowserUnavailableError extends Error {
  override readonly name = 'BrowserUnavailableError';
}

export type BrowserSource = 'CHROMIUM_PATH' | 'system' | 'bundled';

export interface BrowserBinary {
  executablePath: string;
  source: BrowserSource;
  /** Environment the browser needs on top of this process's (fontconfig; the bundled libraries). */
  env: Record<string, string>;
  /** For the start-up banner, e.g. "bundled @sparticuz/chromium 153.0.0". */
  describe: string;
}

/** The Chromium build an npm package ships: a folder of brotli files, and its version. */
export interface BundledChromium {
  binDir: string;
  version: string;
}

export interface ResolveBrowserOptions {
  /** The CHROMIUM_PATH setting (unset or empty: not configured). */
  chromiumPath?: string | undefined;
  /** System paths to try (default SYSTEM_BROWSER_PATHS); tests pass [] to hide the machine's browser. */
  candidates?: readonly string[];
  /** The packaged Chromium (default: @sparticuz/chromium when installed on Linux x64); null = none. */
  bundled?: BundledChromium | null;
  /** Where the bundled browser is unpacked and the fontconfig file written (default: os.tmpdir()/switchboard-chromium). */
  cacheDir?: string;
  /** Extra font folder for every browser (default: the project's assets/fonts). */
  fontsDir?: string;
  /** Warnings (CHROMIUM_PATH pointing nowhere). Default console.warn. */
  log?: (message: string) => void;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** src/tools and dist/tools are both two levels below the project root. */
export const DEFAULT_FONTS_DIR = path.resolve(here, '../../assets/fonts');
export const defaultCacheDir = (): string => path.join(os.tmpdir(), 'switchboard-chromium');

export async function resolveBrowser(opts: ResolveBrowserOptions = {}): Promise<BrowserBinary> {
  const log = opts.log ?? ((m: string) => console.warn(`[browser] ${m}`));
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const fontEnv = { FONTCONFIG_FILE: writeFontConfig(cacheDir, opts.fontsDir ?? DEFAULT_FONTS_DIR) };
  const configured = opts.chromiumPath?.trim();
  if (configured) {
    if (isExecutableFile(configured)) {
      return { executablePath: configured, source: 'CHROMIUM_PATH', env: fontEnv, describe: `${configured} (CHROMIUM_PATH)` };
    }
    log(`CHROMIUM_PATH=${configured} is not an executable file; looking for another browser (unset CHROMIUM_PATH to silence this)`);
  }
  for (const candidate of opts.candidates ?? SYSTEM_BROWSER_PATHS) {
    if (isExecutableFile(candidate)) return { executablePath: candidate, source: 'system', env: fontEnv, describe: candidate };
  }
  const bundled = opts.bundled === undefined ? locateBundledChromium() : opts.bundled;
  if (!bundled) {
    throw new BrowserUnavailableError(`No Chromium found${configured ? ` (CHROMIUM_PATH=${configured} does not exist)` : ''}: ${NO_BROWSER_FIX}.`);
  }
  let dir: string;
  try {
    dir = await unpackBundled(bundled, cacheDir);
  } catch (e) {
    throw new BrowserUnavailableError(
      `Could not unpack the bundled Chromium into ${cacheDir} (${e instanceof Error ? e.message : String(e)}): ${NO_BROWSER_FIX}.`,
      { cause: e },
    );
  }
  const libDir = path.join(dir, 'lib');
  const ldPath = [libDir, ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)].join(':');
  return {
    executablePath: path.join(dir, 'chromium'),
    source: 'bundled',
    env: { ...fontEnv, LD_LIBRARY_PATH: ldPath },
    describe: `bundled @sparticuz/chromium ${bundled.version} (${path.join(dir, 'chromium')})`,
  };
}

/** @sparticuz/chromium when it is installed and can run here (its build is Linux x64), else null. */
export function locateBundledChromium(): BundledChromium | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return null;
  try {
    const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
    const root = path.resolve(path.dirname(entry), '..');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown };
    const binDir = path.join(root, 'bin');
    if (typeof pkg.version !== 'string' || !fs.existsSync(path.join(binDir, 'chromium.br'))) return null;
    return { binDir, version: pkg.version };
  } catch {
    return null; // not installed (npm ci --omit=optional, another platform)
  }
}

function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A fontconfig file: the system's configuration when there is one, plus our fonts folder. Written
 * once per fonts folder (the name carries a hash of the path), atomically.
 */
function writeFontConfig(cacheDir: string, fontsDir: string): string {
  fs.mkdirSync(cacheDir, { recursive: true });
  const xml = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    `  <dir>${escapeXml(fontsDir)}</dir>`,
    `  <cachedir>${escapeXml(path.join(cacheDir, 'fontconfig-cache'))}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
  const file = path.join(cacheDir, `fonts-${hashOf(fontsDir)}.conf`);
  if (readOrNull(file) !== xml) {
    const tmp = `${file}.${process.pid}.${randomUUID()}`;
    fs.writeFileSync(tmp, xml);
    fs.renameSync(tmp, file);
  }
  return file;
}

const unpacking = new Map<string, Promise<string>>();

/** The folder holding `chromium` and `lib/` for this version; unpacked on first use. */
function unpackBundled(bundled: BundledChromium, cacheDir: string): Promise<string> {
  const dir = path.join(cacheDir, bundled.version);
  let p = unpacking.get(dir);
  if (!p) {
    p = doUnpack(bundled, dir).finally(() => unpacking.delete(dir));
    unpacking.set(dir, p);
  }
  return p;
}

async function doUnpack(bundled: BundledChromium, dir: string): Promise<string> {
  const complete = path.join(dir, '.complete');
  if (fs.existsSync(complete)) return dir;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  removeAbandonedStaging(dir);
  const staging = `${dir}.partial-${process.pid}-${randomUUID().slice(0, 8)}`;
  fs.mkdirSync(staging, { recursive: true });
  try {
    const exe = path.join(staging, 'chromium');
    await pipeline(fs.createReadStream(path.join(bundled.binDir, 'chromium.br')), createBrotliDecompress(), fs.createWriteStream(exe, { mode: 0o755 }));
    // NSS, NSPR and expat built for the same Chromium: used instead of whatever the system has.
    const libs = path.join(bundled.binDir, 'al2023.tar.br');
    if (fs.existsSync(libs)) await untarBrotli(libs, staging);
    fs.writeFileSync(path.join(staging, '.complete'), `${bundled.version}\n`);
    try {
      fs.renameSync(staging, dir);
    } catch (e) {
      // Another process finished first (its folder is complete), or a stale incomplete one is there.
      if (!fs.existsSync(complete)) {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(staging, dir);
      }
      if (!fs.existsSync(complete)) throw e;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/** Staging folders (about 200 MB each) of processes that died mid-unpack (kill -9). */
function removeAbandonedStaging(dir: string): void {
  const prefix = `${path.basename(dir)}.partial-`;
  for (const name of fs.readdirSync(path.dirname(dir))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number.parseInt(name.slice(prefix.length), 10);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) {
      fs.rmSync(path.join(path.dirname(dir), name), { recursive: true, force: true });
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** tar -x of a brotli-compressed tarball (tar is on every Linux; Node decompresses the brotli). */
async function untarBrotli(file: string, into: string): Promise<void> {
  // Through a file, not a pipe: tar stops reading at the end-of-archive mark, which breaks a pipe.
  const plain = path.join(into, `.${path.basename(file)}.tar`);
  await pipeline(fs.createReadStream(file), createBrotliDecompress(), fs.createWriteStream(plain));
  try {
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['-x', '-f', plain, '-C', into], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      tar.on('error', reject);
      tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}: ${stderr.trim()}`))));
    });
  } finally {
    fs.rmSync(plain, { force: true });
  }
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function hashOf(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
