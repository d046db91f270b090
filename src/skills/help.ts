/** The help text: every skill's help lines, reads first, then the writes a manager approves. */
import type { Lang } from '../chat/lang.js';
import type { HelpLine } from './contract.js';
import { skills } from './index.js';
import { routerTexts } from './texts.js';

const lines = (section: HelpLine['section']): HelpLine[] =>
  skills.flatMap((s) => s.help.filter((h) => h.section === section)).sort((a, b) => a.order - b.order);

export function helpText(lang: Lang): string {
  return [routerTexts.helpHead[lang], ...lines('read').map((h) => `• ${h.text[lang]}`), routerTexts.helpWrites[lang], ...lines('write').map((h) => `• ${h.text[lang]}`)].join('\n');
}
