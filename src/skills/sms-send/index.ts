/**
 * Send a registered SMS template to a number after a manager approves:
 * "发短信 <手机号> SMS_FAULT_NOTICE ticketId=T… eta=…". Nothing to re-read: the guard is the
 * registered template and the number the requester named.
 */
import { z } from 'zod';
import { langSchema, type Lang } from '../../chat/lang.js';
import { SMS_TEMPLATE_PREVIEW, sendSmsNoticeInput, smsTemplateParams } from '../../tools/sms/schemas.js';
import { WouldFail, clarify, defineSkill, inBoth, valid, type FlowResult } from '../contract.js';
import { anchored, keywordLang, mobileIn, periodsIn, ticketIn, whole, words } from '../grammar.js';
import { ahead, whenIn, type When } from '../when.js';
import { smsTexts } from './texts.js';

const SMS_CMD = anchored(String.raw`发送短信|发短信|短信通知|send\s+(?:an?\s+)?sms|sms`);
const TEMPLATE = /(?<![A-Za-z0-9_])(SMS_[A-Z0-9_]{2,40})(?![A-Za-z0-9_])/i;
/** "给13857101234发个故障短信 工单T… 18点前修好": a message word, a kind of notice, a number. */
const SMS_WORDS = /(短信|\bsms\b|\btext\b|通知|\bnotify\b)/i;
/** The kind of notice as people name it, most specific first ("故障恢复" is a restore notice). */
const KINDS: [RegExp, string][] = [
  [/预约|上门|appointment|visit/i, 'SMS_APPOINTMENT_NOTICE'],
  [/恢复|修复|restore|repaired/i, 'SMS_RESTORE_NOTICE'],
  [/欠费|催费|缴费|arrears|overdue|payment/i, 'SMS_ARREARS_REMINDER'],
  [/故障|受理|fault|outage|eta|(?:fixed|repaired)\s+by/i, 'SMS_FAULT_NOTICE'],
];
const VOCABULARY = words(
  '发送短信', '发短信', '短信通知', '发个', '发一条', '发条', '发送', '发', '给', '短信', '通知短信', '通知', '信息', '故障', '受理', '预约', '上门', '恢复', '已修复', '修复', '已恢复', '修好', '处理完', '处理好',
  '搞定', '欠费', '提醒', '催费', '缴费', '缴清', '交清', '还清', '缴', '元', '工单', '预计', '之前', '以前', '前', '已', '客户', '用户', '条', '截至', '期限',
  'send', 'text', 'sms', 'message', 'notice', 'notification', 'fault', 'appointment', 'restore', 'restored', 'fixed', 'repaired', 'by', 'eta', 'ticket', 'to', 'visit', 'arrears',
  'reminder', 'due', 'yuan', 'amount', 'period', 'will be', 'be', 'at', 'was', 'an?', 'the', 'for', 'customer', 'window', 'owes', 'pay', 'notify', 'that', 'it', 'is', 'about',
);
/** A template's parameter names, from its registered text. */
const paramsOf = (templateId: string): string[] => [...new Set([...(SMS_TEMPLATE_PREVIEW[templateId]?.text ?? '').matchAll(/\{([a-zA-Z]\w*)\}/g)].map((m) => m[1]!))];
const TIME_PARAMS = ['eta', 'window', 'restoredAt', 'dueDate'];
/** A time as the template wants it: a window "YYYY-MM-DD HH:mm-HH:mm", else a day with its time. */
const timeValue = (name: string, w: When): string => (name === 'window' && w.end ? `${w.day} ${w.start}-${w.end}` : w.start ? `${w.day} ${w.start}` : w.day);
/** Parameter names people use for a template's own ("ticket=" is ticketId, "time=" its time). */
function paramName(templateId: string, name: string): string {
  const own = paramsOf(templateId);
  if (own.includes(name) || own.length === 0) return name;
  if (/^(ticket|ticketno|ticket_id|工单)$/i.test(name) && own.includes('ticketId')) return 'ticketId';
  if (/^(time|at|when|date|eta|window|restored)$/i.test(name)) return own.find((p) => TIME_PARAMS.includes(p)) ?? name;
  return name;
}
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
  // The customer the notice goes to: the number (masked on the card), and the ticket it is about.
  const about = input.params.ticket ?? input.params.ticketId;
  const card = {
    title: inBoth((l) => smsTexts.title(l, input.mobile, input.templateId)),
    action: { zh: '发送通知短信', en: 'Send SMS notice' },
    target: { label: { zh: '收信客户', en: 'Customer' }, value: [input.mobile, about].filter((v): v is string => !!v).join(' · ') },
  };
  return { kind: 'propose', proposal: { tool: 'sms.sendNotice', input, title: smsTexts.title(lang, input.mobile, input.templateId), facts: { recipients: 1 }, card }, unresolved: [] };
}

