/**
 * Input and output schemas of the ticket system's tools: tickets (ticket.get, ticket.updateFields,
 * ticket.addNote) and their work orders (workorder.get, workorder.dispatch).
 * They are the typed boundary between the agent and the portals: the planners produce these
 * inputs, the flows read these outputs.
 */
import { z } from 'zod';

export const ticketIdSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^T\d{8}-\d{4}$/, 'ticket id like T20261124-0012');
export const workOrderIdSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^W\d{8}-\d{4}$/, 'work order id like W20261124-0001');
/** "2026-11-25 09:00", local time of the operator. */
export const localTimeSchema = z.string().trim().regex(/^20\d{2}-\d{2}-\d{2} [0-2]\d:[0-5]\d$/, 'time like 2026-11-25 09:00');

/** Fields a ticket may be missing and that the robot can complete from other systems. */
export const completableFields = ['broadbandAccount', 'address', 'accessPort', 'onuSn'] as const;
export type CompletableField = (typeof completableFields)[number];

export const ticketSchema = z.object({
  id: z.string(),
  status: z.string(),
  customerId: z.string().nullable(),
  serviceNumber: z.string().nullable(),
  broadbandAccount: z.string().nullable(),
  address: z.string().nullable(),
  accessPort: z.string().nullable(),
  onuSn: z.string().nullable(),
  faultType: z.string().nullable(),
  priority: z.string().nullable(),
  slaDeadline: z.string().nullable(),
  region: z.string().nullable(),
  assignedTeam: z.string().nullable(),
  notes: z.string().nullable(),
  version: z.number().int(),
  idempotencyKey: z.string().nullable(),
});
export type Ticket = z.infer<typeof ticketSchema>;
export const getTicketInput = z.object({ ticketId: ticketIdSchema }).strict();
export const getTicketOutput = z.object({
  ticket: ticketSchema,
  missingFields: z.array(z.enum(completableFields)),
});

const fieldValue = z.string().trim().min(1).max(200);
export const updateTicketFieldsInput = z
  .object({
    ticketId: ticketIdSchema,
    fields: z
      .object({
        broadbandAccount: fieldValue.optional(),
        address: fieldValue.optional(),
        accessPort: z.string().trim().regex(/^OLT-[A-Z]{2}-\d{1,3} \d{1,2}\/\d{1,2}\/\d{1,3}$/).optional(),
        onuSn: z.string().trim().regex(/^[A-Z0-9]{8,16}$/).optional(),
      })
      .strict()
      .refine((f) => Object.keys(f).length > 0, 'at least one field'),
    /**
     * The values the approver saw (null = empty). The tool re-reads the ticket first and refuses
     * if any of them changed since: the approval was for that state, not for whatever is there now.
     */
    expected: z.partialRecord(z.enum(completableFields), z.string().nullable()),
  })
  .strict();
export type UpdateTicketFieldsInput = z.infer<typeof updateTicketFieldsInput>;
export const updateTicketFieldsOutput = z.object({
  ticketId: z.string(),
  version: z.number().int(),
  updated: z.array(z.enum(completableFields)),
  /** The portal recognised the idempotency key: this write had already been applied. */
  alreadyApplied: z.boolean(),
});

// --- workorder.get / workorder.dispatch (the ticket system's work orders).
export const workOrderStatusSchema = z.enum(['pending', 'dispatched', 'in_progress', 'done', 'cancelled']);
export const workOrderSchema = z.object({
  id: z.string(),
  ticketId: z.string().nullable(),
  type: z.string(),
  status: workOrderStatusSchema,
  team: z.string().nullable(),
  engineer: z.string().nullable(),
  priority: z.string(),
  appointmentStart: z.string().nullable(),
  appointmentEnd: z.string().nullable(),
  address: z.string().nullable(),
  region: z.string().nullable(),
  note: z.string().nullable(),
  version: z.number().int(),
  idempotencyKey: z.string().nullable(),
});
export type WorkOrder = z.infer<typeof workOrderSchema>;
export const getWorkOrderInput = z.object({ workOrderId: workOrderIdSchema }).strict();
export const getWorkOrderOutput = z.object({ workOrder: workOrderSchema });
/** A ticket's work orders, newest first, as the portal's list shows them. */
export const listWorkOrdersInput = z.object({ ticketId: ticketIdSchema }).strict();
export const workOrderListItemSchema = z.object({
  id: z.string(),
  status: z.string(),
  team: z.string().nullable(),
  engineer: z.string().nullable(),
  appointmentStart: z.string().nullable(),
  appointmentEnd: z.string().nullable(),
});
export const listWorkOrdersOutput = z.object({ ticketId: z.string(), workOrders: z.array(workOrderListItemSchema) });
/** Work orders still to be done: a second dispatch for the same ticket would be a second visit. */
export const openWorkOrderStatuses: readonly string[] = ['pending', 'dispatched', 'in_progress'];

/**
 * The portal's field-team directory (班组目录): teams, the region each serves and its engineers.
 * Read for one region (the dispatch guard reads the ticket's), or every region when none is given;
 * each team is owned by its region (data scope), so a regional person reads their own regions.
 */
export const regionIdSchema = z.string().trim().toLowerCase().regex(/^[a-z][a-z_-]{1,30}$/, 'a region id like hangzhou');
export const listTeamsInput = z.object({ region: regionIdSchema.optional() }).strict();
export const fieldTeamSchema = z.object({
  /** "杭州装维一组 HZ Field Team 1": the Chinese and the English name, one space between. */
  name: z.string().min(1),
  region: z.string().min(1),
  engineers: z.array(z.string().min(1)),
});
export type FieldTeam = z.infer<typeof fieldTeamSchema>;
export const listTeamsOutput = z.object({ region: z.string().nullable(), teams: z.array(fieldTeamSchema) });

/**
 * Dispatch a follow-up work order for a ticket to a team or an engineer, with a priority and an
 * appointment window. The ticket must still be in the status the approver saw.
 */
export const dispatchWorkOrderInput = z
  .object({
    ticketId: ticketIdSchema,
    type: z.enum(['repair', 'install', 'inspection']).default('repair'),
    team: z.string().trim().min(2).max(60).optional(),
    engineer: z.string().trim().min(2).max(60).optional(),
    priority: z.enum(['P1', 'P2', 'P3', 'P4']),
    window: z.object({ start: localTimeSchema, end: localTimeSchema }).strict().refine((w) => w.start < w.end, 'window end must be after its start'),
    note: z.string().trim().max(200).optional(),
    expected: z.object({ ticketStatus: z.string() }).strict(),
  })
  .strict()
  .refine((v) => v.team !== undefined || v.engineer !== undefined, 'a team or an engineer');
export type DispatchWorkOrderInput = z.infer<typeof dispatchWorkOrderInput>;
export const dispatchWorkOrderOutput = z.object({
  workOrderId: z.string(),
  ticketId: z.string(),
  status: workOrderStatusSchema,
  alreadyApplied: z.boolean(),
});

// --- ticket.addNote.
export const addTicketNoteInput = z
  .object({
    ticketId: ticketIdSchema,
    note: z.string().trim().min(1).max(500),
    expected: z.object({ status: z.string() }).strict(),
  })
  .strict();
export const addTicketNoteOutput = z.object({ ticketId: z.string(), noteId: z.string(), version: z.number().int(), alreadyApplied: z.boolean() });
