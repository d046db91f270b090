/** Whether a customer may take a plan, with the rules that fail: "能否办理 P5G_199 C000123". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { checkPlanEligibilityInput, checkPlanEligibilityOutput } from '../../tools/billing/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { PLAN_CODE, customerIn, customerRefSchema, words } from '../grammar.js';
import { eligibilityQuestions, eligibilityReply } from './texts.js';

const ELIGIBILITY_WORDS = /(能否办理|可否办理|能不能办|套餐资格|办理资格|资格校验|eligib(?:le|ility)|^\/eligible(?![a-z]))/i;
/** With a plan code and a customer, these make the message this request ("C000123 能办 P5G_199 吗"). */
const ASK_WORDS = /(能|可以|可否|办|资格|eligib|\bcan\b|\btake\b|\bget\b|\bsign up\b|\bsubscribe\b|\bupgrade\b)/i;
const VOCABULARY = words(
  '能否办理', '可否办理', '能不能办理', '能不能办', '能不能', '可以办理', '可以办', '可以', '能办理', '能办', '能', '办理', '办', '套餐资格', '办理资格', '资格校验', '有没有资格', '资格', '套餐',
  '客户', '用户', '有没有', '没有', '有', '吗', '订购', '开通', '换成', '换', '不', '行不行', '行吗', '可不可以', '个', 'eligible', 'eligibility', 'can', 'take', 'get', 'have', 'switch to', 'sign up for', 'subscribe to', 'order', 'upgrade to', 'plan', 'customer', 'is', 'to',
);

export const planEligibility = defineSkill({
  flow: 'plan.eligibility',
  plan: z.object({ flow: z.literal('plan.eligibility'), lang: langSchema, customer: customerRefSchema, planCode: z.string() }),
  commands: [
    {
      priority: 230,
      words: VOCABULARY,
      parse: ({ text, lang }) => {
        if (!ELIGIBILITY_WORDS.test(text) && !(ASK_WORDS.test(text) && PLAN_CODE.test(text))) return undefined;
        const planCode = PLAN_CODE.exec(text)?.[1]?.toUpperCase();
        const customer = customerIn(text.replace(PLAN_CODE, ' '));
        if (!planCode) return clarify(lang, eligibilityQuestions.planCode);
        if (!customer) return clarify(lang, eligibilityQuestions.customer);
        return { flow: 'plan.eligibility' as const, lang, customer, planCode };
      },
    },
  ],
  uses: { tool: 'billing.checkPlanEligibility', effect: 'read' },
  help: [{ section: 'read', order: 8, text: { zh: '能否办理 P5G_199 C000123 — 套餐办理资格与不通过的原因', en: 'eligible C000123 P5G_199 — plan eligibility and the rules that fail' } }],
  async run(plan, tools) {
    const input = valid(checkPlanEligibilityInput, { customer: plan.customer, planCode: plan.planCode });
    const res = await tools.call('billing.checkPlanEligibility', input, checkPlanEligibilityOutput);
    return answered(eligibilityReply(plan.lang, res));
  },
});
