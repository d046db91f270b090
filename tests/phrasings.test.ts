/**
 * The phrasing corpus (tests/phrasings.corpus.ts) through the command planner, without an LLM:
 * the share of everyday phrasings planned as the skill they ask for, printed as a figure, and
 * every free-text line left to the LLM. Reproduce: npx vitest run tests/phrasings.test.ts
 */
import { describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { parseCommand } from '../src/skills/planner.js';
import { CORPUS_NOW, PHRASINGS, type Phrasing } from './phrasings.corpus.js';

/** Every expected field is in the plan (objects and arrays compared as subsets by shape). */
function matches(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.length <= actual.length && expected.every((e, i) => matches(actual[i], e));
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([k, v]) => matches((actual as Record<string, unknown>)[k], v));
  }
  return isDeepStrictEqual(actual, expected);
}

const handled = (p: Phrasing) => matches(parseCommand(p.text, CORPUS_NOW), p.expect);

describe('everyday phrasings without an LLM', () => {
  it('plans at least 95 % of the corpus as the request it is, and names the ones it misses', () => {
    const misses = PHRASINGS.filter((p) => !handled(p));
    const share = (PHRASINGS.length - misses.length) / PHRASINGS.length;
    console.log(`phrasings handled: ${PHRASINGS.length - misses.length}/${PHRASINGS.length} (${(share * 100).toFixed(1)} %)`);
    for (const m of misses) console.log(`  missed: ${m.text} -> ${JSON.stringify(parseCommand(m.text, CORPUS_NOW))}`);
    expect(PHRASINGS.length).toBeGreaterThanOrEqual(150);
    expect(share).toBeGreaterThanOrEqual(0.95);
  });

  it('never answers free text that mentions an id as some other command', () => {
    for (const p of PHRASINGS.filter((x) => x.expect.flow === 'unknown')) expect(parseCommand(p.text, CORPUS_NOW), p.text).toMatchObject({ flow: 'unknown' });
  });
});
