/** A ticket's details and its missing fields, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { localTime, t, ticketStatusName, type Text } from '../../chat/locale.js';
import type { CompletableField, Ticket } from '../../tools/ticket/schemas.js';

export const fieldLabels: Record<CompletableField, Text> = {
  broadbandAccount: { zh: '宽带账号', en: 'Broadband account' },
  address: { zh: '装机地址', en: 'Address' },
  accessPort: { zh: '接入端口', en: 'Access port' },
  onuSn: { zh: 'ONU SN', en: 'ONU SN' },
};

export function ticketReply(lang: Lang, ticket: Ticket, missing: CompletableField[]): string {
  const v = (s: string | null) => s ?? '—';
  const lines = [
    t(lang, { zh: `工单 ${ticket.id}（${ticketStatusName('zh', ticket.status)}，${v(ticket.priority)}）`, en: `Ticket ${ticket.id} (${ticketStatusName('en', ticket.status)}, ${v(ticket.priority)})` }),
    t(lang, { zh: `• 故障类型：${v(ticket.faultType)}`, en: `• Fault type: ${v(ticket.faultType)}` }),
    t(lang, { zh: `• 客户：${v(ticket.customerId)}，服务号码 ${v(ticket.serviceNumber)}`, en: `• Customer: ${v(ticket.customerId)}, service number ${v(ticket.serviceNumber)}` }),
    t(lang, { zh: `• 地址：${v(ticket.address)}`, en: `• Address: ${v(ticket.address)}` }),
    t(lang, { zh: `• 接入端口：${v(ticket.accessPort)}`, en: `• Access port: ${v(ticket.accessPort)}` }),
    t(lang, { zh: `• SLA 截止：${v(ticket.slaDeadline && localTime(ticket.slaDeadline))}`, en: `• SLA deadline: ${v(ticket.slaDeadline && localTime(ticket.slaDeadline))}` }),
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

export const whichTicket: Text = { zh: '请告诉我工单号，例如：查工单 T20261124-0012', en: 'Which ticket? e.g. "ticket T20261124-0012".' };
