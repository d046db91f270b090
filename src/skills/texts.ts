/** Small pieces of wording several skills' replies share. */
import type { Lang } from '../chat/lang.js';
import type { Text } from '../chat/locale.js';

export const yuan = (lang: Lang, v: number): string => (lang === 'zh' ? `${v.toFixed(2)} 元` : `¥${v.toFixed(2)}`);
/** A check mark for a boolean check; a dash when the check did not apply. */
export const yes = (v: boolean | null): string => (v === null ? '—' : v ? '✓' : '✗');

/** What the router itself says: a request it cannot place, and arguments a tool refuses. */
export const routerTexts = {
  unknown: {
    zh: '抱歉，我没有理解这个请求。发送「帮助」查看我能做什么。',
    en: 'Sorry, I did not understand that. Send "help" to see what I can do.',
  } satisfies Text,
  /** The nearest full commands built from the ids the message held (only those the role may use). */
  tryThese: (lang: Lang, commands: string[]): string =>
    lang === 'zh' ? `你可能想要：\n${commands.map((c) => `• ${c}`).join('\n')}` : `Did you mean one of these?\n${commands.map((c) => `• ${c}`).join('\n')}`,
  invalidInput: (lang: Lang, problems: string[]): string =>
    lang === 'zh' ? `输入有误：${problems.join('；')}。请修改后重发。` : `That input is not valid: ${problems.join('; ')}. Please correct it and send again.`,
  helpHead: { zh: '我可以帮你：', en: 'I can help with:' } satisfies Text,
  helpWrites: { zh: '需主管审批后执行的操作：', en: 'Run after a manager approves:' } satisfies Text,
};

/** What the command planner itself asks. */
export const plannerTexts = {
  didYouMean: (lang: Lang, typed: string[], commands: string[]): string =>
    lang === 'zh'
      ? `「${typed.join('、')}」看起来不是有效的编号。你是指：${commands.map((c) => `「${c}」`).join(' 或 ')}？`
      : `"${typed.join('", "')}" does not look like a valid id. Did you mean ${commands.map((c) => `"${c}"`).join(' or ')}?`,
};

/** A write on a closed ticket: the ticket system refuses it, so no card (the note and field guards). */
export const closedTicketText = (ticketId: string, what: { zh: string; en: string }): Text => ({
  zh: `工单 ${ticketId} 已关闭，不能${what.zh}，未提交审批。`,
  en: `Ticket ${ticketId} is closed, so ${what.en}; nothing was sent for approval.`,
});
