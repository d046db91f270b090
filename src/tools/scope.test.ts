/**
 * Invariant 10 as a table: every registered tool × every role (the seeded people plus Ningbo and
 * two-region colleagues) × data in and out of their scope, through the real ToolRunner and the
 * tools' real declarations. The portals are replaced by a small world of Hangzhou and Ningbo
 * records (the tools' run() only, the schemas and declarations are the real ones), so the table
 * runs in milliseconds. The table is generated from the registry: a new tool without cases fails.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canSeeOwner, type ScopeOwner } from '../policies/access.js';
import { approversFor, mayDecide } from '../policies/approval-rules.js';
import { seedPrincipals, type Principal } from '../policies/principals.js';
import { defineTool, type AnyTool } from './define.js';
import { legacyTools } from './catalog.js';
import { ToolRegistry } from './registry.js';
import { ToolRunner } from './runner.js';
import { ScopeDenied, systemCaller } from './scope.js';

type Region = 'hangzhou' | 'ningbo';
const REGIONS: Region[] = ['hangzhou', 'ningbo'];
const code = (r: Region) => (r === 'hangzhou' ? 'HZ' : 'NB');
/** Ids of the small world: digit 1 lives in Hangzhou, digit 2 in Ningbo. */
const n = (r: Region) => (r === 'hangzhou' ? '1' : '2');
const ids = (r: Region) => ({
  olt: `OLT-${code(r)}-01`,
  ticket: `T20261124-000${n(r)}`,
  alarm: `ALM90000${n(r)}`,
  mobile: `1380000000${n(r)}`,
  customer: `C00000${n(r)}`,
  channel: `CH00${n(r)}`,
  workOrder: `W20261124-000${n(r)}`,
});
/** Which region a (parsed) input is about, as the portal would know it. */
function regionOfInput(input: unknown): Region {
  const s = JSON.stringify(input);
  return Object.values(ids('ningbo')).some((id) => s.includes(id)) || s.includes('"ningbo"') ? 'ningbo' : 'hangzhou';
}

const alarm = (r: Region, id = ids(r).alarm) => ({
  id, severity: 'major' as const, ne: ids(r).olt, object: '0/1/3', type: 'LOS', probableCause: 'fibre cut',
  raisedAt: '2026-11-24 08:00', clearedAt: null, acknowledged: false, serviceAffecting: true,
});
const ticket = (r: Region) => ({
  id: ids(r).ticket, status: 'open', customerId: ids(r).customer, serviceNumber: ids(r).mobile, broadbandAccount: null,
  address: 'street', accessPort: null, onuSn: null, faultType: 'no signal', priority: 'P2', slaDeadline: null,
  region: r, assignedTeam: 'team', notes: null, version: 1, idempotencyKey: null,
});

