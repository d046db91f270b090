import { describe, expect, it } from 'vitest';
import { legacyTools, toolsBySystem } from './catalog.js';

describe('tool catalog', () => {
  it('each system folder lists only tools of that system', () => {
    for (const [system, tools] of Object.entries(toolsBySystem)) {
      for (const tool of tools) expect({ tool: tool.name, system: tool.system }).toEqual({ tool: tool.name, system });
    }
  });

  it('offers every listed tool exactly once', () => {
    const listed = Object.values(toolsBySystem).flat().map((t) => t.name);
    expect(new Set(legacyTools.map((t) => t.name)).size).toBe(legacyTools.length);
    expect(legacyTools.map((t) => t.name).sort()).toEqual([...listed].sort());
  });
});
