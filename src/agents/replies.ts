/**
 * Everything the bot says, in Simplified Chinese and English. Kept apart from the flow logic so
 * wording can change without touching behaviour, and so both languages stay side by side.
 */
import type { Lang } from './plan.js';
import type { z } from 'zod';
import type { Alarm, CompletableField, Port, RxBand, Ticket, WorkOrder } from '../tools/schemas.js';
import type {
  checkBlacklistOutput,
  checkPlanEligibilityOutput,
  compareChannelBillingOutput,
  getBillsOutput,
  getNumberStatusOutput,
  verifyIdentityOutput,
} from '../tools/schemas.js';
import { maskMobile } from '../policies/masking.js';

type Text = { zh: string; en: string };
const t = (lang: Lang, text: Text) => text[lang];

const regionNames: Record<string, Text> = {
  hangzhou: { zh: '杭州', en: 'Hangzhou' },
  ningbo: { zh: '宁波', en: 'Ningbo' },
  wenzhou: { zh: '温州', en: 'Wenzhou' },
};
export const regionName = (lang: Lang, region: string | null) => (region ? regionNames[region]?.[lang] ?? region : '—');

const bandNames: Record<RxBand, Text> = {
  overload: { zh: '过载', en: 'overload' },
  normal: { zh: '正常', en: 'normal' },
  marginal: { zh: '临界', en: 'marginal' },
  fault: { zh: '故障', en: 'fault' },
};

const bandAdvice: Record<RxBand, Text> = {
  overload: { zh: '收光过强：检查是否缺少衰减器或尾纤过短。', en: 'Receive power too high: check for a missing attenuator.' },
  normal: { zh: '光功率正常：如用户仍无法上网，检查 ONU 与路由器配置。', en: 'Optical power is normal: if the customer is still offline, check the ONU and router.' },
  marginal: {
    zh: '光功率处于临界区间：检查皮线/尾纤连接头与分光器损耗，必要时清洁或更换连接头。',
    en: 'Optical power is marginal: check drop-cable connectors and splitter loss; clean or replace connectors.',
  },
  fault: { zh: '无收光或低于 -27 dBm：上门检查光路（断纤、弯折、ONU 掉电）。', en: 'No light or below -27 dBm: send a technician to check the fibre path (cut, bend, ONU power).' },
};

export const fieldLabels: Record<CompletableField, Text> = {
  broadbandAccount: { zh: '宽带账号', en: 'Broadband account' },
  address: { zh: '装机地址', en: 'Address' },
  accessPort: { zh: '接入端口', en: 'Access port' },
  onuSn: { zh: 'ONU SN', en: 'ONU SN' },
};

