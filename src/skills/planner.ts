/**
 * The deterministic command planner: the structured requests people type all day, in Chinese or
 * English, with any spacing and full-width characters. No LLM, no cost, works when the provider
 * is down. It runs every skill's command rules in priority order; the first that answers wins.
 */
import type { BasePlan, ClarifyPlan, CommandRule } from './contract.js';
import { commandText } from './grammar.js';
import { skills, type Plan, type Planner } from './index.js';

const HELP = /^(\/?help|帮助|\/?\?|？|怎么用|你能做什么|what can you do\??)$/i;

const rules: readonly CommandRule<BasePlan>[] = skills
  .flatMap((s) => s.commands as readonly CommandRule<BasePlan>[])
  .sort((a, b) => a.priority - b.priority);

export function parseCommand(raw: string): Plan {
  const cmd = commandText(raw);
  if (cmd.text === '' || HELP.test(cmd.text)) return { flow: 'help', lang: cmd.lang };
  for (const rule of rules) {
    const plan = rule.parse(cmd);
    // A rule produces its own skill's plan (or a question); the router validates it against the skill's schema.
    if (plan) return plan as Plan | ClarifyPlan;
  }
  return { flow: 'unknown', lang: cmd.lang };
}

export class CommandPlanner implements Planner {
  readonly name = 'commands';

  async plan(raw: string): Promise<Plan> {
    return parseCommand(raw);
  }
}
