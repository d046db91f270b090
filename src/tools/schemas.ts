/**
 * Input and output schemas of the legacy-system tools. They are the typed boundary between the
 * agent and the portals: the planners produce these inputs, the flows read these outputs.
 */
import { z } from 'zod';

export const oltName = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^OLT-[A-Z]{2}-\d{1,3}$/, 'OLT name like OLT-HZ-01');
export const fspSchema = z
  .string()
  .trim()
  .regex(/^\d{1,2}\/\d{1,2}\/\d{1,3}$/, 'frame/slot/port like 0/1/3');
export const ticketIdSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^T\d{8}-\d{4}$/, 'ticket id like T20261124-0012');
export const customerIdSchema = z.string().trim().regex(/^C\d{6}$/, 'customer id like C000123');
export const broadbandAccountSchema = z.string().trim().min(3).max(64);

export const rxBandSchema = z.enum(['overload', 'normal', 'marginal', 'fault']);
export type RxBand = z.infer<typeof rxBandSchema>;

/** GPON class B+ receive window: above -8 overload; -8..-25 normal; -25..-27 marginal; below or none: fault. */
export function rxBand(dbm: number | null): RxBand {
  if (dbm === null || Number.isNaN(dbm)) return 'fault';
  if (dbm > -8) return 'overload';
  if (dbm >= -25) return 'normal';
  if (dbm >= -27) return 'marginal';
  return 'fault';
}

export const getPortInput = z.union([
  z.object({ olt: oltName, fsp: fspSchema }).strict(),
  z.object({ broadbandAccount: broadbandAccountSchema }).strict(),
]);
export const portSchema = z.object({
  olt: z.string(),
  fsp: z.string(),
  region: z.string(),
  adminStatus: z.enum(['up', 'down']),
  operStatus: z.enum(['up', 'down']),
  onuId: z.number().int().nullable(),
  onuSn: z.string().nullable(),
  rxPowerDbm: z.number().nullable(),
  txPowerDbm: z.number().nullable(),
  rxBand: rxBandSchema,
  lastDownCause: z.string().nullable(),
  lastDownAt: z.string().nullable(),
  broadbandAccount: z.string().nullable(),
});
export type Port = z.infer<typeof portSchema>;

export const severitySchema = z.enum(['critical', 'major', 'minor', 'warning']);
export const listAlarmsInput = z
  .object({
    ne: oltName,
    /** A port (F/S/P); alarms on the port and on its ONUs match. */
    object: fspSchema.nullable().default(null),
    state: z.enum(['active', 'all']).default('active'),
    /** Stop after this many rows (the portal pages 20 at a time). */
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export const alarmSchema = z.object({
  id: z.string(),
  severity: severitySchema,
  ne: z.string(),
  object: z.string(),
  type: z.string(),
  probableCause: z.string(),
  raisedAt: z.string(),
  clearedAt: z.string().nullable(),
  acknowledged: z.boolean(),
  serviceAffecting: z.boolean(),
});
export type Alarm = z.infer<typeof alarmSchema>;
export const listAlarmsOutput = z.object({
  alarms: z.array(alarmSchema),
  /** Rows the portal reported in all; more than alarms.length when limit cut the list. */
  total: z.number().int(),
  truncated: z.boolean(),
});

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

export const getCustomerInput = z.union([
  z.object({ customerId: customerIdSchema }).strict(),
  z.object({ mobile: z.string().trim().regex(/^1[3-9]\d{9}$/, '11-digit mobile number') }).strict(),
  z.object({ broadbandAccount: broadbandAccountSchema }).strict(),
]);
export const customerSchema = z.object({
  customerId: z.string(),
  name: z.string(),
  mobile: z.string(),
  residentId: z.string(),
  status: z.enum(['ACTIVE', 'SUSPENDED', 'ARREARS', 'CLOSED']),
  realNameVerified: z.boolean(),
  plans: z.array(z.string()),
  address: z.string().nullable(),
  broadbandAccount: z.string().nullable(),
  region: z.string().nullable(),
});
export type Customer = z.infer<typeof customerSchema>;

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
