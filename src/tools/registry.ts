/** The set of tools the agent may call, by name. Duplicate names are refused: a name is an identity in audit and approvals. */
import type { AnyTool, LegacySystem, ToolEffect } from './define.js';
import { scopeResolvers, validateScope } from './scope.js';

export class ToolRegistry {
  private readonly tools = new Map<string, AnyTool>();

  register(tool: AnyTool): this {
    if (this.tools.has(tool.name)) throw new Error(`tool ${tool.name} is already registered`);
    // No declaration, no registration (invariant 10), also for a tool not built by defineTool().
    validateScope(tool);
    this.tools.set(tool.name, tool);
    return this;
  }

  get(name: string): AnyTool | undefined {
    return this.tools.get(name);
  }

  require(name: string): AnyTool {
    const tool = this.tools.get(name);
    if (!tool) throw new Error(`unknown tool ${name}`);
    return tool;
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  /**
   * The read tools the scope resolvers of registered tools call, that are not registered: a
   * write whose target owner cannot be read would be refused on every call (check at start-up).
   */
  missingResolverReads(): string[] {
    const missing = new Set<string>();
    for (const t of this.tools.values()) {
      if ('none' in t.scope) continue;
      for (const f of t.scope.input) for (const r of f.via ? scopeResolvers[f.via].reads : []) if (!this.tools.has(r)) missing.add(r);
    }
    return [...missing];
  }

  /** In registration order. */
  list(filter?: { effect?: ToolEffect; system?: LegacySystem }): AnyTool[] {
    return [...this.tools.values()].filter(
      (t) => (!filter?.effect || t.effect === filter.effect) && (!filter?.system || t.system === filter.system),
    );
  }
}
