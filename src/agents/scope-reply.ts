/**
 * What a person is told when data scope refuses something (tools/scope.ts ScopeDenied): the
 * owner that was refused (a region or department) and what was refused — never the data itself.
 */
import type { ScopeOwner } from '../policies/access.js';
import type { ScopeDenied } from '../tools/scope.js';
import type { Lang } from '../chat/lang.js';
import { regionName } from '../chat/locale.js';
import { messages } from './replies.js';

const ownerName = (lang: Lang, owners: readonly ScopeOwner[]): string =>
  owners.map((o) => (o.kind === 'region' ? regionName(lang, o.id) : lang === 'zh' ? `部门 ${o.id}` : `department ${o.id}`)).join(lang === 'zh' ? '、' : ', ');

export function scopeDeniedText(lang: Lang, e: ScopeDenied): string {
  if (e.reason === 'unresolved' || e.reason === 'no_caller' || e.owners.length === 0) {
    return lang === 'zh' ? '无法确定该数据的归属区域，按数据权限规则已拒绝。' : 'Who owns that data could not be determined, so it was refused (data scope).';
  }
  const who = ownerName(lang, e.owners);
  if (e.phase === 'approver') {
    return lang === 'zh' ? `你无权审批此申请：它涉及${who}的数据，不在你的数据权限范围内。` : `You may not decide this request: it concerns data of ${who}, outside your data scope.`;
  }
  if (e.phase === 'execution') {
    return lang === 'zh' ? `申请人已无权操作${who}的数据，未执行。` : `The requester may no longer change data of ${who}; nothing was written.`;
  }
  if (e.count) {
    return lang === 'zh'
      ? `结果中有 ${e.count.denied}/${e.count.of} 条属于${who}，不在你的数据权限范围内，未显示任何结果。`
      : `${e.count.denied} of ${e.count.of} records belong to ${who}, outside your data scope; nothing was shown.`;
  }
  const single = e.owners.length === 1 && e.owners[0]!.kind === 'region' ? messages.outOfScope(lang, e.owners[0]!.id) : null;
  return single ?? (lang === 'zh' ? `该数据属于${who}，不在你的数据权限范围内。` : `That record belongs to ${who}, outside your data scope.`);
}

/** Managers exist in the requester's department, but none has the write's target in scope. */
export function noApproverInScopeText(lang: Lang, target: readonly ScopeOwner[]): string {
  const who = ownerName(lang, target);
  return lang === 'zh'
    ? `你所在部门没有对${who}数据有权限的主管，无法提交此写入申请。`
    : `No manager of your department has ${who} in their data scope, so this cannot be submitted.`;
}

/** For audit details: what was refused, without the data. */
export function scopeDeniedDetails(e: ScopeDenied): Record<string, unknown> {
  return { tool: e.tool, phase: e.phase, reason: e.reason, owners: e.owners.map((o) => `${o.kind}:${o.id}`), ...(e.count && { count: e.count }) };
}
