/** What adding a ticket note says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';

export const MAX_NOTE = 500;

export const noteTexts = {
  title: (lang: Lang, ticketId: string) => t(lang, { zh: `工单备注 ${ticketId}`, en: `Add a note to ${ticketId}` }),
  whichTicket: {
    zh: '请告诉我工单号和备注内容，例如：工单备注 T20261124-0012 用户已重启光猫',
    en: 'Which ticket? e.g. "add note T20261124-0012 customer restarted the ONU".',
  } satisfies Text,
  whatText: {
    zh: '请告诉我备注内容，例如：工单备注 T20261124-0012 用户已重启光猫',
    en: 'What should the note say? e.g. "add note T20261124-0012 customer restarted the ONU".',
  } satisfies Text,
  tooLong: { zh: `工单备注最多 ${MAX_NOTE} 字，请精简后再发。`, en: `A ticket note can be at most ${MAX_NOTE} characters; please shorten it.` } satisfies Text,
};
