import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from './define.js';
import { ToolRegistry } from './registry.js';

const tool = (name: string, effect: 'read' | 'write' = 'read') =>
  defineTool({
    name,
    effect,
    system: 'crm',
    description: name,
    input: z.object({}),
    output: z.object({}),
    scope: { none: 'a test tool: carries no owned data' },
    run: async () => ({}),
    ...(effect === 'write' && { verify: async () => ({ ok: true, lines: [] }), summarize: () => [] }),
  });

describe('ToolRegistry', () => {
  it('finds tools by name and lists them in registration order', () => {
    const r = new ToolRegistry().register(tool('crm.a')).register(tool('crm.b', 'write'));
    expect(r.get('crm.a')?.name).toBe('crm.a');
    expect(r.get('crm.zzz')).toBeUndefined();
    expect(r.list().map((t) => t.name)).toEqual(['crm.a', 'crm.b']);
    expect(r.list({ effect: 'write' }).map((t) => t.name)).toEqual(['crm.b']);
  });

  it('refuses a duplicate name', () => {
    const r = new ToolRegistry().register(tool('crm.a'));
    expect(() => r.register(tool('crm.a'))).toThrow(/already registered/);
  });

  it('require() throws for an unknown tool', () => {
    expect(() => new ToolRegistry().require('crm.x')).toThrow(/unknown tool crm.x/);
  });
});
