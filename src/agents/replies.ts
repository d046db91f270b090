/**
 * What the turn and the approval lifecycle say, in Simplified Chinese and English: refusals,
 * approval progress and outcomes. Each skill's own replies live in its folder (src/skills/*).
 */
import type { Lang } from '../chat/lang.js';
import { regionName, systemName, t } from '../chat/locale.js';
import { routerTexts } from '../skills/texts.js';

export const messages = {
  unknown: (lang: Lang) => routerTexts.unknown[lang],
  denied: (lang: Lang, tool: string) =>
    t(lang, { zh: `你的角色无权执行此操作（${tool}）。`, en: `Your role is not allowed to do this (${tool}).` }),
  /** Gray release (policy rollout): the department does not have this yet. */
  notEnabled: (lang: Lang, tool: string, effect: 'read' | 'write') =>
    effect === 'write'
      ? t(lang, { zh: `此操作尚未对你所在部门开放（${tool}），未提交审批。`, en: `This is not enabled for your department yet (${tool}); nothing was sent for approval.` })
      : t(lang, { zh: `此功能尚未对你所在部门开放（${tool}）。`, en: `This is not enabled for your department yet (${tool}).` }),
  /** Rate limits (policy rateLimits): which one, and its figure. Nothing was done. */
  rateLimited: (lang: Lang, limit: 'user_requests' | 'department_requests' | 'tool_calls' | 'user_pending' | 'department_pending', n: number) => {
    switch (limit) {
      case 'user_requests':
        return t(lang, { zh: `你的请求过于频繁（每分钟最多 ${n} 条），这条消息没有处理，请稍后再发。`, en: `You are sending requests too fast (at most ${n} a minute); this message was not handled, please send it again shortly.` });
      case 'department_requests':
        return t(lang, { zh: `你所在部门此刻请求过多（每分钟最多 ${n} 条），这条消息没有处理，请稍后再发。`, en: `Your department is sending too many requests right now (at most ${n} a minute); this message was not handled, please send it again shortly.` });
      case 'tool_calls':
        return t(lang, { zh: `这个请求需要的系统查询超过了单次上限（${n} 次），已停止，请缩小范围后重试。`, en: `This request needs more system calls than one request may make (${n}); it was stopped, please narrow it down.` });
      case 'user_pending':
        return t(lang, { zh: `你已有 ${n} 个待审批的申请（上限 ${n} 个），未提交新的申请，请等已有申请审批后再提交。`, en: `You already have ${n} requests waiting for approval (the limit); nothing new was submitted, please wait for those to be decided.` });
      case 'department_pending':
        return t(lang, { zh: `你所在部门已有 ${n} 个待审批的申请（上限 ${n} 个），未提交新的申请，请稍后再提交。`, en: `Your department already has ${n} requests waiting for approval (the limit); nothing new was submitted, please try again later.` });
    }
  },
  outOfScope: (lang: Lang, region: string) =>
    t(lang, {
      zh: `该数据属于${regionName('zh', region)}，不在你的数据权限范围内。`,
      en: `That record belongs to ${regionName('en', region)}, outside your data scope.`,
    }),
  /** The database or the conversation's thread could not serve this turn in time (thread-lock, store/db). */
  busy: (lang: Lang) =>
    t(lang, {
      zh: '系统繁忙，这条消息没有处理，请稍后重新发送。',
      en: 'The system is busy and did not handle this message; please send it again in a moment.',
    }),
  systemDown: (lang: Lang, system: string) =>
    t(lang, {
      zh: `${systemName('zh', system)}暂时无法访问，请稍后重试。请求已记录。`,
      en: `The ${systemName('en', system)} is not responding right now; please try again shortly. Your request was recorded.`,
    }),
  /** A fault of our own (a bug, not a portal or a policy): the details are in the log. */
  internalError: (lang: Lang) =>
    t(lang, { zh: '处理时出现内部错误，已记录，请稍后重试。', en: 'Something went wrong on our side; it was logged. Please try again.' }),
  /**
   * The requester's note beside the card. `lookedUp`: the flow found the values in CRM and the
   * resource system (say so, and what it could not find); otherwise the values are the requester's.
   */
  proposal: (lang: Lang, title: string, approvers: string[], unresolved: string[], lookedUp = false, required = 1) => {
    if (required > 1) {
      return t(lang, {
        zh: `「${title}」：需 ${approvers.join('、')} 中的 ${required} 位审批后执行，执行后会回读核验。`,
        en: `"${title}": it will run once ${required} of ${approvers.join(', ')} approve, and be checked by reading it back.`,
      });
    }
    if (!lookedUp) {
      return t(lang, {
        zh: `「${title}」：需 ${approvers.join(' 或 ')} 审批后执行，执行后会回读核验。`,
        en: `"${title}": it will run once ${approvers.join(' or ')} approves, and be checked by reading it back.`,
      });
    }
    return t(lang, {
      zh: `「${title}」：已从 CRM 和资源系统查到缺失字段，需 ${approvers.join(' 或 ')} 审批后写入。${unresolved.length ? `仍无法补全：${unresolved.join('、')}。` : ''}`,
      en: `"${title}": found the missing fields in CRM and the resource system; they will be written once ${approvers.join(' or ')} approves.${unresolved.length ? ` Still unknown: ${unresolved.join(', ')}.` : ''}`,
    });
  },
  noApprover: (lang: Lang) =>
    t(lang, { zh: '你所在部门没有可审批的主管，无法提交写入申请。', en: 'Your department has no manager who can approve this, so it cannot be submitted.' }),
  /** To the person an approval was escalated to: why it reaches them now. */
  escalatedToApprover: (lang: Lang, requester: string, title: string, minutes: number) =>
    t(lang, { zh: `${requester} 的申请「${title}」已等待审批 ${minutes} 分钟，现也请你审批：`, en: `${requester}'s request "${title}" has waited ${minutes} minutes for approval; you may now approve it too:` }),
  /** To the requester, after the escalation was recorded and its copy sent. */
  escalationNotice: (lang: Lang, title: string, to: string, minutes: number) =>
    t(lang, { zh: `「${title}」已等待审批 ${minutes} 分钟，已同时交由 ${to} 审批。`, en: `"${title}" has waited ${minutes} minutes for approval; ${to} may now approve it too.` }),
  /** An approval of the top risk tier without a fresh sign-in; `inConsole`: the approver has a login session to renew. */
  reauthRequired: (lang: Lang, minutes: number, inConsole: boolean) =>
    t(lang, {
      zh: `此申请风险等级最高，批准前须在 ${minutes} 分钟内重新登录。${inConsole ? '请打开 /console/login?reauth=1 重新登录后再批准。' : '请在控制台（/console/login?reauth=1）重新登录后，在控制台批准；驳回无需重新登录。'}`,
      en: `This request is in the top risk tier: approving it needs a sign-in within the last ${minutes} minutes. ${inConsole ? 'Sign in again at /console/login?reauth=1, then approve.' : 'Sign in again in the console (/console/login?reauth=1) and approve there; rejecting needs no sign-in.'}`,
    }),
  /** To a delegate, with the card of an approval that waited on the delegator when the delegation began. */
  delegatedToYou: (lang: Lang, delegator: string, requester: string, title: string) =>
    t(lang, { zh: `${delegator} 已委托你代为审批。${requester} 的申请「${title}」正等待审批：`, en: `${delegator} has delegated approvals to you. ${requester}'s request "${title}" is waiting:` }),
  approvalSent: (lang: Lang, requester: string, title: string) =>
    t(lang, { zh: `${requester} 提交了一个待你审批的申请：${title}`, en: `${requester} asks for your approval: ${title}` }),
  executedVerified: (lang: Lang, title: string, by: string) =>
    t(lang, { zh: `「${title}」已由 ${by} 批准，已写入并核验。`, en: `"${title}" was approved by ${by}, written and verified.` }),
  executedUnverified: (lang: Lang, title: string, detail: string) =>
    // Say only what happens: nobody is told automatically and nothing retries a write whose result
    // is unknown, so the requester is asked to look (no hand-over exists yet).
    t(lang, {
      zh: `「${title}」已批准，但写入结果未能核验：${detail}。系统不会自动重试，请在业务系统中核对这条记录。`,
      en: `"${title}" was approved but the write could not be verified: ${detail}. It will not be retried automatically; please check the record in the target system.`,
    }),
  executionFailed: (lang: Lang, title: string, detail: string) =>
    t(lang, { zh: `「${title}」已批准，但执行失败：${detail}。未写入任何数据。`, en: `"${title}" was approved but failed: ${detail}. Nothing was written.` }),
  /** Why an approved write was not run by this process: another one holds its outbox claim. */
  anotherProcessExecuting: (lang: Lang) => t(lang, { zh: '另一进程正在执行', en: 'another process is executing it' }),
  /** The clicker's answer on a tiered approval that needs more approvers: nothing runs yet. */
  voteCounted: (lang: Lang, title: string, have: number, need: number, still: number) =>
    t(lang, { zh: `已记录你对「${title}」的批准（${have}/${need}），还需 ${still} 位审批人批准后才会执行。`, en: `Your approval of "${title}" is recorded (${have}/${need}); it runs once ${still} more approver${still === 1 ? '' : 's'} approve.` }),
  /** The card's line on why a write needs several approvers (policy risk tier, anti-splitting). */
  tierReason: (lang: Lang, fact: string, value: string, approvals: number, summedOverMinutes: number | null) => {
    const names: Record<string, { zh: string; en: string }> = { severity: { zh: '告警级别', en: 'alarm severity' }, recipients: { zh: '短信条数', en: 'SMS recipients' } };
    const name = names[fact]?.[lang] ?? fact;
    if (summedOverMinutes !== null) {
      return t(lang, {
        zh: `近 ${summedOverMinutes} 分钟内你的同类申请累计${name} ${value}（含本次），需 ${approvals} 人审批`,
        en: `your requests of this kind in the last ${summedOverMinutes} minutes add up to ${value} ${name} (this one included): ${approvals} approvers needed`,
      });
    }
    return t(lang, { zh: `${name}为 ${value}，需 ${approvals} 人审批`, en: `${name} is ${value}: ${approvals} approvers needed` });
  },
  /** A tiered write needs more distinct approvers than may approve it. */
  notEnoughApprovers: (lang: Lang, need: number, have: number) =>
    t(lang, { zh: `此操作需要 ${need} 位审批人，但有权审批的只有 ${have} 位，未提交。`, en: `This needs ${need} approvers, but only ${have} may approve it; nothing was submitted.` }),
  /** The clicker's answer: the write runs after this reply, so it says "executing", not "done". */
  decisionApproved: (lang: Lang, title: string) => t(lang, { zh: `已批准「${title}」，正在执行。`, en: `Approved "${title}"; executing now.` }),
  /** The requester is told by the run that ends after this reply: "will", not "has been". */
  decisionRejected: (lang: Lang, title: string, requester: string) =>
    t(lang, { zh: `已驳回「${title}」，驳回原因将发给 ${requester}。`, en: `Rejected "${title}"; ${requester} will be sent the reason.` }),
  rejected: (lang: Lang, title: string, by: string, reason: string) =>
    t(lang, { zh: `「${title}」被 ${by} 驳回，原因：${reason}`, en: `"${title}" was rejected by ${by}. Reason: ${reason}` }),
  /** The run of a withdrawn request ends with this (to the requester). */
  withdrawn: (lang: Lang, title: string) =>
    t(lang, { zh: `「${title}」已撤回，未执行任何写入。`, en: `"${title}" was withdrawn; nothing was written.` }),
  /** What the LLM's memory keeps of a rejection (in English: it is the model's context, not a reply). */
  rejectedMemory: (title: string, by: string, reason: string) =>
    `(Proposal "${title}" was REJECTED by ${by}. Reason: ${reason}. Do not propose it again unchanged; change what the reason asks, or ask the user.)`,
  /** The same request is already waiting: no second card. */
  duplicate: (lang: Lang, title: string, id: string, approvers: string[], at: string) =>
    t(lang, {
      zh: `相同的申请已在审批中（申请编号 ${id}「${title}」，${at} 提交，等待 ${approvers.join('、')} 审批），未重复提交。如需撤回请发送「撤回 ${id}」。`,
      en: `The same request is already waiting for approval (request ${id} "${title}", sent ${at}, waiting for ${approvers.join(', ')}); it was not sent again. To withdraw it, send "withdraw ${id}".`,
    }),
  /** The same request was rejected recently, unchanged since: no new card. */
  rejectedBefore: (lang: Lang, title: string, by: string, reason: string, at: string) =>
    t(lang, {
      zh: `「${title}」已于 ${at} 被 ${by} 驳回，原因：${reason}。参数未变，未重新提交；请按驳回原因修改后再提交。`,
      en: `"${title}" was rejected by ${by} at ${at}. Reason: ${reason}. Nothing changed since, so it was not sent again; change it as the reason says and send it again.`,
    }),
  /** A card line naming another write on the same target. */
  conflictLabel: (lang: Lang) => t(lang, { zh: '⚠ 冲突', en: '⚠ Conflict' }),
  conflictWith: (lang: Lang, c: { id: string; title: string; requester: string; state: 'pending' | 'approved' | 'executing' | 'verified' | 'failed'; at: string }) => {
    const state = { pending: { zh: '待审批', en: 'pending' }, approved: { zh: '已批准', en: 'approved' }, executing: { zh: '执行中', en: 'executing' }, verified: { zh: '已执行', en: 'written' }, failed: { zh: '执行失败', en: 'failed' } }[c.state];
    return t(lang, {
      zh: `同一目标已有申请 ${c.id}「${c.title}」（${c.requester}，${c.at}，${state.zh}）`,
      en: `request ${c.id} "${c.title}" on the same target (${c.requester}, ${c.at}, ${state.en})`,
    });
  },
  /** The short id a requester types to withdraw, beside the proposal message. */
  requestRef: (lang: Lang, id: string) =>
    t(lang, { zh: `申请编号 ${id}；如需撤回，发送「撤回 ${id}」。`, en: `Request ${id}; to withdraw it, send "withdraw ${id}".` }),
  /** The requester's proposal was refused before any card: it would fail. */
  invalidProposal: (lang: Lang, problems: string[]) =>
    t(lang, { zh: `这个写入会失败，未提交审批：${problems.join('；')}。`, en: `This write would fail, so nothing was sent for approval: ${problems.join('; ')}.` }),
  expired: (lang: Lang, title: string) =>
    t(lang, { zh: `「${title}」审批已过期，未执行任何写入。如仍需要，请重新提交。`, en: `"${title}" expired before anyone approved it; nothing was written. Send it again if still needed.` }),
};


