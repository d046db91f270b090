import { describe, expect, it } from 'vitest';
import { trimMemory, type MemoryMessage } from './memory-repo.js';

describe('trimMemory', () => {
  const turn = (i: number): MemoryMessage[] => [
    { role: 'user', content: `question ${i} ${'x'.repeat(80)}` },
    { role: 'assistant', content: `answer ${i} ${'y'.repeat(80)}` },
  ];

  it('keeps the newest turns within the token budget and starts with a user message', () => {
    const all = [1, 2, 3, 4, 5].flatMap(turn);
    const kept = trimMemory(all, 100);
    expect(kept[0]!.role).toBe('user');
    expect(kept.at(-1)!.content).toMatch(/^answer 5/);
    expect(kept.length).toBeLessThan(all.length);
    expect(kept.map((m) => m.content).join('').length / 4).toBeLessThanOrEqual(100);
  });

  it('keeps everything that fits and nothing when the budget is zero', () => {
    expect(trimMemory(turn(1), 10_000)).toEqual(turn(1));
    expect(trimMemory(turn(1), 0)).toEqual([]);
  });
});
