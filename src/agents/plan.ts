/**
 * What a planner produces: a flow to run and its arguments, in the language of the request.
 * Both planners (commands now, the LLM later) produce this same typed shape.
 */
import { z } from 'zod';
import { langSchema } from '../chat/lang.js';

/** Whom a customer read is about, as the user named them. */
const customerRef = z.union([z.object({ customerId: z.string() }).strict(), z.object({ mobile: z.string() }).strict()]);
export type CustomerRef = z.infer<typeof customerRef>;

/** Most numbers one batch query takes. */
export const BATCH_MAX = 500;

export const planSchema = z.discriminatedUnion('flow', [
  z.object({ flow: z.literal('port.status'), lang: langSchema, olt: z.string(), fsp: z.string() }),
  z.object({ flow: z.literal('alarms.list'), lang: langSchema, ne: z.string(), object: z.string().nullable() }),
  z.object({ flow: z.literal('ticket.show'), lang: langSchema, ticketId: z.string() }),
  z.object({ flow: z.literal('ticket.complete'), lang: langSchema, ticketId: z.string() }),
  // Issue 3: the rest of the six kinds of work. Arguments are as the user gave them (already
  // normalized); the tools validate them again.
  z.object({ flow: z.literal('identity.verify'), lang: langSchema, customer: customerRef, residentId: z.string(), name: z.string().nullable() }),
  z.object({ flow: z.literal('blacklist.check'), lang: langSchema, mobile: z.string().nullable(), residentId: z.string().nullable() }),
  z.object({ flow: z.literal('bills.show'), lang: langSchema, customer: customerRef, from: z.string().nullable(), to: z.string().nullable() }),
  z.object({ flow: z.literal('plan.eligibility'), lang: langSchema, customer: customerRef, planCode: z.string() }),
  z.object({ flow: z.literal('workorder.show'), lang: langSchema, workOrderId: z.string() }),
  z.object({ flow: z.literal('alarm.ack'), lang: langSchema, alarmId: z.string(), note: z.string().nullable() }),
  z.object({ flow: z.literal('ticket.note'), lang: langSchema, ticketId: z.string(), note: z.string() }),
  z.object({
    flow: z.literal('workorder.dispatch'),
    lang: langSchema,
    ticketId: z.string(),
    /** Exactly one of team / engineer, taken as given: the portal validates it. */
    team: z.string().nullable(),
    engineer: z.string().nullable(),
    priority: z.enum(['P1', 'P2', 'P3', 'P4']),
    start: z.string(),
    end: z.string(),
    note: z.string().nullable(),
  }),
  z.object({ flow: z.literal('sms.send'), lang: langSchema, mobile: z.string(), templateId: z.string(), params: z.record(z.string(), z.string()) }),
  z.object({ flow: z.literal('recon.channel'), lang: langSchema, channelId: z.string(), period: z.string() }),
  z.object({
    flow: z.literal('numbers.batch'),
    lang: langSchema,
    /** Distinct valid mobiles, in the order given (at most BATCH_MAX). */
    mobiles: z.array(z.string()).min(1).max(500),
    /** Entries that are not mobile numbers, as typed (the reply lists them back, masked). */
    invalid: z.array(z.string()),
    duplicates: z.number().int(),
  }),
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