/** Why a click was refused, in words the clicker understands. */
export function refusalText(
  lang: Lang,
  r:
    | { reason: 'self_approval' }
    | { reason: 'not_manager' | 'not_approver'; approvers: string[] }
    | { reason: 'already_decided'; status: 'approved' | 'rejected'; by: string; at: string }
    | { reason: 'expired'; at: string }
    | { reason: 'not_found' }
    | { reason: 'not_enrolled' }
    | { reason: 'comment_required' }
    | { reason: 'circuit_open'; system: string }
    | { reason: 'already_voted' }
    | { reason: 'not_your_turn'; next: string }
    | { reason: 'withdrawn'; at: string }
    | { reason: 'not_requester' },
): string {
  switch (r.reason) {
    case 'self_approval':
      return t(lang, { zh: '不能审批自己提交的申请。', en: 'You cannot approve your own request.' });
    case 'not_manager':
    case 'not_approver':
      return t(lang, {
        zh: `你不是此申请的审批人，审批人：${r.approvers.join('、')}。`,
        en: `You are not an approver of this request. Approvers: ${r.approvers.join(', ')}.`,
      });
    case 'already_decided':
      return r.status === 'approved'
        ? t(lang, { zh: `此申请已由 ${r.by} 于 ${r.at} 批准，不会重复执行。`, en: `Already approved by ${r.by} at ${r.at}; it will not run twice.` })
        : t(lang, { zh: `此申请已由 ${r.by} 于 ${r.at} 驳回。`, en: `Already rejected by ${r.by} at ${r.at}.` });
    case 'expired':
      return t(lang, { zh: `此申请已于 ${r.at} 过期，未执行。`, en: `This request expired at ${r.at}; nothing was executed.` });
    case 'not_found':
      return t(lang, { zh: '找不到这个审批。', en: 'This approval does not exist.' });
    case 'not_enrolled':
      return t(lang, { zh: '你尚未开通 Switchboard，请联系管理员。', en: 'You are not enrolled in Switchboard; please contact your administrator.' });
    case 'comment_required':
      return t(lang, { zh: '驳回时请填写原因。', en: 'Please give a reason to reject.' });
    case 'already_voted':
      return t(lang, { zh: '你已批准过此申请，还需其他审批人批准。', en: 'You have already approved this; it needs another approver too.' });
    case 'not_your_turn':
      return t(lang, { zh: `此申请需按顺序审批，请等待 ${r.next} 先审批。`, en: `This request is approved in order: ${r.next} decides first.` });
    case 'withdrawn':
      return t(lang, { zh: `此申请已于 ${r.at} 由申请人撤回，未执行。`, en: `This request was withdrawn by its requester at ${r.at}; nothing was executed.` });
    case 'not_requester':
      return t(lang, { zh: '只有申请人本人可以撤回这个申请。', en: 'Only the person who made this request can withdraw it.' });
    case 'circuit_open':
      return t(lang, {
        zh: `${systemName('zh', r.system)}当前不可用（已暂停调用），本次批准未生效，申请仍待审批，请稍后再批准。`,
        en: `The ${systemName('en', r.system)} is unavailable right now (calls are paused), so this approval was not used; the request is still pending, please approve again shortly.`,
      });
  }
}
