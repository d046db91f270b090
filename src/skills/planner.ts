/**
 * The deterministic command planner: the structured requests people type all day, in Chinese or
 * English, with any spacing and full-width characters. No LLM, no cost, works when the provider
 * is down. It runs every skill's command rules in priority order; the first that answers wins —
 * but only when the message IS that command (CommandRule.words): a longer free-form message that
 * merely holds an id is not silently answered as a lookup, it is 'unknown' and goes to the LLM.
 */
import type { Lang } from '../chat/lang.js';
import type { BasePlan, ClarifyPlan, CommandRule, CommandText, Suggestion } from './contract.js';
import { ALARM_ID, CUSTOMER, OLT, PLAN_CODE, RESIDENT_ID, WORK_ORDER, commandText, idTyposIn, mobileIn, normalizeCommand, portIn, ticketIn, whole } from './grammar.js';
import { skillFor, skills, type Plan, type Planner } from './index.js';
import { plannerTexts } from './texts.js';

const HELP = /^(\/?help|帮助|\/?\?|？|怎么用|你能做什么|你会什么|what can you do\??|commands?)$/i;

const rules: readonly CommandRule<BasePlan>[] = skills
  .flatMap((s) => s.commands as readonly CommandRule<BasePlan>[])
  .sort((a, b) => a.priority - b.priority);

function planRules(cmd: CommandText): Plan | undefined {
  for (const rule of rules) {
    const plan = rule.parse(cmd);
    // A rule produces its own skill's plan (or a question); the router validates it against the skill's schema.
    if (plan && (rule.words === 'own' || whole(cmd.text, rule.words, cmd.now))) return plan as Plan | ClarifyPlan;
  }
  return undefined;
}

const isSkillPlan = (p: Plan | undefined): boolean => p !== undefined && p.flow !== 'clarify' && p.flow !== 'unknown' && p.flow !== 'help';

/** "Did you mean": the same message with a mistyped id corrected, when that makes it a command. */
function didYouMean(cmd: CommandText): ClarifyPlan | undefined {
  const typos = idTyposIn(cmd.text, cmd.now);
  if (typos.length === 0) return undefined;
  const suggestions: Suggestion[] = [];
  for (const typo of typos) {
    for (const candidate of typo.candidates) {
      const text = cmd.text.replace(typo.typed, candidate);
      const plan = planRules(commandText(text, cmd.now));
      const tool = plan && isSkillPlan(plan) ? toolOf(plan.flow) : undefined;
      if (tool) suggestions.push({ text, ...tool });
    }
  }
  if (suggestions.length === 0) return undefined;
  return { flow: 'clarify', lang: cmd.lang, question: plannerTexts.didYouMean(cmd.lang, typos.map((t) => t.typed), suggestions.map((s) => s.text)), suggestions };
}

/** The tool a flow's command calls, for the role check of a suggestion (Skill.uses). */
const toolOf = (flow: string): { tool: string; effect: 'read' | 'write' } | undefined => skillFor(flow)?.uses;

/**
 * The nearest full commands for a message that is not understood, built from the ids it holds
 * (ticket -> 查工单 / 补全工单, customer -> 查账单 / 能否办理, alarm -> 确认告警, mobile -> 黑名单 /
 * 核验身份, OLT and port -> 查端口). The turn keeps those the requester's role may use.
 */
export function suggestionsFor(text: string, lang: Lang): Suggestion[] {
  const t = normalizeCommand(text);
  const zh = lang === 'zh';
  const out: string[] = [];
  const ticket = ticketIn(t);
  if (ticket) out.push(zh ? `查工单 ${ticket}` : `ticket ${ticket}`, zh ? `补全工单 ${ticket}` : `complete ticket ${ticket}`);
  const wo = WORK_ORDER.exec(t)?.[1]?.toUpperCase();
  if (wo) out.push(zh ? `查派单 ${wo}` : `work order ${wo}`);
  const customer = CUSTOMER.exec(t)?.[1]?.toUpperCase();
  const plan = PLAN_CODE.exec(t.replace(CUSTOMER, ' '))?.[1]?.toUpperCase();
  if (customer) {
    out.push(zh ? `查账单 ${customer}` : `bills ${customer}`);
    if (plan) out.push(zh ? `能否办理 ${plan} ${customer}` : `eligible ${customer} ${plan}`);
    out.push(zh ? `查客户 ${customer}` : `customer info ${customer}`);
  }
  const alarm = ALARM_ID.exec(t)?.[1]?.toUpperCase();
  if (alarm) out.push(zh ? `确认告警 ${alarm}` : `ack alarm ${alarm}`);
  const residentId = RESIDENT_ID.exec(t)?.[1]?.toUpperCase();
  const mobile = mobileIn(t.replace(RESIDENT_ID, ' '));
  if (mobile) {
    out.push(zh ? `黑名单 ${mobile}` : `blacklist ${mobile}`);
    if (residentId) out.push(zh ? `核验身份 ${mobile} ${residentId}` : `verify id ${mobile} ${residentId}`);
  }
  if (customer && residentId) out.push(zh ? `核验身份 ${customer} ${residentId}` : `verify id ${customer} ${residentId}`);
  const { olt, fsp } = portIn(t);
  if (olt && fsp) out.push(zh ? `查端口 ${olt} ${fsp}` : `port ${olt} ${fsp}`);
  if (olt) out.push(zh ? `查告警 ${olt}` : `alarms ${olt}`);
  const suggestions: Suggestion[] = [];
  for (const s of new Set(out)) {
    const p = planRules(commandText(s));
    const tool = p && isSkillPlan(p) ? toolOf(p.flow) : undefined;
    // Only commands that plan as themselves are offered.
    if (tool) suggestions.push({ text: s, ...tool });
  }
  return suggestions;
}

export function parseCommand(raw: string, now: Date = new Date()): Plan {
  const cmd = commandText(raw, now);
  if (cmd.text === '' || HELP.test(cmd.text)) return { flow: 'help', lang: cmd.lang };
  const typo = didYouMean(cmd);
  const plan = planRules(cmd);
  if (plan && isSkillPlan(plan)) return plan;
  if (typo) return typo;
  if (plan) return plan;
  return { flow: 'unknown', lang: cmd.lang };
}

export class CommandPlanner implements Planner {
  readonly name = 'commands';

  async plan(raw: string): Promise<Plan> {
    return parseCommand(raw);
  }
}
