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

/** Folders under src/ of static files read by the code beside them (tests/build-layout.test.ts keeps this complete). */
export const STATIC_DIRS = ['bot/console/page'];

function build() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  for (const dir of STATIC_DIRS) {
    const from = path.join(root, 'src', dir);
    const to = path.join(root, 'dist', dir);
    fs.mkdirSync(to, { recursive: true });
    for (const name of fs.readdirSync(from)) {
      if (!name.endsWith('.ts')) fs.copyFileSync(path.join(from, name), path.join(to, name));
    }
  }
  // The stamp scripts/start.mjs compares sources against (tsc leaves it alone when nothing changed).
  const stamp = path.join(root, 'dist', '.tsbuildinfo');
  if (fs.existsSync(stamp)) {
    const now = new Date();
    fs.utimesSync(stamp, now, now);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    build();
  } catch {
    process.exit(1); // tsc has printed its errors
  }
}
