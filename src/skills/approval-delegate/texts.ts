/** What naming a delegate says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { formatTime, t, type Text } from '../../chat/locale.js';
import { delegationRefusalText, type DelegationRefusal } from '../../policies/delegation-rules.js';

export const delegateTexts = {
  who: {
    zh: '请告诉我委托给谁、到什么时候，例如：委托审批给 grace 到明天18点',
    en: 'Whom, and until when? e.g. "delegate approvals to grace until tomorrow 18:00".',
  } satisfies Text,
  until: (who: string): Text => ({
    zh: `请告诉我委托给 ${who} 到什么时候，例如：委托审批给 ${who} 到 12月5日18点`,
    en: `Until when should ${who} approve for you? e.g. "delegate approvals to ${who} until Friday 18:00".`,
  }),
  started: (lang: Lang, name: string, until: Date, shared: number) =>
    t(lang, {
      zh: `已委托 ${name} 代你审批，至 ${formatTime(until)}（北京时间）。${shared > 0 ? `正在等你审批的 ${shared} 个申请也已交由 ${name} 审批。` : ''}期间你本人仍可审批；发送“取消委托”可提前结束。`,
      en: `${name} now approves for you until ${formatTime(until)} (operator time).${shared > 0 ? ` ${name} may now also approve the ${shared} request(s) already waiting for you.` : ''} You can still approve yourself; send "end delegation" to stop it early.`,
    }),
  ended: (lang: Lang) => t(lang, { zh: '已取消委托：之后的申请只发给你本人。', en: 'Delegation ended: new requests come to you alone.' }),
  noneToEnd: (lang: Lang) => t(lang, { zh: '你当前没有生效的委托。', en: 'You have no delegation in force.' }),
  current: (lang: Lang, name: string, until: Date) =>
    t(lang, { zh: `当前委托：${name} 代你审批，至 ${formatTime(until)}（北京时间）。`, en: `In force: ${name} approves for you until ${formatTime(until)} (operator time).` }),
  refused: (lang: Lang, refusal: DelegationRefusal) => t(lang, delegationRefusalText[refusal]),
  unavailable: (lang: Lang) => t(lang, { zh: '此渠道暂不支持委托审批。', en: 'Delegation is not available on this channel.' }),
};
