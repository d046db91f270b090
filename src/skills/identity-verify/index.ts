/** Check an ID number a customer gives against its format, checksum and the CRM record: "核验身份 C000123 <身份证号> [姓名 张伟]". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { customerRefLabel } from '../../policies/masking.js';
import { verifyIdentityInput, verifyIdentityOutput } from '../../tools/crm/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { CUSTOMER, MOBILE, RESIDENT_ID, customerIn, customerRefSchema, keywordLang } from '../grammar.js';
import { identityQuestions, identityReply } from './texts.js';

const IDENTITY_WORDS = /(核验身份|身份核验|实名核验|核验实名|验证身份|身份验证|verify\s+(?:id|identity)(?![a-z])|(?:id|identity)\s+check|^\/verify(?![a-z]))/i;

export const identityVerify = defineSkill({
  flow: 'identity.verify',
  plan: z.object({ flow: z.literal('identity.verify'), lang: langSchema, customer: customerRefSchema, residentId: z.string(), name: z.string().nullable() }),
  commands: [
    {
      priority: 210,
      parse: ({ text }) => {
        if (!IDENTITY_WORDS.test(text)) return undefined;
        // A name may follow the command word in Chinese while the command is English, or the reverse.
        const lang = keywordLang(IDENTITY_WORDS, text);
        const residentId = RESIDENT_ID.exec(text)?.[1]?.toUpperCase();
        const rest = residentId ? text.replace(RESIDENT_ID, ' ') : text;
        const customer = customerIn(rest);
        if (!customer) return clarify(lang, identityQuestions.customer);
        if (!residentId) return clarify(lang, identityQuestions.residentId);
        let name: string | null = null;
        const labelled = /(?:name|姓名|名字)\s*[:=]?\s*(.+)$/i.exec(rest);
        if (labelled) name = labelled[1]!.trim();
        else {
          const leftover = rest
            .replace(IDENTITY_WORDS, ' ')
            .replace(CUSTOMER, ' ')
            .replace(MOBILE, ' ')
            .replace(/(客户|用户|的|customer|for|of)/gi, ' ')
            .trim();
          if (/^[\u3400-\u9fff·]{2,6}$/.test(leftover)) name = leftover;
        }
        return { flow: 'identity.verify' as const, lang, customer, residentId, name: name || null };
      },
    },
  ],
  help: [
    {
      section: 'read',
      order: 5,
      text: {
        zh: '核验身份 <手机号或客户编号> <身份证号> [姓名 张伟] — 证件号格式、校验位与档案比对',
        en: 'verify id C000123 <ID number> [name 张伟] — ID number format, checksum and match with the record',
      },
    },
  ],
  async run(plan, tools) {
    const input = valid(verifyIdentityInput, { customer: plan.customer, residentId: plan.residentId, ...(plan.name ? { name: plan.name } : {}) });
    const res = await tools.call('crm.verifyIdentity', input, verifyIdentityOutput);
    return answered(identityReply(plan.lang, customerRefLabel(plan.customer), res));
  },
});
