/**
 * `npm start`: the compiled app (dist/main.js) on a supported Node.
 *
 * 1. Node older than 22.12 (e.g. a machine's Node 20): re-run this script under Node 24 from the npm
 *    registry (scripts/with-node.mjs), so `npm ci && npm start` works on such a machine too.
 * 2. dist/ missing or older than a source file: `npm run build` first (so it works right after
 *    `npm ci` on a fresh clone, and after a `git pull`).
 * 3. Load dist/main.js in this process (signals reach the app directly).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { envWithSupportedNode, nodeIsSupported, runAndExit } from './with-node.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (!nodeIsSupported()) {
  const env = envWithSupportedNode();
  runAndExit('node', [fileURLToPath(import.meta.url), ...process.argv.slice(2)], env);
} else {
  if (buildIsStale()) {
    console.log('[start] compiling src/ to dist/ (npm run build)...');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
    if (r.status !== 0) {
      console.error('[start] the build failed (see above); fix it or run `npm run dev` to start from the sources');
      process.exit(1);
    }
  }
  await import(pathToFileURL(path.join(root, 'dist', 'main.js')).href);
}

/** True when dist/ is missing or any input of the build is newer than the last build. */
function buildIsStale() {
  const stamp = path.join(root, 'dist', '.tsbuildinfo');
  if (!fs.existsSync(path.join(root, 'dist', 'main.js')) || !fs.existsSync(stamp)) return true;
  const built = fs.statSync(stamp).mtimeMs;
  const inputs = [path.join(root, 'package.json'), path.join(root, 'tsconfig.json'), path.join(root, 'tsconfig.build.json')];
  const newer = (p) => fs.statSync(p).mtimeMs > built;
  if (inputs.some(newer)) return true;
  const walk = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).some((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? walk(p) : !e.name.endsWith('.test.ts') && newer(p);
    });
  return walk(path.join(root, 'src'));
}
