/**
 * The approval card's words, written once at proposal time in both languages, so each copy can be
 * drawn in its reader's language (issue 13) and every redraw shows what was approved, not a
 * re-reading. Per field: the value now (the tool's summarize() from the guard's `expected`), the
 * new value, and where the new value came from (the skill's `sources`, by line key).
 */
import type { CardContent, CardLine } from '../../chat/approval-card.js';
import type { Lang } from '../../chat/lang.js';
import type { Text } from '../../chat/locale.js';
import { maskDeep } from '../../policies/masking.js';
import type { WriteProposal } from '../../skills/contract.js';
import type { AnyTool } from '../../tools/define.js';

export const CARD_LANGS: readonly Lang[] = ['zh', 'en'];

/** Business names of the writes, for a proposal that did not name its own (older or LLM-built). */
const ACTION_NAMES: Record<string, Text> = {
  'ticket.updateFields': { zh: '更新工单字段', en: 'Update ticket fields' },
  'ticket.addNote': { zh: '添加工单备注', en: 'Add ticket note' },
  'workorder.dispatch': { zh: '派单', en: 'Dispatch work order' },
  'sms.sendNotice': { zh: '发送通知短信', en: 'Send SMS notice' },
  'nms.acknowledgeAlarm': { zh: '确认告警', en: 'Acknowledge alarm' },
};

/** The business name of a write in a language; the tool's own name only for an unknown tool. */
export function actionName(tool: string, lang: Lang): string {
  return ACTION_NAMES[tool]?.[lang] ?? tool;
}

/**
 * The card's words in each language, masked. `extra(lang)` adds lines the lifecycle owns (the
 * risk tier's reason).
 */
export function cardContents(
  tool: AnyTool,
  input: Record<string, unknown>,
  proposal: WriteProposal,
  requestLang: Lang,
  extra: (lang: Lang) => CardLine[],
): Partial<Record<Lang, CardContent>> {
  const out: Partial<Record<Lang, CardContent>> = {};
  for (const lang of CARD_LANGS) {
    const lines: CardLine[] = tool.summarize!(input, lang).map((l) => {
      const line: CardLine = { label: l.label, value: l.value };
      if (l.current !== undefined) line.current = l.current;
      if (l.key !== undefined) line.source = proposal.sources?.[l.key] ?? { system: 'requester' };
      return line;
    });
    const t = proposal.card?.target;
    out[lang] = maskDeep({
      // The proposal's own title in the request's language is what the requester was told.
      title: proposal.card?.title[lang] ?? (lang === requestLang ? proposal.title : `${actionName(tool.name, lang)} ${lines[0]?.value ?? ''}`.trim()),
      action: proposal.card?.action[lang] ?? actionName(tool.name, lang),
      ...(t ? { target: { label: t.label[lang], value: t.value, ...(t.source ? { source: t.source } : {}) } } : {}),
      lines: [...lines, ...extra(lang)],
    });
  }
  return out;
}
