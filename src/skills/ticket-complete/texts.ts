/** What completing (or correcting) a ticket's fields says, in both languages. */
import type { Lang } from '../../chat/lang.js';
import { t, type Text } from '../../chat/locale.js';
import type { CompletableField } from '../../tools/ticket/schemas.js';
import { fieldLabels } from '../ticket-show/texts.js';

/** Every proposed field is empty now: the write completes the ticket. */
export const completeTitle: Text = { zh: '补全工单', en: 'Complete ticket' };
/** Some proposed field holds a value now: the write changes it. */
export const updateTitle: Text = { zh: '更新工单', en: 'Update ticket' };

export const completeTexts = {
  nothingToComplete: (lang: Lang, ticketId: string) =>
    t(lang, { zh: `工单 ${ticketId} 没有缺失字段，无需补全。`, en: `Ticket ${ticketId} has no missing fields; nothing to complete.` }),
  cannotFill: (lang: Lang, ticketId: string, fields: CompletableField[]) =>
    t(lang, {
      zh: `工单 ${ticketId} 缺失的字段（${fields.map((f) => fieldLabels[f].zh).join('、')}）在 CRM 和资源系统中也查不到，无法自动补全，请人工核实。`,
      en: `Ticket ${ticketId} is missing ${fields.map((f) => fieldLabels[f].en).join(', ')}, and neither CRM nor the resource system has them: please check by hand.`,
    }),
  whichTicket: { zh: '请告诉我工单号，例如：补全工单 T20261124-0012', en: 'Which ticket? e.g. "complete ticket T20261124-0012".' } satisfies Text,
};
