/** What asking for a bulk approval card says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';
import type { BulkOffer } from '../contract.js';

/** The words a person names each kind by (zh first), and the one a suggestion uses. */
export const BULK_KINDS: { tool: string; zh: string[]; en: string[] }[] = [
  { tool: 'ticket.updateFields', zh: ['补全工单', '更新工单', '工单更新', '工单字段', '工单补全'], en: ['ticket updates', 'ticket update', 'ticket fields', 'ticket completions', 'complete tickets', 'update tickets'] },
  { tool: 'ticket.addNote', zh: ['工单备注', '添加备注', '备注'], en: ['ticket notes', 'ticket note', 'notes'] },
  { tool: 'workorder.dispatch', zh: ['派单', '工单派发'], en: ['dispatches', 'work orders', 'dispatch'] },
  { tool: 'sms.sendNotice', zh: ['短信', '通知短信', '发送短信'], en: ['sms', 'sms notices', 'notices'] },
  { tool: 'nms.acknowledgeAlarm', zh: ['告警确认', '确认告警', '告警'], en: ['alarm acks', 'alarm acknowledgements', 'alarms'] },
];

/** The full command a suggestion button sends for a kind. */
export function bulkCommand(lang: Lang, tool: string): string {
  const k = BULK_KINDS.find((b) => b.tool === tool);
  return lang === 'zh' ? `批量批准 ${k?.zh[0] ?? tool}` : `approve all ${k?.en[0] ?? tool}`;
}

export const bulkTexts = {
  whichKind: {
    zh: '请说明要批量批准哪一类，例如：批量批准 补全工单、批量批准 工单备注。',
    en: 'Which kind? e.g. "approve all ticket updates" or "approve all ticket notes".',
  } satisfies Text,
  unavailable: { zh: '暂时无法批量审批。', en: 'Bulk approval is not available right now.' } satisfies Text,
  result: (lang: Lang, r: BulkOffer): string => {
    const own = 'ownCards' in r && r.ownCards.length
      ? t(lang, {
          zh: `\n另有 ${r.ownCards.length} 项需在各自的卡片上单独审批（需多人审批或重新登录）：${r.ownCards.map((o) => `${o.id}「${o.title}」`).join('、')}`,
          en: `\n${r.ownCards.length} more need their own card (more approvers or a fresh sign-in): ${r.ownCards.map((o) => `${o.id} "${o.title}"`).join(', ')}`,
        })
      : '';
    switch (r.kind) {
      case 'not_enabled':
        return t(lang, { zh: `按审批策略，「${r.action}」不能批量批准，请逐条审批。`, en: `The approval policy does not allow "${r.action}" to be approved in bulk; approve each on its own card.` });
      case 'none':
        return t(lang, { zh: `没有可批量批准的「${r.action}」申请。`, en: `No "${r.action}" requests can be approved in bulk now.` }) + own;
      case 'sent': {
        const more = r.beyondCap ? t(lang, { zh: `（另有 ${r.beyondCap} 项超出单张上限，处理后可再次发送）`, en: ` (${r.beyondCap} more beyond one card's limit: ask again afterwards)` }) : '';
        return t(lang, { zh: `已生成批量审批卡片：「${r.action}」共 ${r.count} 项${more}。请核对后点击「全部批准」或「全部驳回」。`, en: `Here is one card for ${r.count} "${r.action}" request${r.count === 1 ? '' : 's'}${more}. Check them, then Approve all or Reject all.` }) + own;
      }
    }
  },
};
