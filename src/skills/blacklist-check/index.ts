/** Blacklist and risk lists for a mobile or an ID number: "黑名单 <手机号>" / "查风险 <身份证号>". */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { maskMobile, maskResidentId } from '../../policies/masking.js';
import { checkBlacklistInput, checkBlacklistOutput } from '../../tools/risk/schemas.js';
import { answered, clarify, defineSkill, valid } from '../contract.js';
import { RESIDENT_ID, mobileIn, words } from '../grammar.js';
import { blacklistReply, whichSubject } from './texts.js';

const BLACKLIST_WORDS = /(黑名单|风险|风控|blacklist|black\s*list|risk|^\/risk(?![a-z]))/i;
const VOCABULARY = words(
  '黑名单', '查风险', '风险查询', '风险核查', '风险名单', '风险', '风控', '是不是', '是否', '在不在', '在', '有没有', '有', '里', '上', '号码', '手机号', '身份证号', '身份证', '用户', '客户',
  'blacklisted', 'blacklist', 'black list', 'against', 'on the', 'risk check', 'risk', 'risky', 'listed', 'in', 'number', 'mobile', 'id', 'any',
);

export const blacklistCheck = defineSkill({
  flow: 'blacklist.check',
  plan: z.object({ flow: z.literal('blacklist.check'), lang: langSchema, mobile: z.string().nullable(), residentId: z.string().nullable() }),
  commands: [
    {
      priority: 220,
      words: VOCABULARY,
      parse: ({ text, lang }) => {
        if (!BLACKLIST_WORDS.test(text)) return undefined;
        const residentId = RESIDENT_ID.exec(text)?.[1]?.toUpperCase() ?? null;
        const mobile = mobileIn(text) ?? null;
        if (!mobile && !residentId) return clarify(lang, whichSubject);
        return { flow: 'blacklist.check' as const, lang, mobile, residentId };
      },
    },
  ],
  uses: { tool: 'risk.checkBlacklist', effect: 'read' },
  help: [{ section: 'read', order: 6, text: { zh: '黑名单 <手机号> / 查风险 <身份证号> — 黑名单与风险名单核查', en: 'blacklist check <mobile> — blacklist and risk lists' } }],
  async run(plan, tools) {
    const input = valid(checkBlacklistInput, { ...(plan.mobile ? { mobile: plan.mobile } : {}), ...(plan.residentId ? { residentId: plan.residentId } : {}) });
    const res = await tools.call('risk.checkBlacklist', input, checkBlacklistOutput);
    const subject = [plan.mobile ? maskMobile(plan.mobile) : null, plan.residentId ? maskResidentId(plan.residentId) : null].filter(Boolean).join(' / ');
    return answered(blacklistReply(plan.lang, subject, res));
  },
});
