/** What dispatching a work order says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';

export const MAX_DISPATCH_NOTE = 200;
const example = { zh: '派单 T20261124-0012 杭州装维一组 P2 明天上午9点到11点', en: '"dispatch T20261124-0012 to HZ install team 1 P2 tomorrow 9-11am"' };

export const dispatchTexts = {
  title: (lang: Lang, ticketId: string, to: string) => t(lang, { zh: `派单 ${ticketId} → ${to}`, en: `Dispatch ${ticketId} to ${to}` }),
  /** The window already started by the operator-local clock: the ticket system would refuse it. */
  windowStarted: (start: string, now: string): Text => ({
    zh: `预约开始时间已过（${start}，现在是 ${now}），未提交审批。请给一个之后的时段，例如明天 09:00-11:00。`,
    en: `The appointment window has already started (${start}; it is now ${now}), so nothing was sent for approval. Give a later window, e.g. tomorrow 09:00-11:00.`,
  }),
  windowTooLong: (hours: number): Text => ({
    zh: `预约时段不能超过 ${hours} 小时（工单系统的规定），未提交审批。`,
    en: `An appointment window can be at most ${hours} hours (the ticket system's rule); nothing was sent for approval.`,
  }),
  ticketClosed: (ticketId: string): Text => ({
    zh: `工单 ${ticketId} 已关闭，不能派单，未提交审批。`,
    en: `Ticket ${ticketId} is closed, so no work order can be dispatched; nothing was sent for approval.`,
  }),
  /** A card line: the ticket has a work order still open. */
  alreadyDispatched: (lang: Lang, w: { id: string; status: string; team: string | null; engineer: string | null; appointmentStart: string | null; appointmentEnd: string | null }) => {
    const who = [w.team, w.engineer].filter(Boolean).join(' / ') || '—';
    const when = w.appointmentStart ? `${w.appointmentStart} – ${w.appointmentEnd ?? ''}` : '—';
    return t(lang, { zh: `该工单已有未完成的派工单 ${w.id}（${w.status}，${who}，${when}）`, en: `the ticket already has an open work order ${w.id} (${w.status}, ${who}, ${when})` });
  },
  notChecked: (lang: Lang) => t(lang, { zh: '未能核对该工单已有的派工单（无权查询）', en: 'the ticket\'s existing work orders could not be checked (no permission to read them)' }),
  questions: {
    ticket: { zh: `请告诉我工单号，例如：${example.zh}`, en: `Which ticket? e.g. ${example.en}.` },
    assignee: { zh: `请告诉我派给哪个班组或工程师，例如：${example.zh}`, en: `To which team or engineer? e.g. ${example.en}.` },
    priority: { zh: `请告诉我优先级（P1-P4），例如：${example.zh}`, en: `Which priority (P1-P4)? e.g. ${example.en}.` },
    window: { zh: `请告诉我预约日期和时段，例如：${example.zh}`, en: `When? Give the date and time window, e.g. ${example.en}.` },
    windowOrder: { zh: '预约时段的结束时间必须晚于开始时间，例如 09:00-11:00。', en: 'The window must end after it starts, e.g. 09:00-11:00.' },
    noteTooLong: { zh: `派单备注最多 ${MAX_DISPATCH_NOTE} 字，请精简后再发。`, en: `A dispatch note can be at most ${MAX_DISPATCH_NOTE} characters; please shorten it.` },
  } satisfies Record<string, Text>,
};
