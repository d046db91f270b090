import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canCallTool, canSeeOwner, mayUse, ownersOutOfScope } from './access.js';
import { PolicyFileError, activePolicy, bundledPolicyFile, parsePolicy, readPolicyFile, rolloutStage } from './policy.js';
import { checkedPolicy } from './policy-watcher.js';
import { approversFor, mayDecide } from './approval-rules.js';
import { seedPrincipals } from './principals.js';
import type { Principal, Role } from './principals.js';

const person = (role: Role, regions = ['hangzhou'], department = 'cs-hangzhou'): Principal => ({ id: `p-${role}`, name: role, roles: [role], department, regions });

/** The demo policy, written out: the table a compliance reviewer signs off. */
const expected: Record<string, Role[]> = {
  'resource.getPort': ['cs_agent', 'field_tech', 'manager'],
  'nms.listAlarms': ['cs_agent', 'field_tech', 'manager'],
  'nms.getAlarm': ['cs_agent', 'field_tech', 'manager'],
  'ticket.get': ['cs_agent', 'field_tech', 'manager'],
  'workorder.get': ['cs_agent', 'field_tech', 'manager'],
  'workorder.list': ['cs_agent', 'field_tech', 'manager'],
  'crm.getCustomer': ['cs_agent', 'field_tech', 'manager'],
  'crm.getNumberStatus': ['cs_agent', 'field_tech', 'manager'],
  'crm.verifyIdentity': ['cs_agent', 'manager'],
  'risk.checkBlacklist': ['cs_agent', 'manager'],
  'billing.getBills': ['cs_agent', 'manager'],
  'billing.checkPlanEligibility': ['cs_agent', 'manager'],
  'recon.compareChannelBilling': ['manager'],
  'ticket.updateFields': ['cs_agent', 'field_tech', 'manager'],
  'ticket.addNote': ['cs_agent', 'field_tech', 'manager'],
  'workorder.dispatch': ['cs_agent', 'field_tech', 'manager'],
  'sms.sendNotice': ['cs_agent', 'field_tech', 'manager'],
  'nms.acknowledgeAlarm': ['field_tech', 'manager'],
};
const roles: Role[] = ['cs_agent', 'field_tech', 'manager', 'auditor', 'admin'];

describe('the policy table (config/policy.yaml)', () => {
  const cases = Object.entries(expected).flatMap(([tool, allowed]) => roles.map((role) => [role, tool, allowed.includes(role)] as const));

  it.each(cases)('%s × %s → allowed %s', (role, tool, allowed) => {
    const d = canCallTool(person(role), tool);
    if (allowed) expect(d).toEqual({ allowed: true });
    else expect(d).toEqual({ allowed: false, reason: 'role', detail: `${role} may not use ${tool}` });
  });

  it('lists exactly these tools, and denies any other to everyone with the reason', () => {
    expect(Object.keys(activePolicy().tools).sort()).toEqual(Object.keys(expected).sort());
    for (const role of roles) expect(canCallTool(person(role), 'billing.adjust')).toEqual({ allowed: false, reason: 'unknown_tool', detail: 'no policy for billing.adjust' });
  });

  it.each([
    // [regions, department, owner, sees]
    [['hangzhou'], 'cs-hangzhou', { kind: 'region', id: 'hangzhou' }, true],
    [['hangzhou'], 'cs-hangzhou', { kind: 'region', id: 'ningbo' }, false],
    [['hangzhou', 'ningbo'], 'cs-hangzhou', { kind: 'region', id: 'ningbo' }, true],
    [['hangzhou'], 'cs-hangzhou', { kind: 'department', id: 'cs-hangzhou' }, true],
    [['hangzhou'], 'cs-hangzhou', { kind: 'department', id: 'field-hangzhou' }, false],
    [['*'], 'audit', { kind: 'region', id: 'wenzhou' }, true],
    [['*'], 'audit', { kind: 'department', id: 'cs-hangzhou' }, true],
  ] as const)('scope: regions %j of %s and owner %j → sees %s', (regions, department, owner, sees) => {
    const p = person('cs_agent', [...regions], department);
    expect(canSeeOwner(p, owner)).toBe(sees);
    expect(ownersOutOfScope(p, [owner])).toEqual(sees ? [] : [owner]);
  });

  it('stages every department at "writes" in the demo', () => {
    expect(rolloutStage(activePolicy(), 'cs-hangzhou', 'sms.sendNotice')).toBe('writes');
  });
});

