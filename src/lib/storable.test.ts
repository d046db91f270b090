import { describe, expect, it } from 'vitest';
import { MAX_STORABLE_DEPTH, TOO_DEEP, isStorableText, storable, storableJson, storableText } from './storable.js';

describe('storable', () => {
  it('removes NUL and replaces lone surrogates, keeping real pairs and ordinary text', () => {
    expect(storableText('a\u0000b')).toBe('ab');
    expect(storableText('x\ud800y')).toBe('x\ufffdy');
    expect(storableText('\udc00')).toBe('\ufffd');
    expect(storableText('end\ud83d')).toBe('end\ufffd');
    expect(storableText('😀 查端口 OLT-HZ-01')).toBe('😀 查端口 OLT-HZ-01');
    expect(storableText('\udc00\ud800')).toBe('\ufffd\ufffd');
    expect(isStorableText('ok')).toBe(true);
    expect(isStorableText('\u0000')).toBe(false);
  });

  it('walks arrays and objects, keys included, and is idempotent', () => {
    const v = { 'k\u0000': ['a\ud800', { deep: 'x\u0000' }], n: 1, d: new Date(0), nil: null };
    const s = storable(v);
    expect(s).toEqual({ k: ['a\ufffd', { deep: 'x' }], n: 1, d: new Date(0), nil: null });
    expect(storable(s)).toBe(s);
    const clean = { a: ['b'] };
    expect(storable(clean)).toBe(clean);
    // What JSON.stringify makes of it parses back to the same value with no escapes PostgreSQL refuses.
    expect(storableJson(v)).not.toMatch(/\\u0000|\\ud[89a-f]/i);
  });

  it('cuts off a value nested deeper than anything real', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const s = storableJson(deep);
    expect(s).toContain(TOO_DEEP);
    expect(s.startsWith(`${'['.repeat(MAX_STORABLE_DEPTH)}"`)).toBe(true);
  });
});