const dbm = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)} dBm`);

export function portReply(lang: Lang, port: Port, alarms: Alarm[], alarmTotal: number): string {
  const band = bandNames[port.rxBand][lang];
  const lines = [
    t(lang, { zh: `端口 ${port.olt} ${port.fsp}（${regionName(lang, port.region)}）`, en: `Port ${port.olt} ${port.fsp} (${regionName(lang, port.region)})` }),
    t(lang, { zh: `• 管理状态 ${port.adminStatus}，运行状态 ${port.operStatus}`, en: `• Admin ${port.adminStatus}, oper ${port.operStatus}` }),
    `• ONU ${port.onuId ?? '—'}${port.onuSn ? ` (SN ${port.onuSn})` : ''}`,
    t(lang, {
      zh: `• 接收光功率 ${dbm(port.rxPowerDbm)}（${band}），发送光功率 ${dbm(port.txPowerDbm)}`,
      en: `• Rx power ${dbm(port.rxPowerDbm)} (${band}), Tx power ${dbm(port.txPowerDbm)}`,
    }),
    t(lang, {
      zh: `• 最近掉线：${port.lastDownCause ?? '无记录'}${port.lastDownAt ? `，${port.lastDownAt}` : ''}`,
      en: `• Last down: ${port.lastDownCause ?? 'none recorded'}${port.lastDownAt ? `, ${port.lastDownAt}` : ''}`,
    }),
  ];
  lines.push(alarmSummary(lang, alarms, alarmTotal));
  lines.push(t(lang, { zh: `建议：${bandAdvice[port.rxBand].zh}`, en: `Next step: ${bandAdvice[port.rxBand].en}` }));
  return lines.join('\n');
}

export function alarmSummary(lang: Lang, alarms: Alarm[], total: number, scope?: string): string {
  if (alarms.length === 0) {
    return t(lang, { zh: `${scope ? `${scope} ` : ''}无活动告警。`, en: `${scope ? `${scope}: ` : ''}No active alarms.` });
  }
  const head = t(lang, {
    zh: `${scope ? `${scope} ` : ''}活动告警 ${total} 条${total > alarms.length ? `（显示前 ${alarms.length} 条）` : ''}：`,
    en: `${scope ? `${scope}: ` : ''}${total} active alarm${total === 1 ? '' : 's'}${total > alarms.length ? ` (first ${alarms.length} shown)` : ''}:`,
  });
  const rows = alarms.map(
    (a) =>
      `• [${a.severity}] ${a.type} — ${a.object}, ${a.raisedAt}${a.serviceAffecting ? t(lang, { zh: '，影响业务', en: ', service affecting' }) : ''} (${a.id})`,
  );
  return [head, ...rows].join('\n');
}

export function ticketReply(lang: Lang, ticket: Ticket, missing: CompletableField[]): string {
  const v = (s: string | null) => s ?? '—';
  const lines = [
    t(lang, { zh: `工单 ${ticket.id}（${ticket.status}，${v(ticket.priority)}）`, en: `Ticket ${ticket.id} (${ticket.status}, ${v(ticket.priority)})` }),
    t(lang, { zh: `• 故障类型：${v(ticket.faultType)}`, en: `• Fault type: ${v(ticket.faultType)}` }),
    t(lang, { zh: `• 客户：${v(ticket.customerId)}，服务号码 ${v(ticket.serviceNumber)}`, en: `• Customer: ${v(ticket.customerId)}, service number ${v(ticket.serviceNumber)}` }),
    t(lang, { zh: `• 地址：${v(ticket.address)}`, en: `• Address: ${v(ticket.address)}` }),
    t(lang, { zh: `• 接入端口：${v(ticket.accessPort)}`, en: `• Access port: ${v(ticket.accessPort)}` }),
    t(lang, { zh: `• SLA 截止：${v(ticket.slaDeadline)}`, en: `• SLA deadline: ${v(ticket.slaDeadline)}` }),
  ];
  if (missing.length > 0) {
    const names = missing.map((f) => fieldLabels[f][lang]).join(lang === 'zh' ? '、' : ', ');
    lines.push(
      t(lang, {
        zh: `缺失字段：${names}。发送「补全工单 ${ticket.id}」可自动补全。`,
        en: `Missing: ${names}. Send "complete ticket ${ticket.id}" to fill them in.`,
      }),
    );
  }
  return lines.join('\n');
}

export const messages = {
  help: (lang: Lang) =>
    t(lang, {
      zh: [
        '我可以帮你：',
        '• 查端口 OLT-HZ-01 0/1/3 — 端口状态、光功率、活动告警与处理建议',
        '• 查告警 OLT-HZ-01 — 网元的活动告警',
        '• 查工单 T20261124-0012 — 工单详情与缺失字段',
        '• 补全工单 T20261124-0012 — 从 CRM 和资源系统补全缺失字段（需主管审批后写入）',
        '• 核验身份 <手机号或客户编号> <身份证号> [姓名 张伟] — 证件号格式、校验位与档案比对',
        '• 黑名单 <手机号> / 查风险 <身份证号> — 黑名单与风险名单核查',
        '• 查账单 C000123 [2026-09 [2026-11]] — 账单、欠费与合约到期',
        '• 能否办理 P5G_199 C000123 — 套餐办理资格与不通过的原因',
        '• 查派单 W20261124-0001 — 派单详情',
        '• 批量查询号码状态 <手机号，空格/逗号/换行分隔，最多 500 个> — 批量号码状态',
        '• 对账 CH001 2026-10 — 渠道与计费对账，列出差异与证据',
        '需主管审批后执行的操作：',
        '• 派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00 [备注]',
        '• 工单备注 T20261124-0012 用户已重启光猫',
        '• 确认告警 ALM900001 [备注]',
        '• 发短信 <手机号> SMS_FAULT_NOTICE ticket=T20261124-0012 time=2026-11-25 09:00',
      ].join('\n'),
      en: [
        'I can help with:',
        '• port OLT-HZ-01 0/1/3 — port status, optical power, active alarms and next step',
        '• alarms OLT-HZ-01 — active alarms of a network element',
        '• ticket T20261124-0012 — ticket details and missing fields',
        '• complete ticket T20261124-0012 — fill missing fields from CRM and resource systems (written after a manager approves)',
        '• verify id C000123 <ID number> [name 张伟] — ID number format, checksum and match with the record',
        '• blacklist check <mobile> — blacklist and risk lists',
        '• bills C000123 [2026-09 [2026-11]] — bills, arrears and contract end',
        '• eligible C000123 P5G_199 — plan eligibility and the rules that fail',
        '• work order W20261124-0001 — work order details',
        '• batch status <mobiles, separated by spaces/commas/new lines, up to 500> — line status of many numbers',
        '• reconcile CH001 2026-10 — channel vs billing reconciliation with the evidence of each difference',
        'Run after a manager approves:',
        '• dispatch T20261124-0012 to <team or engineer> P2 2026-11-25 09:00-11:00 [note]',
        '• add note T20261124-0012 <text>',
        '• ack alarm ALM900001 [note]',
        '• send sms <mobile> SMS_FAULT_NOTICE ticket=T20261124-0012 time=2026-11-25 09:00',
      ].join('\n'),
    }),
  unknown: (lang: Lang) =>
    t(lang, {
      zh: '抱歉，我没有理解这个请求。发送「帮助」查看我能做什么，例如：查端口 OLT-HZ-01 0/1/3',
      en: 'Sorry, I did not understand that. Send "help" to see what I can do, e.g. "port OLT-HZ-01 0/1/3".',
    }),
  denied: (lang: Lang, tool: string) =>
    t(lang, { zh: `你的角色无权执行此操作（${tool}）。`, en: `Your role is not allowed to do this (${tool}).` }),
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
  nothingToComplete: (lang: Lang, ticketId: string) =>
    t(lang, { zh: `工单 ${ticketId} 没有缺失字段，无需补全。`, en: `Ticket ${ticketId} has no missing fields; nothing to complete.` }),
  cannotFill: (lang: Lang, ticketId: string, fields: CompletableField[]) =>
    t(lang, {
      zh: `工单 ${ticketId} 缺失的字段（${fields.map((f) => fieldLabels[f].zh).join('、')}）在 CRM 和资源系统中也查不到，无法自动补全，请人工核实。`,
      en: `Ticket ${ticketId} is missing ${fields.map((f) => fieldLabels[f].en).join(', ')}, and neither CRM nor the resource system has them: please check by hand.`,
    }),
  proposal: (lang: Lang, title: string, approvers: string[], unresolved: string[]) => {
    const missing = unresolved.map((f) => fieldLabels[f as CompletableField]?.[lang] ?? f);
    if (!title.startsWith(completeTitle.zh) && !title.startsWith(completeTitle.en)) {
      return t(lang, {
        zh: `「${title}」：需 ${approvers.join(' 或 ')} 审批后执行，执行后会回读核验。`,
        en: `"${title}": it will run once ${approvers.join(' or ')} approves, and be checked by reading it back.`,
      });
    }
    return t(lang, {
      zh: `「${title}」：已从 CRM 和资源系统查到缺失字段，需 ${approvers.join(' 或 ')} 审批后写入。${missing.length ? `仍无法补全：${missing.join('、')}。` : ''}`,
      en: `"${title}": found the missing fields in CRM and the resource system; they will be written once ${approvers.join(' or ')} approves.${missing.length ? ` Still unknown: ${missing.join(', ')}.` : ''}`,
    });
  },
  noApprover: (lang: Lang) =>
    t(lang, { zh: '你所在部门没有可审批的主管，无法提交写入申请。', en: 'Your department has no manager who can approve this, so it cannot be submitted.' }),
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
  /** The clicker's answer: the write runs after this reply, so it says "executing", not "done". */
  decisionApproved: (lang: Lang, title: string) => t(lang, { zh: `已批准「${title}」，正在执行。`, en: `Approved "${title}"; executing now.` }),
  /** The requester is told by the run that ends after this reply: "will", not "has been". */
  decisionRejected: (lang: Lang, title: string, requester: string) =>
    t(lang, { zh: `已驳回「${title}」，驳回原因将发给 ${requester}。`, en: `Rejected "${title}"; ${requester} will be sent the reason.` }),
  rejected: (lang: Lang, title: string, by: string, reason: string) =>
    t(lang, { zh: `「${title}」被 ${by} 驳回，原因：${reason}`, en: `"${title}" was rejected by ${by}. Reason: ${reason}` }),
  expired: (lang: Lang, title: string) =>
    t(lang, { zh: `「${title}」审批已过期，未执行任何写入。如仍需要，请重新提交。`, en: `"${title}" expired before anyone approved it; nothing was written. Send it again if still needed.` }),
};

const systemNames: Record<string, Text> = {
  crm: { zh: 'CRM 系统', en: 'CRM system' },
  resource: { zh: '资源管理系统', en: 'resource system' },
  nms: { zh: '网管系统', en: 'network management system' },
  ticket: { zh: '工单系统', en: 'ticket system' },
  billing: { zh: 'BOSS 计费系统', en: 'BOSS billing system' },
  risk: { zh: '风控系统', en: 'risk system' },
  sms: { zh: '短信平台', en: 'SMS gateway' },
  channel: { zh: '渠道系统', en: 'channel system' },
};
export const systemName = (lang: Lang, system: string) => systemNames[system]?.[lang] ?? system;

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
    | { reason: 'circuit_open'; system: string },
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
    case 'circuit_open':
      return t(lang, {
        zh: `${systemName('zh', r.system)}当前不可用（已暂停调用），本次批准未生效，申请仍待审批，请稍后再批准。`,
        en: `The ${systemName('en', r.system)} is unavailable right now (calls are paused), so this approval was not used; the request is still pending, please approve again shortly.`,
      });
  }
}

/** Shanghai wall-clock time, as people in the operator read it: 2026-11-24 14:03. */
export function formatTime(d: Date | string, withSeconds = false): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  const s = new Date(date.getTime() + 8 * 3600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, withSeconds ? 19 : 16)}`;
}

