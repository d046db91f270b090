/**
 * Send a registered SMS template to a number after a manager approves:
 * "发短信 <手机号> SMS_FAULT_NOTICE ticketId=T… eta=…". Nothing to re-read: the guard is the
 * registered template and the number the requester named.
 */
import { z } from 'zod';
import { langSchema, type Lang } from '../../chat/lang.js';
import { SMS_TEMPLATE_PREVIEW, sendSmsNoticeInput, smsTemplateParams } from '../../tools/sms/schemas.js';
import { WouldFail, clarify, defineSkill, valid, type FlowResult } from '../contract.js';
import { anchored, keywordLang, mobileIn } from '../grammar.js';
import { smsTexts } from './texts.js';

const SMS_CMD = anchored(String.raw`发送短信|发短信|短信通知|send\s+(?:an?\s+)?sms|sms`);
const TEMPLATE = /(?<![A-Za-z0-9_])(SMS_[A-Z0-9_]{2,40})(?![A-Za-z0-9_])/i;
const q = smsTexts.questions;

// Strict function calling has no free-form maps: the model gives template parameters as pairs.
const modelArgs = z
  .object({
    mobile: sendSmsNoticeInput.shape.mobile,
    templateId: sendSmsNoticeInput.shape.templateId,
    params: z
      .array(z.object({ name: z.string().regex(/^[a-zA-Z]\w{0,30}$/), value: z.string().trim().min(1).max(100) }).strict())
      .max(20)
      .describe('Template parameters, e.g. [{"name":"ticket","value":"T20261124-0012"}]'),
  })
  .strict();

function proposeSms(lang: Lang, asked: { mobile: string; templateId: string; params: Record<string, string> }): FlowResult {
  const input = valid(sendSmsNoticeInput, asked);
  // The gateway sends registered templates only, with exactly their parameters: a card with a
  // {ticketId} left unfilled would be approved and then refused. Checked here, on both paths.
  const wanted = smsTemplateParams(input.templateId);
  if (!wanted) throw new WouldFail('sms.sendNotice', 'unknown_template', smsTexts.unknownTemplate(input.templateId, Object.keys(SMS_TEMPLATE_PREVIEW)));
  const given = Object.keys(input.params);
  const missing = wanted.filter((p) => !given.includes(p));
  const unexpected = given.filter((p) => !wanted.includes(p));
  if (missing.length || unexpected.length) throw new WouldFail('sms.sendNotice', 'template_params', smsTexts.wrongParams(input.templateId, wanted, missing, unexpected));
  return { kind: 'propose', proposal: { tool: 'sms.sendNotice', input, title: smsTexts.title(lang, input.mobile, input.templateId), facts: { recipients: 1 } }, unresolved: [] };
}

export const smsSend = defineSkill({
  flow: 'sms.send',
  plan: z.object({ flow: z.literal('sms.send'), lang: langSchema, mobile: z.string(), templateId: z.string(), params: z.record(z.string(), z.string()) }),
  commands: [
    {
      priority: 120,
      parse: ({ text }) => {
        if (!SMS_CMD.test(text)) return undefined;
        const lang = keywordLang(SMS_CMD, text);
        const mobile = mobileIn(text);
        const tpl = TEMPLATE.exec(text);
        if (!mobile) return clarify(lang, q.mobile);
        if (!tpl) return clarify(lang, q.template);
        const rest = text.slice(tpl.index + tpl[0].length).trim();
        const params: Record<string, string> = {};
        if (rest) {
          const PAIR = /([a-zA-Z]\w{0,30})\s*=\s*(.*?)(?=\s+[a-zA-Z]\w{0,30}\s*=|$)/g;
          if (!/^[a-zA-Z]\w{0,30}\s*=/.test(rest)) return clarify(lang, q.params);
          for (const m of rest.matchAll(PAIR)) {
            const value = m[2]!.trim();
            if (!value) return clarify(lang, q.params);
            params[m[1]!] = value;
          }
        }
        return { flow: 'sms.send' as const, lang, mobile, templateId: tpl[1]!.toUpperCase(), params };
      },
    },
  ],
  help: [
    {
      section: 'write',
      order: 4,
      text: { zh: '发短信 <手机号> SMS_FAULT_NOTICE ticket=T20261124-0012 time=2026-11-25 09:00', en: 'send sms <mobile> SMS_FAULT_NOTICE ticket=T20261124-0012 time=2026-11-25 09:00' },
    },
  ],
  run: async (plan) => proposeSms(plan.lang, { mobile: plan.mobile, templateId: plan.templateId, params: plan.params }),
  proposal: {
    tool: 'sms.sendNotice',
    input: modelArgs,
    // The number as the model passed it back (the requester's own form, restored from the vault).
    target: (args) => String(args.mobile ?? '').trim().toUpperCase(),
    targetKind: 'mobile',
    intent: /短信|发信息|发个信息|通知|告知|SMS|TEXT (HIM|HER|THEM|THE CUSTOMER)|MESSAGE THE CUSTOMER|NOTIFY|SEND .*MESSAGE/,
    async build(args, _tools, lang) {
      const asked = valid(modelArgs, args);
      return proposeSms(lang, { ...asked, params: Object.fromEntries(asked.params.map((p) => [p.name, p.value])) });
    },
  },
});
