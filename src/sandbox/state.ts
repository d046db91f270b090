/**
 * The sandbox's in-memory world: what the four legacy portals show, plus a log of every ticket
 * save so tests can count writes (exactly-once is the point of the idempotency key).
 */
import { buildSeed } from './seed.js';
import { buildBillingWorld, type BillingWorld } from './seed-billing.js';
import { buildRiskSmsSeed, type RiskWorld, type SmsWorld } from './seed-risk-sms.js';
import { buildWorkOrderSeed } from './seed-workorders.js';

export type Region = 'hangzhou' | 'ningbo' | 'wenzhou';
export type UpDown = 'up' | 'down';
export type CustomerStatus = 'ACTIVE' | 'SUSPENDED' | 'ARREARS' | 'CLOSED';
export type Severity = 'critical' | 'major' | 'minor' | 'warning';
export type TicketStatus = 'open' | 'in_progress' | 'resolved' | 'closed';
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';
export type SystemKey = 'crm' | 'resource' | 'nms' | 'tickets' | 'billing' | 'channel' | 'sms' | 'risk';
export const SYSTEM_KEYS: readonly SystemKey[] = ['crm', 'resource', 'nms', 'tickets', 'billing', 'channel', 'sms', 'risk'];

export interface Customer {
  id: string;
  /** Full name; the CRM portal itself shows it masked ("张*"). */
  name: string;
  mobile: string;
  residentId: string;
  status: CustomerStatus;
  realNameVerified: boolean;
  plans: string[];
  address: string;
  /** "" when the customer has no broadband. */
  broadbandAccount: string;
  region: Region;
}

export interface Port {
  olt: string;
  frame: number;
  slot: number;
  port: number;
  region: Region;
  adminStatus: UpDown;
  operStatus: UpDown;
  onuId: number | null;
  onuSn: string;
  /** dBm; null = no reading (shown as "—"). */
  rxPower: number | null;
  txPower: number | null;
  lastDownCause: string;
  /** "" when never down. */
  lastDownTime: string;
  broadbandAccount: string;
  customerId: string;
}

export interface Alarm {
  id: string;
  severity: Severity;
  ne: string;
  /** "0/1/3", "0/1/3 ONU 5" or "board 0/2". */
  object: string;
  type: string;
  probableCause: string;
  raisedAt: string;
  /** "" while active. */
  clearedAt: string;
  acknowledged: boolean;
  serviceAffecting: boolean;
  /** Set by an acknowledgement through the portal (seeded acknowledged alarms have none). */
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  ackNote?: string;
  ackIdempotencyKey?: string;
}

/** 派工单 Work orders (ticket system), a field team's visit for a ticket. */
export type WorkOrderType = 'repair' | 'install' | 'inspection';
export type WorkOrderStatus = 'pending' | 'dispatched' | 'in_progress' | 'done' | 'cancelled';
export interface WorkOrder {
  /** W + yyyymmdd + "-" + 4-digit sequence of that day, e.g. W20261124-0001. */
  id: string;
  ticketId: string;
  type: WorkOrderType;
  status: WorkOrderStatus;
  /** Full directory name, e.g. "杭州装维一组 HZ Field Team 1". */
  team: string;
  /** "" = the team assigns one. */
  engineer: string;
  priority: Priority;
  /** "YYYY-MM-DD HH:mm" local time. */
  appointmentStart: string;
  appointmentEnd: string;
  address: string;
  region: Region;
  note: string;
  createdAt: string;
  version: number;
  /** "" when created without one. */
  idempotencyKey: string;
}

/** The directory of field teams (装维班组) and their engineers. */
export interface FieldTeam {
  name: string;
  region: Region;
  engineers: string[];
}

/** A note appended to a ticket (its notes table); the ticket's version goes +1 per note. */
export interface TicketNote {
  id: string;
  ticketId: string;
  at: string;
  author: string;
  text: string;
  /** "" when added without one. */
  idempotencyKey: string;
}

/** The four fields the edit form can change (the ones a ticket may be missing). */
export interface TicketEditableFields {
  broadbandAccount: string;
  address: string;
  /** "OLT-HZ-01 0/1/3" */
  accessPort: string;
  onuSn: string;
}

