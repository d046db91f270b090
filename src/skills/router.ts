/**
 * Runs a plan: the planner's own answers (help, a question, not understood) here, everything else
 * by the skill that owns the flow. Flows see tools only through FlowTools.call, which authorizes,
 * records and scope-checks every call, so a flow cannot reach a legacy system any other way.
 */
import { maskText } from '../policies/masking.js';
import type { Lang } from '../chat/lang.js';
import { InvalidInput, WouldFail, type FlowResult, type FlowTools } from './contract.js';
import { helpText } from './help.js';
import { skillFor, type Plan } from './index.js';
import { routerTexts } from './texts.js';

export async function runFlow(plan: Plan, tools: FlowTools): Promise<FlowResult> {
  const lang = plan.lang;
  switch (plan.flow) {
    case 'help':
      return { kind: 'reply', text: helpText(lang), status: 'succeeded' };
    case 'unknown':
      return { kind: 'reply', text: routerTexts.unknown[lang], status: 'not_understood' };
    case 'clarify':
      return { kind: 'reply', text: plan.question, status: 'not_understood' };
  }
  const skill = skillFor(plan.flow);
  if (!skill) return { kind: 'reply', text: routerTexts.unknown[lang], status: 'not_understood' };
  try {
    return await skill.run(skill.plan.parse(plan), tools);
  } catch (err) {
    if (err instanceof WouldFail) return wouldFailReply(err, lang);
    if (err instanceof InvalidInput) return { kind: 'reply', text: maskText(routerTexts.invalidInput(lang, err.problems)), status: 'not_understood' };
    throw err;
  }
}

/** The answer to a write that would fail: its reason, in the request's language (both planners). */
export function wouldFailReply(err: WouldFail, lang: Lang): FlowResult {
  return { kind: 'reply', text: maskText(err.text[lang]), status: 'business_error', refused: { tool: err.tool, reason: err.reason } };
}
