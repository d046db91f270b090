/** The two languages every user-facing text is written in, and how a request's language is told. */
import { z } from 'zod';

export const langSchema = z.enum(['zh', 'en']);
export type Lang = z.infer<typeof langSchema>;

/** Chinese if the text has any CJK ideograph, else English. */
export function detectLang(text: string): Lang {
  return /[\u3400-\u9fff]/.test(text) ? 'zh' : 'en';
}
