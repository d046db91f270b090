/** A work order's details, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { localTime, regionName, t, type Text } from '../../chat/locale.js';
import type { WorkOrder } from '../../tools/ticket/schemas.js';

const woStatusNames: Record<WorkOrder['status'], Text> = {
  pending: { zh: '待派', en: 'pending' },
  dispatched: { zh: '已派单', en: 'dispatched' },
  in_progress: { zh: '处理中', en: 'in progress' },
  done: { zh: '已完成', en: 'done' },
  cancelled: { zh: '已取消', en: 'cancelled' },
};

export function workOrderReply(lang: Lang, w: WorkOrder): string {
  const v = (s: string | null) => s ?? '—';
  const window = w.appointmentStart ? `${localTime(w.appointmentStart)} – ${w.appointmentEnd ? localTime(w.appointmentEnd) : '?'}` : '—';
  return [
    t(lang, { zh: `派单 ${w.id}（${woStatusNames[w.status].zh}，${w.priority}）`, en: `Work order ${w.id} (${woStatusNames[w.status].en}, ${w.priority})` }),
    t(lang, { zh: `• 关联工单：${v(w.ticketId)}，类型 ${w.type}`, en: `• Ticket: ${v(w.ticketId)}, type ${w.type}` }),
    t(lang, { zh: `• 班组：${v(w.team)}，工程师：${v(w.engineer)}`, en: `• Team: ${v(w.team)}, engineer: ${v(w.engineer)}` }),
    t(lang, { zh: `• 预约时段：${window}`, en: `• Appointment: ${window}` }),
    t(lang, { zh: `• 地址：${v(w.address)}（${regionName('zh', w.region)}）`, en: `• Address: ${v(w.address)} (${regionName('en', w.region)})` }),
    ...(w.note ? [t(lang, { zh: `• 备注：${w.note}`, en: `• Note: ${w.note}` })] : []),
  ].join('\n');
}

export const whichWorkOrder: Text = { zh: '请告诉我派单号，例如：查派单 W20261124-0001', en: 'Which work order? e.g. "work order W20261124-0001".' };