interface Case {
  input(r: Region): unknown;
  output(r: Region): unknown;
}
/** One case per registered tool: the same request about Hangzhou data and about Ningbo data. */
const cases: Record<string, Case> = {
  'resource.getPort': {
    input: (r) => ({ olt: ids(r).olt, fsp: '0/1/3' }),
    output: (r) => ({ olt: ids(r).olt, fsp: '0/1/3', region: r, adminStatus: 'up', operStatus: 'up', onuId: 1, onuSn: 'HWTC0001', rxPowerDbm: -20, txPowerDbm: 2, rxBand: 'normal', lastDownCause: null, lastDownAt: null, broadbandAccount: null }),
  },
  'nms.listAlarms': {
    input: (r) => ({ ne: ids(r).olt }),
    output: (r) => ({ alarms: [alarm(r), alarm(r, 'ALM900009')], total: 2, truncated: false }),
  },
  'ticket.get': { input: (r) => ({ ticketId: ids(r).ticket }), output: (r) => ({ ticket: ticket(r), missingFields: [] }) },
  'crm.getCustomer': {
    input: (r) => ({ customerId: ids(r).customer }),
    output: (r) => ({ customerId: ids(r).customer, name: 'N', mobile: ids(r).mobile, residentId: 'x', status: 'ACTIVE', realNameVerified: true, plans: [], address: 'street', broadbandAccount: null, region: r }),
  },
  'ticket.updateFields': {
    input: (r) => ({ ticketId: ids(r).ticket, fields: { accessPort: `${ids(r).olt} 0/1/3` }, expected: { accessPort: null } }),
    output: (r) => ({ ticketId: ids(r).ticket, version: 2, updated: ['accessPort'], alreadyApplied: false }),
  },
  'crm.verifyIdentity': {
    input: (r) => ({ customer: { customerId: ids(r).customer }, residentId: '330102199001011234' }),
    output: (r) => ({ customerId: ids(r).customer, region: r, formatValid: true, checksumValid: true, birthDateValid: true, matchesRecord: true, nameMatches: null, realNameVerified: true, givenIdMasked: '330102********1234', recordIdMasked: '330102********1234', verdict: 'verified', reasons: [] }),
  },
  'crm.getNumberStatus': {
    input: (r) => ({ mobile: ids(r).mobile }),
    output: (r) => ({ mobile: ids(r).mobile, status: 'ACTIVE', customerId: ids(r).customer, region: r, plan: null }),
  },
  'risk.checkBlacklist': {
    input: (r) => ({ mobile: ids(r).mobile }),
    output: () => ({ listed: false, riskLevel: 'low', hits: [], checkedAt: '2026-11-24 08:00' }),
  },
  'sms.sendNotice': {
    input: (r) => ({ mobile: ids(r).mobile, templateId: 'SMS_FAULT_NOTICE', params: {} }),
    output: () => ({ messageId: 'M1', templateId: 'SMS_FAULT_NOTICE', text: 't', status: 'queued', alreadyApplied: false }),
  },
  'workorder.get': {
    input: (r) => ({ workOrderId: ids(r).workOrder }),
    output: (r) => ({ workOrder: { id: ids(r).workOrder, ticketId: ids(r).ticket, type: 'repair', status: 'pending', team: 't', engineer: null, priority: 'P2', appointmentStart: null, appointmentEnd: null, address: 'street', region: r, note: null, version: 1, idempotencyKey: null } }),
  },
  'workorder.list': {
    input: (r) => ({ ticketId: ids(r).ticket }),
    output: (r) => ({ ticketId: ids(r).ticket, workOrders: [{ id: ids(r).workOrder, status: 'dispatched', team: 't', engineer: null, appointmentStart: null, appointmentEnd: null }] }),
  },
  'workorder.teams': {
    input: (r) => ({ region: r }),
    output: (r) => ({ region: r, teams: [{ name: '班组 Team', region: r, engineers: ['E'] }] }),
  },
  'workorder.dispatch': {
    input: (r) => ({ ticketId: ids(r).ticket, team: 'team A', priority: 'P2', window: { start: '2026-11-25 09:00', end: '2026-11-25 11:00' }, expected: { ticketStatus: 'open' } }),
    output: (r) => ({ workOrderId: ids(r).workOrder, ticketId: ids(r).ticket, status: 'dispatched', alreadyApplied: false }),
  },
  'ticket.addNote': {
    input: (r) => ({ ticketId: ids(r).ticket, note: 'called the customer', expected: { status: 'open' } }),
    output: (r) => ({ ticketId: ids(r).ticket, noteId: 'N1', version: 2, alreadyApplied: false }),
  },
  'nms.getAlarm': {
    input: (r) => ({ alarmId: ids(r).alarm }),
    output: (r) => ({ ...alarm(r), acknowledgedBy: null, acknowledgedAt: null, ackNote: null }),
  },
  'nms.acknowledgeAlarm': {
    input: (r) => ({ alarmId: ids(r).alarm, expected: { acknowledged: false, cleared: false } }),
    output: (r) => ({ alarmId: ids(r).alarm, acknowledged: true, acknowledgedBy: 'robot', acknowledgedAt: '2026-11-24 09:00', alreadyApplied: false }),
  },
  'billing.getBills': {
    input: (r) => ({ customer: { customerId: ids(r).customer } }),
    output: (r) => ({ customerId: ids(r).customer, region: r, bills: [], arrears: 0, paymentStatus: 'current', contractEnd: null }),
  },
  'billing.checkPlanEligibility': {
    input: (r) => ({ customer: { customerId: ids(r).customer }, planCode: 'P5G_99' }),
    output: (r) => ({ customerId: ids(r).customer, region: r, planCode: 'P5G_99', planName: 'p', eligible: true, rules: [] }),
  },
  'recon.compareChannelBilling': {
    input: (r) => ({ period: '2026-10', channelId: ids(r).channel }),
    output: (r) => ({ period: '2026-10', channelId: ids(r).channel, region: r, channelTotals: { count: 0, amount: 0 }, billingTotals: { count: 0, amount: 0 }, matched: { count: 0, amount: 0 }, exceptions: [], fetchedAt: '2026-11-24 08:00' }),
  },
};