describe('a bad policy file', () => {
  const good = readPolicyFile(bundledPolicyFile);
  const problems = (text: string) => {
    try {
      parsePolicy(text, 'policy.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyFileError);
      return (err as PolicyFileError).problems;
    }
    throw new Error('the file was accepted');
  };
  const base = `version: 1
tools:
  ticket.get: { roles: [cs_agent] }
rollout:
  default: writes
rateLimits:
  perUser: { requestsPerMinute: 10, toolCallsPerTurn: 10, pendingApprovals: 5 }
  perDepartment: { requestsPerMinute: 100, pendingApprovals: 50 }
`;

  it('accepts the minimal good file and the shipped one', () => {
    expect(parsePolicy(base, 'policy.yaml').tools['ticket.get']!.roles).toEqual(['cs_agent']);
    expect(Object.keys(good.tools).length).toBe(18);
  });

  it('names the line and the field of each problem', () => {
    expect(problems(base.replace('[cs_agent]', '[cs_agent, superuser]'))).toEqual([{ line: 3, field: 'tools.ticket.get.roles.1', message: expect.stringContaining('cs_agent') }]);
    expect(problems(base.replace('default: writes', 'default: everything'))).toEqual([{ line: 5, field: 'rollout.default', message: expect.any(String) }]);
    expect(problems(base.replace('toolCallsPerTurn: 10', 'toolCallsPerTurn: 0'))).toEqual([{ line: 7, field: 'rateLimits.perUser.toolCallsPerTurn', message: expect.any(String) }]);
    expect(problems(base.replace('{ roles: [cs_agent] }', '{ rols: [cs_agent] }'))).toEqual([
      { line: 3, field: 'tools.ticket.get.roles', message: expect.any(String) },
      { line: 3, field: 'tools.ticket.get', message: expect.stringContaining('rols') },
    ]);
    expect(problems(base.replace('version: 1', 'version: 2'))).toEqual([{ line: 1, field: 'version', message: expect.any(String) }]);
    // A missing section is reported at the object that lacks it.
    expect(problems(base.replace(/rateLimits:[\s\S]*$/, ''))).toEqual([{ line: 1, field: 'rateLimits', message: expect.any(String) }]);
    expect(problems(base.replace('ticket.get:', 'ticket get:'))[0]).toMatchObject({ line: 3, field: 'tools.ticket get' });
  });

  it('refuses broken YAML and duplicate keys with their line', () => {
    expect(problems(base.replace('  default: writes', '  default: [writes'))[0]!.line).toBeGreaterThanOrEqual(5);
    expect(problems(`${base}  extra: 1\ntools:\n  x.y: { roles: [manager] }\n`)[0]).toMatchObject({ line: expect.any(Number) });
    const dup = problems(base.replace('rollout:', 'tools:\n  ticket.get: { roles: [manager] }\nrollout:'));
    expect(dup[0]!.line).toBe(4);
    expect(dup[0]!.message).toMatch(/unique|duplicate/i);
  });

  it('refuses a tool no registered tool answers to, with its line', () => {
    const text = base.replace('rollout:', '  ticket.gett: { roles: [manager] }\nrollout:');
    expect(() => checkedPolicy(text, 'policy.yaml', new Set(['ticket.get']))).toThrow(/line 4: tools\.ticket\.gett: no such tool/);
  });
});

describe('rollout stages', () => {
  const staged = parsePolicy(
    `version: 1
tools:
  ticket.get: { roles: [cs_agent] }
  ticket.addNote: { roles: [cs_agent] }
rollout:
  default: off
  departments:
    pilot: { stage: writes, tools: { ticket.addNote: read_only } }
    readers: { stage: read_only }
rateLimits:
  perUser: { requestsPerMinute: 10, toolCallsPerTurn: 10, pendingApprovals: 5 }
  perDepartment: { requestsPerMinute: 100, pendingApprovals: 50 }
`,
    'policy.yaml',
  );
  it.each([
    // [department, tool, effect, allowed, stage]
    ['elsewhere', 'ticket.get', 'read', false, 'off'],
    ['readers', 'ticket.get', 'read', true, null],
    ['readers', 'ticket.addNote', 'write', false, 'read_only'],
    ['pilot', 'ticket.get', 'read', true, null],
    ['pilot', 'ticket.addNote', 'write', false, 'read_only'],
  ] as const)('%s × %s (%s) → allowed %s', (department, tool, effect, allowed, stage) => {
    const d = mayUse(person('cs_agent', ['hangzhou'], department), tool, effect, staged);
    expect(d.allowed).toBe(allowed);
    if (!d.allowed) expect(d).toMatchObject({ reason: 'rollout', stage });
  });
  it('checks the role first: a role that may not gets the role reason whatever the stage', () => {
    expect(mayUse(person('auditor', ['*'], 'pilot'), 'ticket.get', 'read', staged)).toMatchObject({ allowed: false, reason: 'role' });
  });
});

describe('approval rules', () => {
  const people = seedPrincipals;
  const alice = people.find((p) => p.id === 'alice')!;
  const carol = people.find((p) => p.id === 'carol')!;
  const ids = (ps: Principal[]) => ps.map((p) => p.id).sort();
  const hz = [{ kind: 'region' as const, id: 'hangzhou' }];

  it.each([
    [{ roles: ['manager'], departments: 'same' }, hz, ['carol']],
    [{ roles: ['manager'], departments: 'any' }, hz, ['carol', 'dave']],
    [{ roles: ['manager'], departments: ['field-hangzhou'] }, hz, ['dave']],
    // Nobody of Hangzhou may see Ningbo data: no approver, whatever the rule.
    [{ roles: ['manager'], departments: 'any' }, [{ kind: 'region' as const, id: 'ningbo' }], []],
  ] as const)('rule %j for target %j → %j', (rule, target, expected) => {
    expect(ids(approversFor(alice, people, target, { roles: [...rule.roles], departments: typeof rule.departments === 'string' ? rule.departments : [...rule.departments] }))).toEqual(expected);
  });

  it('never picks the requester, and lets only the approvers chosen decide', () => {
    expect(ids(approversFor(carol, people, hz, { roles: ['manager'], departments: 'any' }))).toEqual(['dave']);
    const erin = people.find((p) => p.id === 'erin')!;
    const pending = { requesterId: 'alice', approverIds: ['carol', 'erin'], targetScope: hz };
    expect(mayDecide(erin, pending)).toEqual({ allowed: true });
    expect(mayDecide(people.find((p) => p.id === 'dave')!, pending)).toEqual({ allowed: false, reason: 'not_approver' });
    expect(mayDecide(people.find((p) => p.id === 'bob')!, pending)).toEqual({ allowed: false, reason: 'not_manager' });
    expect(mayDecide(alice, pending)).toEqual({ allowed: false, reason: 'self_approval' });
  });

  it('refuses a rule that lets an auditor or an admin call a tool or approve, with its line', () => {
    const text = fs.readFileSync(bundledPolicyFile, 'utf8');
    const auditorReads = text.replace('ticket.get: { roles: [cs_agent, field_tech, manager] }', 'ticket.get: { roles: [cs_agent, auditor] }');
    const line = text.split('\n').findIndex((l) => l.includes('ticket.get:')) + 1;
    expect(() => parsePolicy(auditorReads, 'policy.yaml')).toThrow(new RegExp(`line ${line}: tools\\.ticket\\.get\\.roles\\.1: an admin changes policy`));
    const adminApproves = text.replace('default: { roles: [manager], departments: same }', 'default: { roles: [manager, admin], departments: same }');
    expect(() => parsePolicy(adminApproves, 'policy.yaml')).toThrow(/approvals\.default\.roles\.1: an admin changes policy/);
    expect(canCallTool(person('auditor', ['*'], 'audit'), 'recon.compareChannelBilling')).toMatchObject({ allowed: false, reason: 'role' });
  });

  it('refuses an expiry too short for a write to finish in, with its line', () => {
    const text = fs.readFileSync(bundledPolicyFile, 'utf8').replace('  tools:\n    nms.acknowledgeAlarm:', '  tools:\n    ticket.addNote: { roles: [manager], departments: any, expiresInMinutes: 5 }\n    nms.acknowledgeAlarm:');
    const registered = new Set(Object.keys(activePolicy().tools));
    expect(() => checkedPolicy(text, 'policy.yaml', registered, 60_000)).not.toThrow();
    expect(() => checkedPolicy(text, 'policy.yaml', registered, 200_000)).toThrow(/line \d+: approvals\.tools\.ticket\.addNote\.expiresInMinutes: shorter than twice/);
  });
});