/** An ISO instant as operator-local time with seconds; a time already written locally stays as is. */
function localTime(value: string): string {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)) ? formatTime(value, true) : value;
}

// ------------------------------------------------------------------------------------------------
// Issue 3 replies. Personal numbers are shown masked here already (the agent masks again).

/** Title prefix of the ticket-completion proposal (its proposal message names CRM and resources). */
export const completeTitle: Text = { zh: '补全工单', en: 'Complete ticket' };

const yuan = (lang: Lang, v: number) => (lang === 'zh' ? `${v.toFixed(2)} 元` : `¥${v.toFixed(2)}`);
const yes = (v: boolean | null) => (v === null ? '—' : v ? '✓' : '✗');
const list = (lang: Lang, items: string[]) => items.join(lang === 'zh' ? '、' : ', ');


/** Something typed that is not a valid number: keep the first 3 and last 4 of long digit runs. */
export function maskLoose(token: string): string {
  const digits = token.replace(/\D/g, '');
  if (digits.length < 7) return token;
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

const verdictNames: Record<z.infer<typeof verifyIdentityOutput>['verdict'], Text> = {
  verified: { zh: '通过 ✅', en: 'verified ✅' },
  mismatch: { zh: '与档案不一致 ❌', en: 'does not match the record ❌' },
  invalid_id: { zh: '证件号无效 ❌', en: 'invalid ID number ❌' },
  not_real_name_verified: { zh: '客户未完成实名认证 ⚠️', en: 'customer is not real-name verified ⚠️' },
};

export function identityReply(lang: Lang, who: string, r: z.infer<typeof verifyIdentityOutput>): string {
  const lines = [
    t(lang, { zh: `身份核验（${who}）：${verdictNames[r.verdict].zh}`, en: `Identity check (${who}): ${verdictNames[r.verdict].en}` }),
    t(lang, {
      zh: `• 提供的证件号 ${r.givenIdMasked}${r.recordIdMasked ? `，档案证件号 ${r.recordIdMasked}` : ''}${r.customerId ? `（客户 ${r.customerId}，${regionName('zh', r.region)}）` : ''}`,
      en: `• ID given ${r.givenIdMasked}${r.recordIdMasked ? `, on record ${r.recordIdMasked}` : ''}${r.customerId ? ` (customer ${r.customerId}, ${regionName('en', r.region)})` : ''}`,
    }),
    t(lang, {
      zh: `• 格式 ${yes(r.formatValid)}  校验位 ${yes(r.checksumValid)}  出生日期 ${yes(r.birthDateValid)}  与档案一致 ${yes(r.matchesRecord)}  姓名一致 ${yes(r.nameMatches)}  已实名 ${yes(r.realNameVerified)}`,
      en: `• Format ${yes(r.formatValid)}  checksum ${yes(r.checksumValid)}  birth date ${yes(r.birthDateValid)}  matches record ${yes(r.matchesRecord)}  name ${yes(r.nameMatches)}  real-name verified ${yes(r.realNameVerified)}`,
    }),
  ];
  if (r.reasons.length) lines.push(t(lang, { zh: `原因：${r.reasons.map((x) => x.zh).join('；')}`, en: `Why: ${r.reasons.map((x) => x.en).join('; ')}` }));
  return lines.join('\n');
}

const riskNames: Record<'low' | 'medium' | 'high', Text> = { low: { zh: '低', en: 'low' }, medium: { zh: '中', en: 'medium' }, high: { zh: '高', en: 'high' } };
const listNames: Record<string, Text> = {
  blacklist: { zh: '黑名单', en: 'blacklist' },
  fraud: { zh: '涉诈名单', en: 'fraud list' },
  arrears_risk: { zh: '欠费风险', en: 'arrears risk' },
  watch: { zh: '关注名单', en: 'watch list' },
};

export function blacklistReply(lang: Lang, subject: string, r: z.infer<typeof checkBlacklistOutput>): string {
  const risk = riskNames[r.riskLevel][lang];
  if (!r.listed || r.hits.length === 0) {
    return t(lang, {
      zh: `风险核查 ${subject}：未命中任何名单，风险等级 ${risk}（核查时间 ${r.checkedAt}）。`,
      en: `Risk check ${subject}: on no list, risk ${risk} (checked ${r.checkedAt}).`,
    });
  }
  const head = t(lang, {
    zh: `风险核查 ${subject}：命中 ${r.hits.length} 条名单，风险等级 ${risk}（核查时间 ${r.checkedAt}）：`,
    en: `Risk check ${subject}: ${r.hits.length} list hit${r.hits.length === 1 ? '' : 's'}, risk ${risk} (checked ${r.checkedAt}):`,
  });
  const rows = r.hits.map((h) =>
    t(lang, {
      zh: `• [${listNames[h.list]?.zh ?? h.list}] ${h.subject === 'mobile' ? '手机号' : '证件号'} ${h.value} — ${h.reason}（自 ${h.since}，来源 ${h.source}）`,
      en: `• [${listNames[h.list]?.en ?? h.list}] ${h.subject === 'mobile' ? 'mobile' : 'ID'} ${h.value} — ${h.reason} (since ${h.since}, source ${h.source})`,
    }),
  );
  return [head, ...rows].join('\n');
}

const billStatusNames: Record<string, Text> = {
  paid: { zh: '已缴清', en: 'paid' },
  unpaid: { zh: '未缴', en: 'unpaid' },
  overdue: { zh: '逾期', en: 'overdue' },
  partial: { zh: '部分缴纳', en: 'part paid' },
};

export function billsReply(lang: Lang, r: z.infer<typeof getBillsOutput>, from: string | null, to: string | null): string {
  const range = from ? (from === to || !to ? from : `${from} ~ ${to}`) : t(lang, { zh: '最近账期', en: 'recent periods' });
  const owing =
    r.paymentStatus === 'arrears' || r.arrears > 0
      ? t(lang, { zh: `欠费 ${yuan(lang, r.arrears)}`, en: `arrears ${yuan(lang, r.arrears)}` })
      : t(lang, { zh: '无欠费', en: 'no arrears' });
  const contract = r.contractEnd ? t(lang, { zh: `，合约到期 ${r.contractEnd}`, en: `, contract ends ${r.contractEnd}` }) : '';
  const head = t(lang, {
    zh: `客户 ${r.customerId} 账单（${range}，${regionName('zh', r.region)}）：${owing}${contract}`,
    en: `Bills of ${r.customerId} (${range}, ${regionName('en', r.region)}): ${owing}${contract}`,
  });
  if (r.bills.length === 0) return [head, t(lang, { zh: '该时段没有账单。', en: 'No bills in that period.' })].join('\n');
  const rows = r.bills.map((b) =>
    t(lang, {
      zh: `• ${b.period} 应缴 ${yuan('zh', b.amount)}，已缴 ${yuan('zh', b.paid)}，${billStatusNames[b.status]!.zh}（到期 ${b.dueDate}${b.paidAt ? `，缴费于 ${b.paidAt}` : ''}）`,
      en: `• ${b.period} due ${yuan('en', b.amount)}, paid ${yuan('en', b.paid)}, ${billStatusNames[b.status]!.en} (due ${b.dueDate}${b.paidAt ? `, paid ${b.paidAt}` : ''})`,
    }),
  );
  return [head, ...rows].join('\n');
}

export function eligibilityReply(lang: Lang, r: z.infer<typeof checkPlanEligibilityOutput>): string {
  const head = t(lang, {
    zh: `${r.planName}（${r.planCode}）：客户 ${r.customerId} ${r.eligible ? '可以办理 ✅' : '不能办理 ❌'}`,
    en: `${r.planName} (${r.planCode}): customer ${r.customerId} ${r.eligible ? 'is eligible ✅' : 'is not eligible ❌'}`,
  });
  // Failed rules first: they are the answer to "why not".
  const rules = [...r.rules].sort((a, b) => Number(a.passed) - Number(b.passed));
  return [head, ...rules.map((x) => `• ${x.passed ? '✓' : '✗'} ${x.reason[lang]}`)].join('\n');
}

const woStatusNames: Record<WorkOrder['status'], Text> = {
  pending: { zh: '待派', en: 'pending' },
  dispatched: { zh: '已派单', en: 'dispatched' },
  in_progress: { zh: '处理中', en: 'in progress' },
  done: { zh: '已完成', en: 'done' },
  cancelled: { zh: '已取消', en: 'cancelled' },
};

export function workOrderReply(lang: Lang, w: WorkOrder): string {
  const v = (s: string | null) => s ?? '—';
  const window = w.appointmentStart ? `${w.appointmentStart} – ${w.appointmentEnd ?? '?'}` : '—';
  return [
    t(lang, { zh: `派单 ${w.id}（${woStatusNames[w.status].zh}，${w.priority}）`, en: `Work order ${w.id} (${woStatusNames[w.status].en}, ${w.priority})` }),
    t(lang, { zh: `• 关联工单：${v(w.ticketId)}，类型 ${w.type}`, en: `• Ticket: ${v(w.ticketId)}, type ${w.type}` }),
    t(lang, { zh: `• 班组：${v(w.team)}，工程师：${v(w.engineer)}`, en: `• Team: ${v(w.team)}, engineer: ${v(w.engineer)}` }),
    t(lang, { zh: `• 预约时段：${window}`, en: `• Appointment: ${window}` }),
    t(lang, { zh: `• 地址：${v(w.address)}（${regionName('zh', w.region)}）`, en: `• Address: ${v(w.address)} (${regionName('en', w.region)})` }),
    ...(w.note ? [t(lang, { zh: `• 备注：${w.note}`, en: `• Note: ${w.note}` })] : []),
  ].join('\n');
}

type Recon = z.infer<typeof compareChannelBillingOutput>;
const reconKinds: Record<Recon['exceptions'][number]['kind'], Text> = {
  missing_in_billing: { zh: '计费系统缺失', en: 'Missing in billing' },
  missing_in_channel: { zh: '渠道系统缺失', en: 'Missing in channel' },
  amount_mismatch: { zh: '金额不一致', en: 'Amount mismatch' },
  duplicate: { zh: '重复记录', en: 'Duplicate' },
};
const sourceNames: Record<'channel' | 'billing', Text> = { channel: { zh: '渠道系统', en: 'channel' }, billing: { zh: 'BOSS 计费', en: 'BOSS billing' } };
/** Exception rows shown in one reply; the rest are counted. */
export const RECON_SHOWN = 20;

export function reconReply(lang: Lang, r: Recon): string {
  const lines = [
    t(lang, {
      zh: `渠道 ${r.channelId} ${r.period} 对账（${regionName('zh', r.region)}，数据获取于 ${localTime(r.fetchedAt)}）`,
      en: `Reconciliation ${r.channelId} ${r.period} (${regionName('en', r.region)}, fetched ${localTime(r.fetchedAt)})`,
    }),
    t(lang, {
      zh: `• 渠道记录 ${r.channelTotals.count} 笔 ${yuan('zh', r.channelTotals.amount)}；计费记录 ${r.billingTotals.count} 笔 ${yuan('zh', r.billingTotals.amount)}`,
      en: `• Channel ${r.channelTotals.count} records ${yuan('en', r.channelTotals.amount)}; billing ${r.billingTotals.count} records ${yuan('en', r.billingTotals.amount)}`,
    }),
    t(lang, { zh: `• 一致 ${r.matched.count} 笔 ${yuan('zh', r.matched.amount)}`, en: `• Matched ${r.matched.count} records ${yuan('en', r.matched.amount)}` }),
  ];
  if (r.exceptions.length === 0) {
    lines.push(t(lang, { zh: '无差异：两边记录全部一致。', en: 'No differences: every record matches.' }));
    return lines.join('\n');
  }
  const kinds = Object.keys(reconKinds) as (keyof typeof reconKinds)[];
  const counts = kinds.map((k) => [k, r.exceptions.filter((e) => e.kind === k).length] as const).filter(([, n]) => n > 0);
  lines.push(
    t(lang, {
      zh: `• 差异 ${r.exceptions.length} 笔：${counts.map(([k, n]) => `${reconKinds[k].zh} ${n}`).join('，')}`,
      en: `• ${r.exceptions.length} difference${r.exceptions.length === 1 ? '' : 's'}: ${counts.map(([k, n]) => `${reconKinds[k].en} ${n}`).join(', ')}`,
    }),
  );
  let shown = 0;
  for (const [kind, n] of counts) {
    if (shown >= RECON_SHOWN) break;
    lines.push(t(lang, { zh: `${reconKinds[kind].zh}（${n}）：`, en: `${reconKinds[kind].en} (${n}):` }));
    for (const e of r.exceptions.filter((x) => x.kind === kind)) {
      if (shown >= RECON_SHOWN) break;
      shown++;
      // One source per record: a record's evidence rows (one per field) share system, id and time.
      const records = [...new Map(e.evidence.map((ev) => [`${ev.system}:${ev.recordId}`, ev])).values()];
      const sources = records
        .map((ev) => {
          const at = localTime(ev.fetchedAt);
          return t(lang, { zh: `${sourceNames[ev.system].zh} ${ev.recordId} 于 ${at}`, en: `${sourceNames[ev.system].en} ${ev.recordId} at ${at}` });
        })
        .join(lang === 'zh' ? '；' : '; ');
      lines.push(
        t(lang, {
          zh: `• ${e.orderId} ${e.field}：渠道 ${e.channelValue ?? '—'} / 计费 ${e.billingValue ?? '—'}（来源：${sources}）`,
          en: `• ${e.orderId} ${e.field}: channel ${e.channelValue ?? '—'} / billing ${e.billingValue ?? '—'} (source: ${sources})`,
        }),
      );
    }
  }
  const more = r.exceptions.length - shown;
  if (more > 0) lines.push(t(lang, { zh: `……以及另外 ${more} 条差异。`, en: `…and ${more} more.` }));
  return lines.join('\n');
}

export type NumberStatus = z.infer<typeof getNumberStatusOutput>['status'];
export type BatchItem = { mobile: string; status: NumberStatus } | { mobile: string; status: null; reason: string };
const numberStatusNames: Record<NumberStatus, Text> = {
  ACTIVE: { zh: '正常', en: 'active' },
  SUSPENDED: { zh: '停机', en: 'suspended' },
  ARREARS: { zh: '欠费', en: 'in arrears' },
  CLOSED: { zh: '销户', en: 'closed' },
  UNASSIGNED: { zh: '空号', en: 'unassigned' },
};
/** Numbers needing attention listed in one reply; the rest are counted. */
export const BATCH_LISTED = 50;

export function batchProgress(lang: Lang, done: number, total: number): string {
  return t(lang, { zh: `批量查询号码状态：已完成 ${done}/${total}…`, en: `Batch status: ${done}/${total} done…` });
}

export function batchReply(lang: Lang, items: BatchItem[], invalid: string[], duplicates: number): string {
  const statuses = Object.keys(numberStatusNames) as NumberStatus[];
  const failed = items.filter((i) => i.status === null);
  const counts = statuses.map((s) => [s, items.filter((i) => i.status === s).length] as const).filter(([, n]) => n > 0);
  const parts = counts.map(([s, n]) => `${numberStatusNames[s][lang]} ${n}`);
  if (failed.length) parts.push(t(lang, { zh: `查询失败 ${failed.length}`, en: `failed ${failed.length}` }));
  const lines = [
    t(lang, {
      zh: `批量查询完成：共 ${items.length} 个号码，${parts.join('，')}。`,
      en: `Batch status done: ${items.length} number${items.length === 1 ? '' : 's'}, ${parts.join(', ')}.`,
    }),
  ];
  if (duplicates > 0) lines.push(t(lang, { zh: `（已去除重复号码 ${duplicates} 个）`, en: `(${duplicates} duplicate${duplicates === 1 ? '' : 's'} removed)` }));
  if (invalid.length > 0) {
    const shownInvalid = invalid.slice(0, 20).map(maskLoose);
    const rest = invalid.length - shownInvalid.length;
    lines.push(
      t(lang, {
        zh: `无效号码 ${invalid.length} 个，未查询：${list('zh', shownInvalid)}${rest > 0 ? ` 等` : ''}`,
        en: `${invalid.length} invalid number${invalid.length === 1 ? '' : 's'} not queried: ${list('en', shownInvalid)}${rest > 0 ? ` and ${rest} more` : ''}`,
      }),
    );
  }
  const attention = items.filter((i) => i.status !== 'ACTIVE');
  if (attention.length > 0) {
    lines.push(t(lang, { zh: '需关注的号码：', en: 'Numbers needing attention:' }));
    for (const i of attention.slice(0, BATCH_LISTED)) {
      lines.push(
        i.status === null
          ? t(lang, { zh: `• ${maskMobile(i.mobile)} 查询失败：${i.reason}`, en: `• ${maskMobile(i.mobile)} failed: ${i.reason}` })
          : `• ${maskMobile(i.mobile)} ${numberStatusNames[i.status][lang]} (${i.status})`,
      );
    }
    if (attention.length > BATCH_LISTED) {
      lines.push(t(lang, { zh: `……以及另外 ${attention.length - BATCH_LISTED} 个。`, en: `…and ${attention.length - BATCH_LISTED} more.` }));
    }
  }
  return lines.join('\n');
}

export const workMessages = {
  alreadyAcknowledged: (lang: Lang, a: Alarm) =>
    t(lang, {
      zh: `告警 ${a.id}（${a.type}，${a.ne} ${a.object}）已被确认，无需再次确认。`,
      en: `Alarm ${a.id} (${a.type}, ${a.ne} ${a.object}) is already acknowledged; nothing to do.`,
    }),
  invalidInput: (lang: Lang, problems: string[]) =>
    t(lang, { zh: `输入有误：${problems.join('；')}。请修改后重发。`, en: `That input is not valid: ${problems.join('; ')}. Please correct it and send again.` }),
  dispatchTitle: (lang: Lang, ticketId: string, to: string) => t(lang, { zh: `派单 ${ticketId} → ${to}`, en: `Dispatch ${ticketId} to ${to}` }),
  noteTitle: (lang: Lang, ticketId: string) => t(lang, { zh: `工单备注 ${ticketId}`, en: `Add a note to ${ticketId}` }),
  ackTitle: (lang: Lang, a: Alarm) => t(lang, { zh: `确认告警 ${a.id}（${a.type}，${a.ne} ${a.object}）`, en: `Acknowledge alarm ${a.id} (${a.type}, ${a.ne} ${a.object})` }),
  smsTitle: (lang: Lang, mobile: string, templateId: string) =>
    t(lang, { zh: `发送短信 ${templateId} → ${maskMobile(mobile)}`, en: `Send SMS ${templateId} to ${maskMobile(mobile)}` }),
};

