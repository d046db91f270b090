/**
 * A customer's profile, personal fields masked: "查客户 C000123" / "客户信息 <手机号>" /
 * "customer info hz81000123". Recognised only at the start of a message, so a question that
 * merely mentions a customer still goes to the other skills or the LLM.
 */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { customerSchema, getCustomerInput } from '../../tools/crm/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { ACCOUNT, CUSTOMER, anchored, customerIn, keywordLang, words } from '../grammar.js';
import { customerReply, whichCustomer } from './texts.js';

const CUSTOMER_CMD = anchored(String.raw`查客户|查询客户|客户信息|客户资料|客户档案|customer\s+(?:info|profile|record|details)|\/customer`);
const VOCABULARY = words('查客户', '查询客户', '客户信息', '客户资料', '客户档案', '客户', '用户', '资料', '档案', '信息', '是谁', '谁', 'customer', 'info', 'profile', 'record', 'details', 'who', 'look up', 'lookup', 'find');

const customerLookup = z.union([
  z.object({ customerId: z.string() }).strict(),
  z.object({ mobile: z.string() }).strict(),
  z.object({ broadbandAccount: z.string() }).strict(),
]);

export const customerShow = defineSkill({
  flow: 'customer.show',
  plan: z.object({ flow: z.literal('customer.show'), lang: langSchema, customer: customerLookup }),
  commands: [
    {
      priority: 270,
      words: VOCABULARY,
      parse: ({ text, lang: asked }) => {
        // The command word, or a customer id (or broadband account) with customer words only.
        const command = CUSTOMER_CMD.test(text);
        if (!command && !CUSTOMER.test(text) && !ACCOUNT.test(text)) return undefined;
        const lang = command ? keywordLang(CUSTOMER_CMD, text) : asked;
        const rest = text.replace(CUSTOMER_CMD, ' ');
        const account = ACCOUNT.exec(rest)?.[1]?.toLowerCase();
        const customer = customerIn(rest) ?? (account ? { broadbandAccount: account } : undefined);
        return customer ? { flow: 'customer.show' as const, lang, customer } : clarify(lang, whichCustomer);
      },
    },
  ],
  uses: { tool: 'crm.getCustomer', effect: 'read' },
  help: [{ section: 'read', order: 4.5, text: { zh: '查客户 C000123 — 客户资料（个人信息已脱敏）', en: 'customer info C000123 — customer profile (personal data masked)' } }],
  async run(plan, tools) {
    const customer = await tools.call('crm.getCustomer', valid(getCustomerInput, plan.customer), customerSchema);
    return answered(customerReply(plan.lang, customer));
  },
});
