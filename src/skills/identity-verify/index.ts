/** Check an ID number a customer gives against its format, checksum and the CRM record: "核验身份 C000123 <身份证号> [姓名 张伟]". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { customerRefLabel } from '../../policies/masking.js';
import { verifyIdentityInput, verifyIdentityOutput } from '../../tools/crm/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { RESIDENT_ID, customerIn, customerRefSchema, keywordLang, leftover, words } from '../grammar.js';
import { identityQuestions, identityReply } from './texts.js';

const IDENTITY_WORDS = /(核验身份|身份核验|实名核验|核验实名|验证身份|身份验证|verify\s+(?:id|identity)(?![a-z])|(?:id|identity)\s+check|^\/verify(?![a-z]))/i;
/** Words that make a message with a customer and an ID number this request. */
const ID_WORDS = /(核验|核对|核实|验证|校验|实名|身份证|证件|身份|verify|identity|\bid\b)/i;
const VOCABULARY = words(
  '核验身份', '身份核验', '实名核验', '核验实名', '验证身份', '身份验证', '核验', '核对', '核实', '验证', '校验', '实名', '身份证号码', '身份证号', '身份证', '证件号码', '证件号', '证件', '身份',
  '号码', '对不对', '对吗', '是不是', '是否', '一致', '匹配', '客户', '用户', '提供', '给的', '说的', '姓名', 'verify', 'verification', 'identity', 'id number', 'id', 'check', 'matches', 'match',
  'matching', 'correct', 'right', 'valid', 'does', 'belong to', 'belongs to', 'customer', 'his', 'her', 'number', 'given', 'by',
);

export const identityVerify = defineSkill({
  flow: 'identity.verify',
  plan: z.object({ flow: z.literal('identity.verify'), lang: langSchema, customer: customerRefSchema, residentId: z.string(), name: z.string().nullable() }),
  commands: [
    {
      priority: 210,
      // A name may follow: the rule judges the rest of the message itself.
      words: 'own',
      parse: ({ text, now }) => {
        if (!ID_WORDS.test(text)) return undefined;
        // A name may follow the command word in Chinese while the command is English, or the reverse.
        const lang = keywordLang(ID_WORDS, text);
        const residentId = RESIDENT_ID.exec(text)?.[1]?.toUpperCase();
        let rest = residentId ? text.replace(RESIDENT_ID, ' ') : text;
        const customer = customerIn(rest);
        let name: string | null = null;
        const labelled = /(?:name|姓名|名字)\s*[:=]?\s*(\S+)\s*$/i.exec(rest);
        if (labelled) {
          name = labelled[1]!.trim();
          rest = rest.slice(0, labelled.index);
        }
        const left = leftover(rest, VOCABULARY, now);
        // An unlabelled Chinese name (2 to 4 characters) may be all that is left.
        if (left && !name && /^[\u3400-\u9fff·]{2,4}$/.test(left)) name = left;
        else if (left) return undefined;
        if (!customer) return IDENTITY_WORDS.test(text) ? clarify(lang, identityQuestions.customer) : undefined;
        if (!residentId) return IDENTITY_WORDS.test(text) ? clarify(lang, identityQuestions.residentId) : undefined;
        return { flow: 'identity.verify' as const, lang, customer, residentId, name: name || null };
      },
    },
  ],
  uses: { tool: 'crm.verifyIdentity', effect: 'read' },
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
