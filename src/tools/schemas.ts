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
export const mobileSchema = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, ''))
  .pipe(z.string().regex(/^1[3-9]\d{9}$/, '11-digit mobile number'));
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
    /** Only alarms raised at or after this local time ("2026-11-23 00:00"), in either state. */
    since: z
      .string()
      .trim()
      .regex(/^20\d{2}-\d{2}-\d{2} [0-2]\d:[0-5]\d(:[0-5]\d)?$/, 'time like 2026-11-23 00:00')
      .nullable()
      .default(null),
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
  z.object({ mobile: mobileSchema }).strict(),
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

// ---------------------------------------------------------------------------------------------
// Issue 3: the rest of the six kinds of work. Shared conventions: money in yuan (number, 2
// decimals), periods as YYYY-MM, times as the portal shows them ("YYYY-MM-DD HH:mm"), personal
// data only as the systems return it (the runner and the agent mask it on the way out).

export const periodSchema = z.string().trim().regex(/^20\d{2}-(0[1-9]|1[0-2])$/, 'period like 2026-10');
export const workOrderIdSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^W\d{8}-\d{4}$/, 'work order id like W20261124-0001');
export const alarmIdSchema = z.string().trim().toUpperCase().regex(/^ALM\d{6,10}$/, 'alarm id like ALM900001');
export const channelIdSchema = z.string().trim().toUpperCase().regex(/^CH\d{3}$/, 'channel id like CH001');
export const planCodeSchema = z.string().trim().toUpperCase().regex(/^P[A-Z0-9_]{2,30}$/, 'plan code like P5G_199');
/** "2026-11-25 09:00", local time of the operator. */
export const localTimeSchema = z.string().trim().regex(/^20\d{2}-\d{2}-\d{2} [0-2]\d:[0-5]\d$/, 'time like 2026-11-25 09:00');
const bilingual = { zh: z.string(), en: z.string() };

/** Whom a customer-facing read is about: one of customer id or mobile. */
export const customerRefSchema = z.union([
  z.object({ customerId: customerIdSchema }).strict(),
  z.object({ mobile: mobileSchema }).strict(),
]);

// --- crm.verifyIdentity: format + checksum (GB 11643) + match with the record; masked values only.
export const verifyIdentityInput = z
  .object({
    customer: customerRefSchema,
    /** As the customer gave it: full-width digits, spaces and dashes are tolerated. */
    residentId: z.string().trim().min(1).max(40),
    /** Optional: the name the customer gave, compared with the record. */
    name: z.string().trim().min(1).max(40).optional(),
  })
  .strict();
export const verifyIdentityOutput = z.object({
  customerId: z.string().nullable(),
  region: z.string().nullable(),
  /** 18 characters, digits and a final digit or X. */
  formatValid: z.boolean(),
  checksumValid: z.boolean(),
  /** The birth date digits form a real date not in the future. */
  birthDateValid: z.boolean(),
  /** null when the format or checksum already failed (the record was not consulted). */
  matchesRecord: z.boolean().nullable(),
  nameMatches: z.boolean().nullable(),
  realNameVerified: z.boolean().nullable(),
  /** Masked: first 6 and last 4 at most. */
  givenIdMasked: z.string(),
  recordIdMasked: z.string().nullable(),
  verdict: z.enum(['verified', 'mismatch', 'invalid_id', 'not_real_name_verified']),
  reasons: z.array(z.object(bilingual)),
});

// --- risk.checkBlacklist (HTTP API carrier).
export const checkBlacklistInput = z
  .object({ mobile: mobileSchema.optional(), residentId: z.string().trim().min(15).max(40).optional() })
  .strict()
  .refine((v) => v.mobile !== undefined || v.residentId !== undefined, 'mobile or residentId');
export const blacklistHitSchema = z.object({
  list: z.enum(['blacklist', 'fraud', 'arrears_risk', 'watch']),
  subject: z.enum(['mobile', 'residentId']),
  /** Masked. */
  value: z.string(),
  reason: z.string(),
  since: z.string(),
  source: z.string(),
});
export const checkBlacklistOutput = z.object({
  listed: z.boolean(),
  riskLevel: z.enum(['low', 'medium', 'high']),
  hits: z.array(blacklistHitSchema),
  checkedAt: z.string(),
});

