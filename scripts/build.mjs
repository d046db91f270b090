/**
 * `npm run build`: tsc (tsconfig.build.json) src/ -> dist/, then the files read at run time beside
 * their module (the console page) are copied next to the compiled JavaScript. Files read relative
 * to the project root (migrations/, teams/, assets/) stay where they are: dist/ mirrors src/ at the
 * same depth, so the same relative paths work from both.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

/** Folders of static files served or read by the code beside them. */
const staticDirs = ['bot/console/page'];
for (const dir of staticDirs) {
  const from = path.join(root, 'src', dir);
  const to = path.join(root, 'dist', dir);
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) {
    if (name.endsWith('.ts')) continue;
    fs.copyFileSync(path.join(from, name), path.join(to, name));
  }
}

// The stamp scripts/start.mjs compares sources against (tsc leaves it alone when nothing changed).
const stamp = path.join(root, 'dist', '.tsbuildinfo');
if (fs.existsSync(stamp)) {
  const now = new Date();
  fs.utimesSync(stamp, now, now);
}
