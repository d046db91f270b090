/**
 * Each skill's test runs its own lines of the phrasing corpus (tests/phrasings.corpus.ts): at
 * least ten everyday zh and en phrasings per skill, planned at the corpus clock.
 */
import { expect, it } from 'vitest';
import { parseCommand } from '../../src/skills/planner.js';
import { CORPUS_NOW, PHRASINGS } from '../phrasings.corpus.js';

export function everydayPhrasings(flow: string): void {
  const lines = PHRASINGS.filter((p) => p.expect.flow === flow);
  it(`lists at least ten everyday phrasings of ${flow}, in Chinese and English`, () => {
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.some((p) => /[\u3400-\u9fff]/.test(p.text)) && lines.some((p) => /^[A-Za-z]/.test(p.text))).toBe(true);
  });
  it.each(lines.map((p) => [p.text, p.expect] as const))('plans the everyday phrasing %s', (text, expected) => {
    expect(parseCommand(text, CORPUS_NOW)).toMatchObject(expected);
  });
}