// --- billing.getBills.
export const getBillsInput = z
  .object({
    customer: customerRefSchema,
    /** Inclusive; default the last 6 periods the portal has. */
    from: periodSchema.optional(),
    to: periodSchema.optional(),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, 'from must not be after to');
export const billSchema = z.object({
  period: z.string(),
  amount: z.number(),
  paid: z.number(),
  dueDate: z.string(),
  status: z.enum(['paid', 'unpaid', 'overdue', 'partial']),
  paidAt: z.string().nullable(),
});
export const getBillsOutput = z.object({
  customerId: z.string(),
  region: z.string().nullable(),
  bills: z.array(billSchema),
  /** Sum of what is owed on unpaid, partial and overdue bills. */
  arrears: z.number(),
  paymentStatus: z.enum(['current', 'arrears']),
  contractEnd: z.string().nullable(),
});

// --- billing.checkPlanEligibility: rule results with reasons.
export const checkPlanEligibilityInput = z.object({ customer: customerRefSchema, planCode: planCodeSchema }).strict();
export const eligibilityRuleSchema = z.object({
  rule: z.string(),
  passed: z.boolean(),
  reason: z.object(bilingual),
});
export const checkPlanEligibilityOutput = z.object({
  customerId: z.string(),
  region: z.string().nullable(),
  planCode: z.string(),
  planName: z.string(),
  eligible: z.boolean(),
  rules: z.array(eligibilityRuleSchema),
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

// --- sms.sendNotice (HTTP API carrier): registered templates only.
export const smsTemplateIdSchema = z.string().trim().toUpperCase().regex(/^SMS_[A-Z0-9_]{2,40}$/, 'template id like SMS_FAULT_NOTICE');
export const sendSmsNoticeInput = z
  .object({
    mobile: mobileSchema,
    templateId: smsTemplateIdSchema,
    params: z.record(z.string().regex(/^[a-zA-Z]\w{0,30}$/), z.string().trim().min(1).max(100)),
  })
  .strict();
export const sendSmsNoticeOutput = z.object({
  messageId: z.string(),
  templateId: z.string(),
  /** The rendered text as the gateway will send it. */
  text: z.string(),
  status: z.enum(['queued', 'sent', 'delivered', 'failed']),
  alreadyApplied: z.boolean(),
});

// --- nms.acknowledgeAlarm.
export const acknowledgeAlarmInput = z
  .object({
    alarmId: alarmIdSchema,
    note: z.string().trim().max(200).optional(),
    /** What the approver saw: still unacknowledged, and still active or already cleared. */
    expected: z.object({ acknowledged: z.literal(false), cleared: z.boolean() }).strict(),
  })
  .strict();
export const acknowledgeAlarmOutput = z.object({
  alarmId: z.string(),
  acknowledged: z.boolean(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  alreadyApplied: z.boolean(),
});
export const getAlarmInput = z.object({ alarmId: alarmIdSchema }).strict();
/** nms.getAlarm: the alarm as listed, plus who acknowledged it, when, and with what note. */
export const getAlarmOutput = alarmSchema.extend({
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  ackNote: z.string().nullable(),
});

// --- recon.compareChannelBilling: channel sales vs BOSS settlement records for one period.
export const compareChannelBillingInput = z.object({ period: periodSchema, channelId: channelIdSchema }).strict();
export const reconEvidenceSchema = z.object({
  system: z.enum(['channel', 'billing']),
  recordId: z.string(),
  field: z.string(),
  value: z.string().nullable(),
  fetchedAt: z.string(),
});
export const reconExceptionSchema = z.object({
  kind: z.enum(['missing_in_billing', 'missing_in_channel', 'amount_mismatch', 'duplicate']),
  /** The business key both systems share (order id). */
  orderId: z.string(),
  field: z.string(),
  channelValue: z.string().nullable(),
  billingValue: z.string().nullable(),
  evidence: z.array(reconEvidenceSchema).min(1),
});
export const compareChannelBillingOutput = z.object({
  period: z.string(),
  channelId: z.string(),
  /** The channel's region (data scope). */
  region: z.string().nullable(),
  channelTotals: z.object({ count: z.number().int(), amount: z.number() }),
  billingTotals: z.object({ count: z.number().int(), amount: z.number() }),
  matched: z.object({ count: z.number().int(), amount: z.number() }),
  exceptions: z.array(reconExceptionSchema),
  fetchedAt: z.string(),
});

// --- crm.getNumberStatus: one number's line status (the unit of the batch query).
export const getNumberStatusInput = z.object({ mobile: mobileSchema }).strict();
export const getNumberStatusOutput = z.object({
  mobile: z.string(),
  /** UNASSIGNED: the number belongs to no customer (空号). */
  status: z.enum(['ACTIVE', 'SUSPENDED', 'ARREARS', 'CLOSED', 'UNASSIGNED']),
  customerId: z.string().nullable(),
  region: z.string().nullable(),
  plan: z.string().nullable(),
});
