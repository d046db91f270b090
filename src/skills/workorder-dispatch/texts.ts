/** What dispatching a work order says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';

export const MAX_DISPATCH_NOTE = 200;
const example = { zh: '派单 T20261124-0012 杭州装维一组 P2 明天上午9点到11点', en: '"dispatch T20261124-0012 to HZ install team 1 P2 tomorrow 9-11am"' };

export const dispatchTexts = {
  title: (lang: Lang, ticketId: string, to: string) => t(lang, { zh: `派单 ${ticketId} → ${to}`, en: `Dispatch ${ticketId} to ${to}` }),
  questions: {
    ticket: { zh: `请告诉我工单号，例如：${example.zh}`, en: `Which ticket? e.g. ${example.en}.` },
    assignee: { zh: `请告诉我派给哪个班组或工程师，例如：${example.zh}`, en: `To which team or engineer? e.g. ${example.en}.` },
    priority: { zh: `请告诉我优先级（P1-P4），例如：${example.zh}`, en: `Which priority (P1-P4)? e.g. ${example.en}.` },
    window: { zh: `请告诉我预约日期和时段，例如：${example.zh}`, en: `When? Give the date and time window, e.g. ${example.en}.` },
    windowOrder: { zh: '预约时段的结束时间必须晚于开始时间，例如 09:00-11:00。', en: 'The window must end after it starts, e.g. 09:00-11:00.' },
    noteTooLong: { zh: `派单备注最多 ${MAX_DISPATCH_NOTE} 字，请精简后再发。`, en: `A dispatch note can be at most ${MAX_DISPATCH_NOTE} characters; please shorten it.` },
  } satisfies Record<string, Text>,
};
