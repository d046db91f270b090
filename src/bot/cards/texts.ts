/**
 * The approval card's wording, shared by every renderer (Adaptive Card for Teams and the console,
 * card 2.0 for Feishu), so the same decision reads the same on every platform.
 */
import type { CardState } from '../../chat/approval-card.js';
import { formatTime, systemName } from '../../chat/locale.js';

/** Where a value came from, in a reader's words: "来源：CRM 系统，2026-11-24 14:03 读取". */
function sourceText(lang: 'zh' | 'en', source: { system: string; readAt?: string }, requester: string): string {
  if (source.system === 'requester') return lang === 'zh' ? `来源：${requester} 提供` : `Source: given by ${requester}`;
  const system = systemName(lang, source.system);
  const at = source.readAt ? formatTime(source.readAt) : '';
  if (lang === 'zh') return `来源：${system}${at ? `，${at} 读取` : ''}`;
  return `Source: ${system}${at ? `, read ${at}` : ''}`;
}

export const CARD_TEXT = {
  zh: {
    state: { pending: '待审批', executing: '执行中', written: '已写入', failed: '执行失败', rejected: '已驳回', expired: '已过期', withdrawn: '已撤回' } satisfies Record<CardState, string>,
    requester: '申请人',
    tool: '操作',
    target: '对象',
    empty: '（空）',
    source: (source: { system: string; readAt?: string }, requester: string) => sourceText('zh', source, requester),
    withdrawn: '申请人已撤回，未执行',
    failedAfterApproval: '已批准，但执行失败，未写入',
    yourRequest: '这是你的申请，由审批人决定',
    approvers: '审批人',
    expires: '过期时间',
    willWrite: '批准后将写入：',
    commentLabel: '审批意见',
    commentPlaceholder: '驳回原因（驳回时必填）',
    approve: '批准',
    reject: '驳回',
    approvedBy: (name: string, at: string) => `已由 ${name} 于 ${at} 批准`,
    rejectedBy: (name: string, at: string) => `已由 ${name} 于 ${at} 驳回`,
    reason: '原因',
    comment: '意见',
    expired: '已过期，未执行',
    withdrawnBy: (name: string, at: string) => `已由申请人 ${name} 于 ${at} 撤回，未执行`,
    executing: '正在执行…',
    verified: '已写入并核验',
    failed: '执行失败',
    none: '（无）',
    listSep: '、',
    sep: '：',
    waitingFor: (names: string) => `等待 ${names} 审批`,
    withdraw: '撤回',
    approveAll: (n: number) => `全部批准（${n} 项）`,
    rejectAll: '全部驳回',
    bulkItems: '本卡片将批准以下申请（按提交时间，最早在前）：',
    bulkOwnCards: '以下申请需在各自的卡片上单独审批：',
    bulkBeyond: (n: number) => `另有 ${n} 项超出单张上限，处理后可再次发送「批量批准」。`,
    bulkComment: '全部驳回的原因（驳回时必填）',
  },
  en: {
    state: { pending: 'Pending', executing: 'Executing', written: 'Written', failed: 'Failed', rejected: 'Rejected', expired: 'Expired', withdrawn: 'Withdrawn' } satisfies Record<CardState, string>,
    requester: 'Requested by',
    tool: 'Operation',
    target: 'Concerns',
    empty: '(empty)',
    source: (source: { system: string; readAt?: string }, requester: string) => sourceText('en', source, requester),
    withdrawn: 'Withdrawn by the requester, nothing was executed',
    failedAfterApproval: 'Approved, but the write failed: nothing was written',
    yourRequest: 'Your request: an approver decides',
    approvers: 'Approvers',
    expires: 'Expires',
    willWrite: 'On approval, this will be written:',
    commentLabel: 'Comment',
    commentPlaceholder: 'Reason (required to reject)',
    approve: 'Approve',
    reject: 'Reject',
    approvedBy: (name: string, at: string) => `Approved by ${name} at ${at}`,
    rejectedBy: (name: string, at: string) => `Rejected by ${name} at ${at}`,
    reason: 'Reason',
    comment: 'Comment',
    expired: 'Expired, nothing was executed',
    withdrawnBy: (name: string, at: string) => `Withdrawn by the requester ${name} at ${at}; nothing was executed`,
    executing: 'Executing…',
    verified: 'Written and verified',
    failed: 'Execution failed',
    none: '(none)',
    listSep: ', ',
    sep: ': ',
    waitingFor: (names: string) => `Waiting for ${names} to decide`,
    withdraw: 'Withdraw',
    approveAll: (n: number) => `Approve all ${n}`,
    rejectAll: 'Reject all',
    bulkItems: 'This card decides these requests (oldest first):',
    bulkOwnCards: 'These need their own card:',
    bulkBeyond: (n: number) => `${n} more are beyond one card's limit; ask again afterwards.`,
    bulkComment: 'Reason for rejecting them all (required to reject)',
  },
} as const;