export const smsSend = defineSkill({
  flow: 'sms.send',
  plan: z.object({ flow: z.literal('sms.send'), lang: langSchema, mobile: z.string(), templateId: z.string(), params: z.record(z.string(), z.string()) }),
  commands: [
    {
      priority: 120,
      // After the template the rest is its parameters; the everyday form is checked whole.
      words: 'own',
      parse: ({ text, lang: asked, now }) => {
        if (!SMS_CMD.test(text) || !TEMPLATE.test(text)) {
          // The everyday form: the template from the kind of notice, its parameters from the ids and times named.
          if (!SMS_WORDS.test(text) || !whole(text, VOCABULARY, now)) return undefined;
          const lang = SMS_CMD.test(text) ? keywordLang(SMS_CMD, text) : asked;
          const mobile = mobileIn(text);
          if (!mobile) return SMS_CMD.test(text) ? clarify(lang, q.mobile) : undefined;
          const templateId = KINDS.find(([re]) => re.test(text))?.[1];
          if (!templateId) return clarify(lang, q.template);
          const when = whenIn(text, now);
          const params: Record<string, string> = {};
          for (const name of paramsOf(templateId)) {
            if (name === 'ticketId' && ticketIn(text)) params[name] = ticketIn(text)!;
            // An ETA, a visit window, a due date lie ahead; a restore time is past.
            else if (TIME_PARAMS.includes(name) && when) params[name] = timeValue(name, name === 'restoredAt' ? when : ahead(when, now));
            else if (name === 'period' && periodsIn(text, now).periods[0]) params[name] = periodsIn(text, now).periods[0]!;
            else if (name === 'amount' && /(\d+(?:\.\d+)?)\s*(?:元|yuan)/i.test(text)) params[name] = /(\d+(?:\.\d+)?)\s*(?:元|yuan)/i.exec(text)![1]!;
          }
          const missing = paramsOf(templateId).filter((p) => !params[p]);
          if (missing.length) return clarify(lang, q.params);
          return { flow: 'sms.send' as const, lang, mobile, templateId, params };
        }
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
            // A relative day ("明天18:00") is made absolute; a value without one stays as typed.
            const w = whenIn(value, now);
            const name = paramName(tpl[1]!.toUpperCase(), m[1]!);
            params[name] = w?.dayNamed && w.index === 0 && w.length === value.length ? timeValue(name, w) : value;
          }
        }
        return { flow: 'sms.send' as const, lang, mobile, templateId: tpl[1]!.toUpperCase(), params };
      },
    },
  ],
  uses: { tool: 'sms.sendNotice', effect: 'write' },
  help: [
    {
      section: 'write',
      order: 4,
      // The template's own parameter names and a relative time: valid on any day it is read.
      text: { zh: '发短信 <手机号> SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=明天18:00', en: 'send sms <mobile> SMS_FAULT_NOTICE ticketId=T20261124-0012 eta=tomorrow 18:00' },
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
