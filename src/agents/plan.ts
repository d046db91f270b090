/**
 * What a planner produces: a flow to run and its arguments, in the language of the request.
 * Both planners (commands now, the LLM later) produce this same typed shape.
 */
import { z } from 'zod';

export const langSchema = z.enum(['zh', 'en']);
export type Lang = z.infer<typeof langSchema>;

export const planSchema = z.discriminatedUnion('flow', [
  z.object({ flow: z.literal('port.status'), lang: langSchema, olt: z.string(), fsp: z.string() }),
  z.object({ flow: z.literal('alarms.list'), lang: langSchema, ne: z.string(), object: z.string().nullable() }),
  z.object({ flow: z.literal('ticket.show'), lang: langSchema, ticketId: z.string() }),
  z.object({ flow: z.literal('ticket.complete'), lang: langSchema, ticketId: z.string() }),
  z.object({ flow: z.literal('help'), lang: langSchema }),
  /** Understood what was wanted but an argument is missing or malformed: ask for it. */
  z.object({ flow: z.literal('clarify'), lang: langSchema, question: z.string() }),
  z.object({ flow: z.literal('unknown'), lang: langSchema }),
]);
export type Plan = z.infer<typeof planSchema>;
export type FlowName = Plan['flow'];

export interface Planner {
  readonly name: string;
  plan(text: string): Promise<Plan>;
}

/** Chinese if the text has any CJK ideograph, else English. */
export function detectLang(text: string): Lang {
  return /[\u3400-\u9fff]/.test(text) ? 'zh' : 'en';
}
