/** What correcting one field of a ticket says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';
import type { CompletableField } from '../../tools/ticket/schemas.js';
import { fieldLabels } from '../ticket-show/texts.js';

const example = { zh: '更新工单 T20261124-0012 地址 杭州市西湖区文三路 398 号', en: '"update ticket T20261124-0012 address 398 Wensan Rd, Hangzhou"' };

export const updateTexts = {
  unchanged: (lang: Lang, ticketId: string, field: CompletableField) =>
    t(lang, {
      zh: `工单 ${ticketId} 的${fieldLabels[field].zh}已经是这个值，无需更新。`,
      en: `The ${fieldLabels[field].en.toLowerCase()} of ticket ${ticketId} already has that value; nothing to update.`,
    }),
  questions: {
    ticket: { zh: `请告诉我工单号、字段和新值，例如：${example.zh}`, en: `Which ticket? e.g. ${example.en}.` },
    field: {
      zh: `请告诉我要更新的字段（地址、宽带账号、接入端口或 ONU SN）和新值，例如：${example.zh}`,
      en: `Which field (address, broadband account, access port or ONU SN), and its new value? e.g. ${example.en}.`,
    },
    value: { zh: `请告诉我新值，例如：${example.zh}`, en: `What is the new value? e.g. ${example.en}.` },
  } satisfies Record<string, Text>,
};
