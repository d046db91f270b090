/**
 * Runs a command with a Node that the project supports (>= 22.12; tested on 24).
 *
 * When the Node running this script is older (e.g. a machine's Node 20), Node 24 comes from the
 * npm registry itself (the `node` package ships the binary), installed once into
 * ~/.cache/switchboard/node-24 (XDG_CACHE_HOME honoured; SWITCHBOARD_NODE_DIR overrides), and is
 * put first on PATH for the command, so npm, tsc, vitest and every `node`/`tsx` they spawn run on it.
 *
 *   node scripts/with-node.mjs <command> [args...]
 *   node scripts/with-node.mjs --bin-dir     prints the folder to put first on PATH (empty: this Node is fine)
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIN_NODE = [22, 12];
export const NODE_PACKAGE = 'node@24';

export function nodeIsSupported(version = process.versions.node) {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

function cacheDir() {
  if (process.env.SWITCHBOARD_NODE_DIR) return path.resolve(process.env.SWITCHBOARD_NODE_DIR);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'switchboard', 'node-24');
}

/**
 * The folder holding a supported `node` to put first on PATH, or null when this Node is fine.
 * Installs Node 24 from the npm registry on first use (about 10 s, 190 MB).
 */
export function supportedNodeBinDir() {
  if (nodeIsSupported()) return null;
  const dir = cacheDir();
  const bin = path.join(dir, 'node_modules', '.bin');
  const probe = () => spawnSync(path.join(bin, 'node'), ['-p', 'process.versions.node'], { encoding: 'utf8' });
  let found = probe();
  if (found.status !== 0 || !nodeIsSupported(found.stdout.trim())) {
    console.error(`[node] Node ${process.versions.node} is older than ${MIN_NODE.join('.')}: installing ${NODE_PACKAGE} from the npm registry into ${dir} (once)`);
    fs.mkdirSync(dir, { recursive: true });
    const npm = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', NODE_PACKAGE], { stdio: ['ignore', 2, 2] }); // stdout stays clean for --bin-dir
    found = probe();
    if (npm.status !== 0 || found.status !== 0 || !nodeIsSupported(found.stdout.trim())) {
      console.error(`[node] Could not get ${NODE_PACKAGE}. Install Node 24 LTS (https://nodejs.org, or: npm i -g node@24), then run the command again.`);
      process.exit(1);
    }
  }
  return bin;
}

/** PATH with a supported Node first (unchanged when this Node is fine). */
export function envWithSupportedNode(env = process.env) {
  const bin = supportedNodeBinDir();
  if (!bin) return env;
  return { ...env, PATH: [bin, env.PATH ?? ''].filter(Boolean).join(path.delimiter) };
}

/** Run a command to completion, forwarding SIGINT/SIGTERM, and exit with its code. */
export function runAndExit(command, args, env) {
  const child = spawn(command, args, { stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => {
    console.error(`[node] cannot run ${command}: ${e.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (command === '--bin-dir') {
    process.stdout.write(`${supportedNodeBinDir() ?? ''}\n`);
    process.exit(0);
  }
  if (!command) {
    console.error('usage: node scripts/with-node.mjs <command> [args...]');
    process.exit(2);
  }
  const env = envWithSupportedNode();
  runAndExit(command, args, env);
}