export interface Ticket extends TicketEditableFields {
  id: string;
  status: TicketStatus;
  customerId: string;
  serviceNumber: string;
  faultType: string;
  priority: Priority;
  createdAt: string;
  slaDeadline: string;
  region: Region;
  assignedTeam: string;
  notes: string;
  /** +1 per save. */
  version: number;
  /** "" until a save carries one. */
  lastIdempotencyKey: string;
}

export interface WriteLogEntry {
  ticketId: string;
  fields: TicketEditableFields;
  idempotencyKey: string | null;
  /** ISO 8601, from the sandbox clock. */
  at: string;
  /** Ticket version produced by this save. */
  version: number;
}

export type Layout = 'a' | 'b';

/**
 * Fault injection, per system: consulted by an onRequest hook for every request under the
 * system's prefix (faults.ts), switchable at run time through /admin/faults. All off by default.
 */
export interface FaultSettings {
  /** Every request answers 503 with a maintenance page. */
  unavailable: boolean;
  /** Added delay before each response, in ms. */
  latencyMs: number;
  /** Share of requests (0..1) that answer HTTP 500. */
  errorRate: number;
  /** Share of requests (0..1) that hang for hangMs, then answer 504. */
  timeoutRate: number;
  hangMs: number;
  /** Sessions are dropped: all at once when switched on, then each request with sessionExpiryRate. */
  expireSessions: boolean;
  sessionExpiryRate: number;
  /** 'b' = the second page layout (moved rows, reordered columns, renamed classes and ids). */
  layout: Layout;
  /** Tickets: a confirmed save is committed, then the response waits this long. */
  slowAfterSaveMs: number;
  /** Seed of this system's fault PRNG (same seed, same sequence of faults). */
  seed: number;
}

export interface SandboxState {
  seed: number;
  customers: Customer[];
  ports: Port[];
  alarms: Alarm[];
  tickets: Ticket[];
  writes: WriteLogEntry[];
  workOrders: WorkOrder[];
  teams: FieldTeam[];
  ticketNotes: TicketNote[];
  faults: Record<SystemKey, FaultSettings>;
  /** Real-name & risk service lists (seed-risk-sms.ts). */
  risk: RiskWorld;
  /** SMS gateway: templates, opt-outs, every accepted message (seed-risk-sms.ts). */
  sms: SmsWorld;
  /** BOSS billing + channel portals: bills, plans, channels, sales, settlements (seed-billing.ts). */
  billing: BillingWorld;
}

export const noFaults = (): FaultSettings => ({
  unavailable: false,
  latencyMs: 0,
  errorRate: 0,
  timeoutRate: 0,
  hangMs: 30_000,
  expireSessions: false,
  sessionExpiryRate: 0.1,
  layout: 'a',
  slowAfterSaveMs: 0,
  seed: 1,
});

export function createState(seed: number): SandboxState {
  const data = buildSeed(seed);
  return {
    seed,
    ...data,
    ...buildWorkOrderSeed(seed, data.tickets),
    writes: [],
    billing: buildBillingWorld(seed, data.customers),
    ...buildRiskSmsSeed(data.customers),
    faults: Object.fromEntries(SYSTEM_KEYS.map((k) => [k, noFaults()])) as Record<SystemKey, FaultSettings>,
  };
}

export const fspOf = (p: Pick<Port, 'frame' | 'slot' | 'port'>): string => `${p.frame}/${p.slot}/${p.port}`;

export function findPort(state: SandboxState, olt: string, frame: number, slot: number, port: number): Port | undefined {
  return state.ports.find((p) => p.olt === olt && p.frame === frame && p.slot === slot && p.port === port);
}

export function findTicket(state: SandboxState, id: string): Ticket | undefined {
  return state.tickets.find((t) => t.id === id);
}

export function findCustomer(state: SandboxState, id: string): Customer | undefined {
  return state.customers.find((c) => c.id === id);
}

/** An alarm object belongs to port "0/1/3" if it is the port itself or one of its ONUs. */
export function objectMatches(object: string, filter: string): boolean {
  return object === filter || object.startsWith(`${filter} `);
}
