/**
 * `npm start` runs dist/: every file the code reads at run time must be found from there too.
 * Files beside their module are copied by scripts/build.mjs (STATIC_DIRS); files read relative to
 * the project root must be reached through the same number of `..` from src/ and dist/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs build script without type declarations
import { STATIC_DIRS } from '../scripts/build.mjs';

const root = path.resolve(import.meta.dirname, '..');
const walk = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));

describe('build layout', () => {
  it('copies every non-TypeScript file under src/ that the code reads (only READMEs stay behind)', () => {
    const dirs = STATIC_DIRS as string[];
    const stray = walk(path.join(root, 'src'))
      .map((f) => path.relative(path.join(root, 'src'), f))
      .filter((f) => !f.endsWith('.ts') && path.basename(f) !== 'README.md')
      .filter((f) => !dirs.some((d) => f.startsWith(`${d}/`)));
    expect(stray).toEqual([]);
    for (const d of dirs) expect(fs.existsSync(path.join(root, 'src', d))).toBe(true);
  });

  it('tsconfig.build.json compiles src/ to dist/ at the same depth, so root-relative paths hold', () => {
    const cfg = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(path.resolve(root, cfg.compilerOptions.rootDir)).toBe(path.join(root, 'src'));
    expect(path.dirname(path.resolve(root, cfg.compilerOptions.outDir))).toBe(root);
    // The root-relative reads: migrations/, assets/fonts/, teams/ (from src/store, src/tools, src/bot/teams).
    for (const d of ['migrations', 'assets/fonts', 'teams']) expect(fs.existsSync(path.join(root, d))).toBe(true);
  });
});
