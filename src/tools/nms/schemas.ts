/**
 * Input and output schemas of the NMS tools (nms.listAlarms, nms.getAlarm, nms.acknowledgeAlarm).
 * They are the typed boundary between the agent and the portals: the planners produce these
 * inputs, the flows read these outputs.
 */
import { z } from 'zod';
import { fspSchema, oltName } from '../fields.js';

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

export const alarmIdSchema = z.string().trim().toUpperCase().regex(/^ALM\d{6,10}$/, 'alarm id like ALM900001');
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
