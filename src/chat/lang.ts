/**
 * The one language type: every reply, card, notice and plan is in Chinese or English. One
 * definition so a third language would be added in one place and the compiler would find every
 * text that lacks it.
 */
import { z } from 'zod';

export const langSchema = z.enum(['zh', 'en']);
export type Lang = z.infer<typeof langSchema>;

/** Chinese if the text has any CJK ideograph, else English. */
export function detectLang(text: string): Lang {
  return /[\u3400-\u9fff]/.test(text) ? 'zh' : 'en';
}
