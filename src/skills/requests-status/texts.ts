/** What the status skills say, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';
import type { RequestSummary } from '../contract.js';

/** One request's state as a person reads it. */
export function stateText(lang: Lang, r: RequestSummary): string {
  if (r.status === 'approved') {
    const by = r.decidedBy ?? '';
    if (r.outcome === 'verified') return t(lang, { zh: `已由 ${by} 批准，已写入并核验`, en: `approved by ${by}, written and verified` });
    if (r.outcome === 'failed') return t(lang, { zh: `已由 ${by} 批准，执行失败`, en: `approved by ${by}, but the write failed` });
    return t(lang, { zh: `已由 ${by} 批准，执行中`, en: `approved by ${by}, executing` });
  }
  if (r.status === 'rejected') return t(lang, { zh: `已被 ${r.decidedBy ?? ''} 驳回，原因：${r.comment ?? '—'}`, en: `rejected by ${r.decidedBy ?? ''}; reason: ${r.comment ?? '—'}` });
  if (r.status === 'expired') return t(lang, { zh: '已过期，未执行', en: 'expired, nothing written' });
  if (r.status === 'withdrawn') return t(lang, { zh: '已撤回，未执行', en: 'withdrawn, nothing written' });
  const votes = r.requiredApprovals > 1 ? t(lang, { zh: `（${r.approvedBy.length}/${r.requiredApprovals} 人已批准）`, en: ` (${r.approvedBy.length}/${r.requiredApprovals} approved)` }) : '';
  return t(lang, { zh: `待 ${r.approvers.join('、')} 审批${votes}，${r.expiresAt} 过期`, en: `waiting for ${r.approvers.join(', ')}${votes}, expires ${r.expiresAt}` });
}

/** A count that was capped (store TOTAL_CAP) reads "1000+". */
const count = (n: number, atLeast: boolean) => `${n}${atLeast ? '+' : ''}`;

export const statusTexts = {
  mineHead: (lang: Lang, n: number, total: number, atLeast = false) =>
    t(lang, {
      zh: n < total ? `你共有 ${count(total, atLeast)} 个申请，最近的 ${n} 个：` : `你最近的 ${n} 个申请：`,
      en: n < total ? `You have ${count(total, atLeast)} requests; the ${n} most recent:` : `Your ${n} most recent request${n === 1 ? '' : 's'}:`,
    }),
  /** A chat list is one short page; the rest is in the console's paged lists. */
  moreInConsole: (lang: Lang, more: number, atLeast: boolean, which: 'waiting' | 'mine') =>
    t(lang, {
      zh: `……还有 ${count(more, atLeast)} 个，请在控制台的「${which === 'waiting' ? '待我审批' : '我的申请'}」中查看。`,
      en: `… and ${count(more, atLeast)} more — see the console (${which === 'waiting' ? 'Waiting for me' : 'My requests'}).`,
    }),
  mineNone: { zh: '你还没有提交过需审批的申请。', en: 'You have no requests that needed approval.' } satisfies Text,
  mineLine: (lang: Lang, r: RequestSummary) => t(lang, { zh: `${r.id}「${r.title}」${r.createdAt} 提交：${stateText('zh', r)}`, en: `${r.id} "${r.title}", sent ${r.createdAt}: ${stateText('en', r)}` }),
  withdrawHint: (lang: Lang) => t(lang, { zh: '撤回待审批的申请：撤回 <申请编号>', en: 'To withdraw a pending request: withdraw <request id>' }),
  waitingHead: (lang: Lang, shown: number, total: number, atLeast = false) =>
    t(lang, {
      zh: `待你审批的申请共 ${count(total, atLeast)} 个${shown < total ? `，先列出最早、风险最高的 ${shown} 个` : ''}（请在审批卡片上批准或驳回）：`,
      en: `${count(total, atLeast)} request${total === 1 && !atLeast ? '' : 's'} wait${total === 1 && !atLeast ? 's' : ''} for your approval${shown < total ? `; the oldest and riskiest ${shown} first` : ''} (approve or reject on the card):`,
    }),
  bulkHint: (lang: Lang, kinds: { command: string; count: number }[]) =>
    t(lang, {
      zh: `可一次批准：${kinds.map((k) => `「${k.command}」（${k.count} 项）`).join('、')}`,
      en: `Approve several at once: ${kinds.map((k) => `"${k.command}" (${k.count})`).join(', ')}`,
    }),
  waitingNone: { zh: '目前没有待你审批的申请。', en: 'Nothing is waiting for your approval.' } satisfies Text,
  waitingLine: (lang: Lang, r: RequestSummary) => {
    const risk = r.requiredApprovals > 1 ? t(lang, { zh: `【需 ${r.requiredApprovals} 人审批，已 ${r.approvedBy.length} 人】`, en: `[needs ${r.requiredApprovals} approvers, ${r.approvedBy.length} so far] ` }) : '';
    return t(lang, { zh: `${risk}${r.id}「${r.title}」申请人 ${r.requester}，${r.createdAt} 提交，${r.expiresAt} 过期`, en: `${risk}${r.id} "${r.title}" from ${r.requester}, sent ${r.createdAt}, expires ${r.expiresAt}` });
  },
  unavailable: { zh: '暂时无法查询审批记录。', en: 'Approvals cannot be looked up right now.' } satisfies Text,
};
