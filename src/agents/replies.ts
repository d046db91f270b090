/**
 * Everything the bot says, in Simplified Chinese and English. Kept apart from the flow logic so
 * wording can change without touching behaviour, and so both languages stay side by side.
 */
import type { Lang } from './plan.js';
import type { Alarm, CompletableField, Port, RxBand, Ticket } from '../tools/schemas.js';

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
      ].join('\n'),
      en: [
        'I can help with:',
        '• port OLT-HZ-01 0/1/3 — port status, optical power, active alarms and next step',
        '• alarms OLT-HZ-01 — active alarms of a network element',
        '• ticket T20261124-0012 — ticket details and missing fields',
        '• complete ticket T20261124-0012 — fill missing fields from CRM and resource systems (written after a manager approves)',
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
  systemDown: (lang: Lang, system: string) =>
    t(lang, {
      zh: `${systemName('zh', system)}暂时无法访问，请稍后重试。请求已记录。`,
      en: `The ${systemName('en', system)} is not responding right now; please try again shortly. Your request was recorded.`,
    }),
  nothingToComplete: (lang: Lang, ticketId: string) =>
    t(lang, { zh: `工单 ${ticketId} 没有缺失字段，无需补全。`, en: `Ticket ${ticketId} has no missing fields; nothing to complete.` }),
  cannotFill: (lang: Lang, ticketId: string, fields: CompletableField[]) =>
    t(lang, {
      zh: `工单 ${ticketId} 缺失的字段（${fields.map((f) => fieldLabels[f].zh).join('、')}）在 CRM 和资源系统中也查不到，无法自动补全，请人工核实。`,
      en: `Ticket ${ticketId} is missing ${fields.map((f) => fieldLabels[f].en).join(', ')}, and neither CRM nor the resource system has them: please check by hand.`,
    }),
  proposal: (lang: Lang, title: string, approvers: string[], unresolved: string[]) => {
    const missing = unresolved.map((f) => fieldLabels[f as CompletableField]?.[lang] ?? f);
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
    t(lang, { zh: `「${title}」已批准，但写入未能核验：${detail}。已转人工处理。`, en: `"${title}" was approved but the write could not be verified: ${detail}. Handed to a person.` }),
  executionFailed: (lang: Lang, title: string, detail: string) =>
    t(lang, { zh: `「${title}」已批准，但执行失败：${detail}。未写入任何数据。`, en: `"${title}" was approved but failed: ${detail}. Nothing was written.` }),
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
export function formatTime(d: Date | string): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  const s = new Date(date.getTime() + 8 * 3600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}
