/** What withdrawing a request says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';
import { stateText } from '../requests-status/texts.js';
import type { RequestSummary } from '../contract.js';

export const withdrawTexts = {
  whichRequest: { zh: '请告诉我要撤回的申请编号，例如：撤回 1a2b3c4d（发送「我的申请」查看编号）。', en: 'Which request? e.g. "withdraw 1a2b3c4d" (send "my requests" to see the ids).' } satisfies Text,
  done: (lang: Lang, r: RequestSummary) =>
    t(lang, { zh: `已撤回申请 ${r.id}「${r.title}」，审批卡片已更新，不会再执行。`, en: `Withdrew request ${r.id} "${r.title}"; its cards were updated and it will not run.` }),
  notFound: (lang: Lang, id: string) =>
    t(lang, { zh: `找不到你提交的申请 ${id}。只有申请人本人可以撤回；发送「我的申请」查看你的申请编号。`, en: `No request ${id} of yours was found. Only the person who made a request can withdraw it; send "my requests" to see yours.` }),
  ambiguous: (lang: Lang, ids: string[]) =>
    t(lang, { zh: `有多个申请以此开头：${ids.join('、')}，请写完整一些。`, en: `Several requests start with that: ${ids.join(', ')}; please give more of the id.` }),
  notPending: (lang: Lang, r: RequestSummary) =>
    t(lang, { zh: `申请 ${r.id}「${r.title}」已不在审批中（${stateText('zh', r)}），不能撤回。`, en: `Request ${r.id} "${r.title}" is no longer waiting for approval (${stateText('en', r)}); it cannot be withdrawn.` }),
  unavailable: { zh: '暂时无法撤回申请。', en: 'Requests cannot be withdrawn right now.' } satisfies Text,
};
