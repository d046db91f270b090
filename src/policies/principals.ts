/**
 * Who people are to Switchboard. A Principal is resolved from a platform-signed identity
 * (see chat/channel.ts PlatformUser); nothing a user types can change it.
 */
import type { Lang } from '../chat/lang.js';

/** An admin changes the policy and approves nothing; an auditor reads the audit and calls no tool. */
export type Role = 'cs_agent' | 'field_tech' | 'manager' | 'auditor' | 'admin';

export interface Principal {
  id: string;
  name: string;
  roles: Role[];
  department: string;
  /** Regions whose data this person may see; '*' means all. */
  regions: string[];
  /** Reply language where the text does not say (default zh). */
  language?: Lang;
  /** The principal id of the person they report to (escalation walks this); null or absent: none. */
  manager?: string | null;
  /** The weekly on-duty roster (policies/roster.ts); null or absent: on no roster. */
  onDuty?: Roster | null;
  /** False for a leaver: the directory never hands out an inactive principal. Absent: active. */
  active?: boolean;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One weekly window: on these days from `from` to `to` (HH:MM, local to the roster's zone; from > to runs past midnight). */
export interface DutyWindow {
  days: Weekday[];
  from: string;
  to: string;
}

export interface Roster {
  /** IANA time zone the windows are in (default Asia/Shanghai). */
  timezone: string;
  windows: DutyWindow[];
}

export interface Department {
  id: string;
  name: { zh: string; en: string };
}

export interface PlatformIdentity {
  channel: string;
  platformUserId: string;
  principalId: string;
}

/** The seeded directory used by the console, the demo and the tests. */
export const seedDepartments: Department[] = [
  { id: 'cs-hangzhou', name: { zh: '杭州客服中心', en: 'Hangzhou Customer Service' } },
  { id: 'field-hangzhou', name: { zh: '杭州装维班组', en: 'Hangzhou Field Operations' } },
  { id: 'audit', name: { zh: '稽核部', en: 'Audit' } },
];

export const seedPrincipals: Principal[] = [
  { id: 'alice', name: 'Alice', roles: ['cs_agent'], department: 'cs-hangzhou', regions: ['hangzhou'] },
  { id: 'bob', name: 'Bob', roles: ['field_tech'], department: 'field-hangzhou', regions: ['hangzhou'] },
  { id: 'carol', name: 'Carol', roles: ['manager'], department: 'cs-hangzhou', regions: ['hangzhou'] },
  { id: 'dave', name: 'Dave', roles: ['manager'], department: 'field-hangzhou', regions: ['hangzhou'] },
  { id: 'erin', name: 'Erin', roles: ['auditor'], department: 'audit', regions: ['*'] },
];

/**
 * Feishu test identities (README "Feishu"): open_id ou_<name> and union_id on_<name> for each
 * seeded person. Real deployments add rows to platform_identities with the ids their tenant issues.
 */
export const seedFeishuIdentities: PlatformIdentity[] = seedPrincipals.flatMap((p) => [
  { channel: 'feishu', platformUserId: `ou_${p.id}`, principalId: p.id },
  { channel: 'feishu', platformUserId: `on_${p.id}`, principalId: p.id },
]);

/**
 * Teams test identities: fixed AAD object ids (what Teams puts in `from.aadObjectId`) for the
 * seeded people, used by the Teams tests and a sideloaded demo (README "Microsoft Teams"). A real
 * tenant maps its own users with platform_identities rows (channel 'teams', the user's object id).
 */
export const seedTeamsAadObjectIds: Readonly<Record<string, string>> = {
  alice: 'a11ce000-0000-4000-8000-000000000001',
  bob: 'b0b00000-0000-4000-8000-000000000002',
  carol: 'ca201000-0000-4000-8000-000000000003',
  dave: 'da7e0000-0000-4000-8000-000000000004',
  erin: 'e2140000-0000-4000-8000-000000000005',
};

function seedTeamsIdentities(): PlatformIdentity[] {
  return Object.entries(seedTeamsAadObjectIds).map(([principalId, aad]) => ({ channel: 'teams', platformUserId: aad, principalId }));
}

/** Console personas are the principal ids themselves. */
export const seedIdentities: PlatformIdentity[] = [
  ...seedPrincipals.map((p) => ({
    channel: 'console',
    platformUserId: p.id,
    principalId: p.id,
  })),
  ...seedFeishuIdentities,
  ...seedTeamsIdentities(),
];
