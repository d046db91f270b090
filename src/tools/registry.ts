/** The set of tools the agent may call, by name. Duplicate names are refused: a name is an identity in audit and approvals. */
import type { AnyTool, LegacySystem, ToolEffect } from './define.js';

export class ToolRegistry {
  private readonly tools = new Map<string, AnyTool>();

  register(tool: AnyTool): this {
    if (this.tools.has(tool.name)) throw new Error(`tool ${tool.name} is already registered`);
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

  /** In registration order. */
  list(filter?: { effect?: ToolEffect; system?: LegacySystem }): AnyTool[] {
    return [...this.tools.values()].filter(
      (t) => (!filter?.effect || t.effect === filter.effect) && (!filter?.system || t.system === filter.system),
    );
  }
}
