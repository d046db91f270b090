/**
 * Who people are to Switchboard. A Principal is resolved from a platform-signed identity
 * (see bot/channel.ts PlatformUser); nothing a user types can change it.
 */
export type Role = 'cs_agent' | 'field_tech' | 'manager' | 'auditor';

export interface Principal {
  id: string;
  name: string;
  roles: Role[];
  department: string;
  /** Regions whose data this person may see; '*' means all. */
  regions: string[];
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

/** Console personas are the principal ids themselves. */
export const seedIdentities: PlatformIdentity[] = seedPrincipals.map((p) => ({
  channel: 'console',
  platformUserId: p.id,
  principalId: p.id,
}));
