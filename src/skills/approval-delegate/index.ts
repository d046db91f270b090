/**
 * An approver names a delegate from chat: "委托审批给 grace 到明天18点" / "delegate approvals to
 * grace until Friday", "取消委托" / "end delegation", "我的委托" / "my delegation". The person is the
 * verified sender (the agent binds FlowTools.delegation to them); the rules are the delegation
 * desk's (policies/delegation-rules.ts), the same as the console's.
 */
import { z } from 'zod';
import { langSchema } from '../../chat/lang.js';
import { clarify, defineSkill, type FlowResult, type FlowTools } from '../contract.js';
import { anchored, keywordLang } from '../grammar.js';
import { delegateTexts } from './texts.js';
import { parseUntil } from './until.js';

const LEAD = String.raw`^\/?(?:(?:请|请帮我|帮我|帮忙|麻烦|我要|我想|please|pls)\s*)*`;
/** A directory id (grace, li.wei) or a Chinese name (张伟), ending before the words that follow it. */
const NAME = String.raw`(?!(?:审批|权限|给|代|approvals?|to|until|for)(?:\s|$))(?!审批|权限)([A-Za-z][\w.@-]*|[\u3400-\u9fff·]{1,6}?)(?=\s|到|至|直到|截止|代|审批|帮|[,，]|$)`;
const START_ZH = new RegExp(
  `${LEAD}(?:把)?(?:我的)?(?:审批(?:权限)?)?(?:委托|委派|授权|转交)(?:审批(?:权限)?)?(?:给)?\\s*${NAME}\\s*(?:代我|代为|代理|帮我)?\\s*(?:审批)?\\s*(?:[,，]\\s*)?(?:到|至|直到|截止到?)?\\s*(.*)$`,
  'i',
);
const START_EN = new RegExp(`${LEAD}(?:delegate|hand\\s+over|hand\\s+off)\\s+(?:my\\s+)?(?:approvals?\\s+|approving\\s+)?(?:to\\s+)?${NAME}\\s*(?:until|till|to|through|for)?\\s*(.*)$`, 'i');
const END = anchored(String.raw`(?:取消|结束|收回|撤销|停止|终止)(?:审批)?(?:的)?委托|(?:end|cancel|revoke|stop)\s+(?:my\s+|the\s+)?delegat(?:ion|ing)|stop\s+delegating`);
const SHOW = anchored(String.raw`我的委托|查看委托|委托情况|查委托|谁在代我审批|(?:show\s+)?my\s+delegation|who\s+approves\s+for\s+me`);
/** The keyword alone: ask whom and until when. */
const BARE = anchored(String.raw`委托审批|审批委托|委托|delegate(?:\s+approvals?)?`);

const plan = z.object({
  flow: z.literal('approval.delegate'),
  lang: langSchema,
  action: z.enum(['start', 'end', 'show']),
  delegate: z.string().max(64).optional(),
  /** ISO instant, resolved from the words when the message was read. */
  until: z.string().optional(),
});
type DelegatePlan = z.infer<typeof plan>;

async function runDelegation(p: DelegatePlan, tools: FlowTools): Promise<FlowResult> {
  const desk = tools.delegation;
  const reply = (text: string): FlowResult => ({ kind: 'reply', text, status: 'succeeded' });
  if (!desk) return reply(delegateTexts.unavailable(p.lang));
  if (p.action === 'end') return reply((await desk.end()) ? delegateTexts.ended(p.lang) : delegateTexts.noneToEnd(p.lang));
  if (p.action === 'show') {
    const d = await desk.current();
    return reply(d ? delegateTexts.current(p.lang, d.delegate.name, d.until) : delegateTexts.noneToEnd(p.lang));
  }
  const started = await desk.start(p.delegate ?? '', p.until ? new Date(p.until) : undefined);
  if (!started.ok) return reply(delegateTexts.refused(p.lang, started.refusal));
  return reply(delegateTexts.started(p.lang, started.delegation.delegate.name, started.delegation.until, started.pendingShared));
}

export const delegateSkill = defineSkill({
  flow: 'approval.delegate',
  plan,
  commands: [
    {
      priority: 110,
      parse: ({ text }) => {
        // Only the whole message: "取消委托" is the command, "取消委托后再提醒我" is not.
        const whole = (re: RegExp) => (re.exec(text)?.[0].trim().length ?? -1) >= text.replace(/[。.!！?？\s]+$/, '').length;
        if (whole(END)) return { flow: 'approval.delegate' as const, lang: keywordLang(END, text), action: 'end' as const };
        if (whole(SHOW)) return { flow: 'approval.delegate' as const, lang: keywordLang(SHOW, text), action: 'show' as const };
        const zh = START_ZH.exec(text);
        const m = zh ?? START_EN.exec(text);
        if (m) {
          const lang = zh ? 'zh' : 'en';
          const who = m[1]!;
          const rest = (m[2] ?? '').trim();
          const until = parseUntil(rest);
          if (!until) return clarify(lang, delegateTexts.until(who));
          return { flow: 'approval.delegate' as const, lang, action: 'start' as const, delegate: who, until: until.toISOString() };
        }
        if (whole(BARE)) return clarify(keywordLang(BARE, text), delegateTexts.who);
        return undefined;
      },
    },
  ],
  help: [{ section: 'read', order: 90, text: { zh: '委托审批给 grace 到周五18点 / 取消委托（审批人休假时）', en: 'delegate approvals to grace until friday 18:00 / end delegation (approvers on leave)' } }],
  run: (p, tools) => runDelegation(p, tools),
});