/** Every role, and colleagues of other scopes: a Ningbo tech and manager, a two-region manager. */
const people: Principal[] = [
  ...seedPrincipals,
  { id: 'nina', name: 'Nina', roles: ['field_tech'], department: 'field-hangzhou', regions: ['ningbo'] },
  { id: 'nora', name: 'Nora', roles: ['manager'], department: 'field-hangzhou', regions: ['ningbo'] },
  { id: 'hank', name: 'Hank', roles: ['manager'], department: 'field-hangzhou', regions: ['hangzhou', 'ningbo'] },
];
const sees = (p: Principal, r: Region) => canSeeOwner(p, { kind: 'region', id: r });

describe('data scope: every role × every tool × in and out of scope', () => {
  let dataDir: string;
  let runner: ToolRunner;
  const registry = new ToolRegistry();
  const runs = new Map<string, number>();
  /** A list the portal returns mixed (a Hangzhou NE with a Ningbo alarm on it, say). */
  let mixed = false;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sb-scope-'));
    for (const real of legacyTools) {
      const c = cases[real.name];
      const stub: AnyTool = {
        ...real,
        run: async (input: unknown) => {
          runs.set(real.name, (runs.get(real.name) ?? 0) + 1);
          if (!c) throw new Error(`no case for ${real.name}`);
          if (mixed && real.name === 'nms.listAlarms') return { alarms: [alarm('hangzhou'), alarm('ningbo')], total: 2, truncated: false };
          return c.output(regionOfInput(input));
        },
      };
      registry.register(stub);
    }
    runner = new ToolRunner({
      registry,
      pool: { withPage: () => Promise.reject(new Error('no browser in the scope table')) },
      baseUrl: () => 'http://127.0.0.1:9',
      dataDir,
      screenshots: 'off',
    });
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('has a case for every registered tool, and every resolver read is a registered tool', () => {
    for (const tool of registry.list()) expect(cases[tool.name], `scope table case for ${tool.name}`).toBeDefined();
    expect(registry.missingResolverReads()).toEqual([]);
  });

  for (const tool of legacyTools) {
    describe(tool.name, () => {
      for (const p of people) {
        for (const r of REGIONS) {
          const allowed = 'none' in tool.scope || sees(p, r);
          it(`${p.id} (${p.roles.join('/')}, ${p.regions.join('+')}) × ${r} data: ${allowed ? 'allowed' : 'refused'}`, async () => {
            const c = cases[tool.name]!;
            const before = runs.get(tool.name) ?? 0;
            // A write runs only under its approval (the runner checks the key and the approval first).
            const approved = tool.effect === 'write' ? { idempotencyKey: 'appr-scope', approval: { id: 'appr-scope', status: 'approved' as const } } : {};
            const call = runner.run(tool.name, c.input(r), { caller: { principal: p }, ...approved });
            if (allowed) {
              await expect(call).resolves.toMatchObject({ record: { status: 'ok' } });
            } else {
              const err = await call.catch((e: unknown) => e);
              expect(err).toBeInstanceOf(ScopeDenied);
              const denied = err as ScopeDenied & { record: { status: string; output?: unknown } };
              expect(denied.owners).toEqual([{ kind: 'region', id: r }]);
              expect(denied.record.status).toBe('business_error');
              expect(denied.record.output).toBeUndefined();
              // Inputs that name their owner are refused before the portal is touched.
              const inputDeclared = !('none' in tool.scope) && tool.scope.input.length > 0;
              expect(denied.phase).toBe(inputDeclared ? 'input' : 'output');
              if (inputDeclared) expect(runs.get(tool.name) ?? 0).toBe(before);
            }
            if (tool.effect !== 'write') return;
            // The write's target scope, its approvers, and each manager's right to decide.
            const target = await runner.scopeOf(tool.name, c.input(r), { caller: systemCaller('table') });
            expect(target).toEqual([{ kind: 'region', id: r }]);
            const approvers = approversFor(p, people, target).map((a) => a.id);
            const managers = people.filter((m) => m.roles.includes('manager') && m.department === p.department && m.id !== p.id);
            expect(approvers.sort()).toEqual(managers.filter((m) => sees(m, r)).map((m) => m.id).sort());
            for (const m of managers) {
              const right = mayDecide(m, { requesterId: p.id, approverIds: managers.map((x) => x.id), targetScope: target });
              expect(right.allowed, `${m.id} deciding ${r}`).toBe(sees(m, r));
              if (!right.allowed) expect(right.reason).toBe('out_of_scope');
            }
          });
        }
      }
    });
  }

  it('refuses a whole list when one element is out of scope, counting without showing it', async () => {
    mixed = true;
    try {
      const err = (await runner.run('nms.listAlarms', { ne: 'OLT-HZ-01' }, { caller: { principal: seedPrincipals.find((p) => p.id === 'bob')! } }).catch((e: unknown) => e)) as ScopeDenied;
      expect(err).toBeInstanceOf(ScopeDenied);
      expect(err).toMatchObject({ phase: 'output', owners: [{ kind: 'region', id: 'ningbo' }], count: { denied: 1, of: 2 } });
      expect(err.message).not.toContain('ALM90000');
      // Someone who sees both regions gets the whole list.
      const both = people.find((p) => p.id === 'hank')!;
      expect((await runner.run('nms.listAlarms', { ne: 'OLT-HZ-01' }, { caller: { principal: both } })).output).toMatchObject({ total: 2 });
    } finally {
      mixed = false;
    }
  });

  it('refuses a call without a caller, and data whose owner cannot be determined unless the caller sees every region', async () => {
    await expect(runner.run('ticket.get', { ticketId: 'T20261124-0001' })).rejects.toMatchObject({ reason: 'no_caller', code: 'out_of_scope' });
    const bob = seedPrincipals.find((p) => p.id === 'bob')!;
    const erin = seedPrincipals.find((p) => p.id === 'erin')!;
    await expect(runner.run('nms.listAlarms', { ne: 'OLT-XX-01' }, { caller: { principal: bob } })).rejects.toMatchObject({ reason: 'unresolved' });
    await expect(runner.run('nms.listAlarms', { ne: 'OLT-XX-01' }, { caller: { principal: erin } })).resolves.toMatchObject({ record: { status: 'ok' } });
    // No recorded target scope (an approval older than the column): only an all-region manager may decide.
    const carol = seedPrincipals.find((p) => p.id === 'carol')!;
    expect(mayDecide(carol, { requesterId: 'alice', approverIds: ['carol'], targetScope: null })).toEqual({ allowed: false, reason: 'out_of_scope' });
  });

  it('does not register a tool without a declaration, or with one its schemas do not have', () => {
    const base = { effect: 'read' as const, system: 'crm' as const, description: 'd', input: z.object({ id: z.string() }), output: z.object({ region: z.string(), items: z.array(z.object({ ne: z.string() })) }), run: async () => ({ region: 'x', items: [] }) };
    expect(() => defineTool({ ...base, name: 'crm.undeclared' } as unknown as Parameters<typeof defineTool>[0])).toThrow(/crm\.undeclared declares no data scope/);
    expect(() => new ToolRegistry().register({ ...base, name: 'crm.raw' } as unknown as AnyTool)).toThrow(/crm\.raw declares no data scope/);
    expect(() => defineTool({ ...base, name: 'crm.typo', scope: { input: [], output: [{ path: 'regoin', kind: 'region' }] } })).toThrow(/crm\.typo scope\.output regoin: no such field/);
    expect(() => defineTool({ ...base, name: 'crm.list', scope: { input: [], output: [{ path: 'items.ne', kind: 'region' }] } })).toThrow(/no such field/);
    expect(() => defineTool({ ...base, name: 'crm.reads', scope: { input: [], output: [{ path: 'items[].ne', kind: 'region', via: 'alarmRegion' }] } })).toThrow(/must not read/);
    expect(() => defineTool({ ...base, name: 'crm.cust', scope: { input: [{ path: 'id', kind: 'customer' }], output: [] } })).toThrow(/needs a resolver/);
    expect(() => defineTool({ ...base, name: 'crm.none', scope: { none: '' } })).toThrow(/needs a reason/);
    expect(defineTool({ ...base, name: 'crm.ok', scope: { input: [], output: [{ path: 'items[].ne', kind: 'region', via: 'oltRegion' }] } }).name).toBe('crm.ok');
  });

  it('an owner is compared as data: a department owner against the principal department', () => {
    const carol = seedPrincipals.find((p) => p.id === 'carol')!;
    const own: ScopeOwner = { kind: 'department', id: 'cs-hangzhou' };
    expect(canSeeOwner(carol, own)).toBe(true);
    expect(canSeeOwner(carol, { kind: 'department', id: 'field-hangzhou' })).toBe(false);
  });
});
