/** Whether a customer may take a plan, with the rules that fail: "能否办理 P5G_199 C000123". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { checkPlanEligibilityInput, checkPlanEligibilityOutput } from '../../tools/billing/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { customerIn, customerRefSchema } from '../grammar.js';
import { eligibilityQuestions, eligibilityReply } from './texts.js';

const ELIGIBILITY_WORDS = /(能否办理|可否办理|能不能办|套餐资格|办理资格|资格校验|eligib(?:le|ility)|^\/eligible(?![a-z]))/i;
const PLAN_CODE = /(?<![A-Za-z0-9_])(P(?=[A-Z0-9_]*\d)[A-Z0-9_]{2,30})(?![A-Za-z0-9_])/i;

export const planEligibility = defineSkill({
  flow: 'plan.eligibility',
  plan: z.object({ flow: z.literal('plan.eligibility'), lang: langSchema, customer: customerRefSchema, planCode: z.string() }),
  commands: [
    {
      priority: 230,
      parse: ({ text, lang }) => {
        if (!ELIGIBILITY_WORDS.test(text)) return undefined;
        const planCode = PLAN_CODE.exec(text)?.[1]?.toUpperCase();
        const customer = customerIn(text.replace(PLAN_CODE, ' '));
        if (!planCode) return clarify(lang, eligibilityQuestions.planCode);
        if (!customer) return clarify(lang, eligibilityQuestions.customer);
        return { flow: 'plan.eligibility' as const, lang, customer, planCode };
      },
    },
  ],
  help: [{ section: 'read', order: 8, text: { zh: '能否办理 P5G_199 C000123 — 套餐办理资格与不通过的原因', en: 'eligible C000123 P5G_199 — plan eligibility and the rules that fail' } }],
  async run(plan, tools) {
    const input = valid(checkPlanEligibilityInput, { customer: plan.customer, planCode: plan.planCode });
    const res = await tools.call('billing.checkPlanEligibility', input, checkPlanEligibilityOutput);
    return answered(eligibilityReply(plan.lang, res));
  },
});
