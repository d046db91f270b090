import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { canCallTool, canSeeOwner, mayUse, ownersOutOfScope, scopeFilterOf, seesEveryRegion } from './access.js';
import { PolicyFileError, activePolicy, approvalRuleFor, bundledPolicyFile, parsePolicy, readPolicyFile, rolloutStage, setActivePolicy } from './policy.js';
import { hasPersonalNumber, maskDeep, maskText, type MaskCounts } from './masking.js';
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
  'workorder.teams': ['cs_agent', 'field_tech', 'manager'],
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

/** The smallest good policy file (8 lines): the tests below add a section and count lines from here. */
const MINIMAL_POLICY = `version: 1
tools:
  ticket.get: { roles: [cs_agent] }
rollout:
  default: writes
rateLimits:
  perUser: { requestsPerMinute: 10, toolCallsPerTurn: 10, pendingApprovals: 5 }
  perDepartment: { requestsPerMinute: 100, pendingApprovals: 50 }
`;

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
  const base = MINIMAL_POLICY;

  it('accepts the minimal good file and the shipped one', () => {
    expect(parsePolicy(base, 'policy.yaml').tools['ticket.get']!.roles).toEqual(['cs_agent']);
    expect(Object.keys(good.tools).length).toBe(19);
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
    const text = fs.readFileSync(bundledPolicyFile, 'utf8').replace('  tools:\n    nms.acknowledgeAlarm:', '  tools:\n    workorder.dispatch: { roles: [manager], departments: any, expiresInMinutes: 5 }\n    nms.acknowledgeAlarm:');
    const registered = new Set(Object.keys(activePolicy().tools));
    expect(() => checkedPolicy(text, 'policy.yaml', registered, 60_000)).not.toThrow();
    expect(() => checkedPolicy(text, 'policy.yaml', registered, 200_000)).toThrow(/line \d+: approvals\.tools\.workorder\.dispatch\.expiresInMinutes: shorter than twice/);
  });

  it('bulk approval is opt-in per tool: on for ticket notes and updates, off for alarm acks and SMS; a bad setting is refused with its line', () => {
    expect(approvalRuleFor('ticket.updateFields').bulk).toEqual({ maxItems: 20 });
    expect(approvalRuleFor('ticket.addNote').bulk).toEqual({ maxItems: 20 });
    expect(approvalRuleFor('nms.acknowledgeAlarm').bulk).toBeUndefined();
    expect(approvalRuleFor('sms.sendNotice').bulk).toBeUndefined();
    const text = fs.readFileSync(bundledPolicyFile, 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('ticket.addNote: { roles: [manager]')) + 1;
    for (const bad of ['bulk: { maxItems: 1 }', 'bulk: { maxItems: 500 }', 'bulk: { max: 5 }', 'bulk: true']) {
      const changed = text.replace('ticket.addNote: { roles: [manager], departments: same, bulk: { maxItems: 20 } }', `ticket.addNote: { roles: [manager], departments: same, ${bad} }`);
      expect(() => parsePolicy(changed, 'policy.yaml')).toThrow(new RegExp(`line ${line}: approvals\\.tools\\.ticket\\.addNote\\.bulk`));
    }
  });
});

describe('data-scope rules (policy dataScope)', () => {
  const base = MINIMAL_POLICY;
  const withScope = (section: string) => parsePolicy(`${base}dataScope:\n${section}`, 'policy.yaml');
  const region = (id: string) => ({ kind: 'region', id }) as const;
  const dept = (id: string) => ({ kind: 'department', id }) as const;

  it('without the section, everyone sees their own regions and department (the shipped policy says the same)', () => {
    for (const policy of [parsePolicy(base, 'policy.yaml'), activePolicy()]) {
      const alice = person('cs_agent');
      expect(canSeeOwner(alice, region('hangzhou'), policy)).toBe(true);
      expect(canSeeOwner(alice, region('ningbo'), policy)).toBe(false);
      expect(canSeeOwner(alice, dept('cs-hangzhou'), policy)).toBe(true);
      expect(canSeeOwner(alice, dept('field-hangzhou'), policy)).toBe(false);
    }
  });

  // [rule, person, owner, sees]: the most specific rule replaces, it does not add.
  const policy = withScope(`  default: { regions: own }
  roles:
    field_tech: { regions: [hangzhou, ningbo], note: technicians cover the neighbouring region }
    manager: { regions: all, departments: all }
  departments:
    noc-province: { regions: all }
    cs-trial: { regions: [wenzhou] }
`);
  it.each([
    ['default own', person('cs_agent'), region('hangzhou'), true],
    ['default own', person('cs_agent'), region('ningbo'), false],
    ['role list', person('field_tech', ['hangzhou'], 'field-hangzhou'), region('ningbo'), true],
    ['role list', person('field_tech', ['hangzhou'], 'field-hangzhou'), region('wenzhou'), false],
    ['role list replaces the directory', person('field_tech', ['wenzhou'], 'field-wenzhou'), region('wenzhou'), false],
    ['role all', person('manager'), region('wenzhou'), true],
    ['role all departments', person('manager'), dept('field-ningbo'), true],
    ['department all', person('cs_agent', ['hangzhou'], 'noc-province'), region('wenzhou'), true],
    ['department beats role', { ...person('manager', ['hangzhou'], 'cs-trial') }, region('hangzhou'), false],
    ['department beats role', { ...person('manager', ['hangzhou'], 'cs-trial') }, region('wenzhou'), true],
    ["directory '*' under own", person('auditor', ['*'], 'audit'), region('wenzhou'), true],
  ] as const)('%s: %s of %s sees %j → %s', (_rule, p, owner, sees) => {
    expect(canSeeOwner(p, owner, policy)).toBe(sees);
    expect(ownersOutOfScope(p, [owner, owner], policy)).toEqual(sees ? [] : [owner]);
  });

  it('gives a query the same answers as canSeeOwner (scopeFilterOf: what a paged list filters in SQL)', () => {
    // The SQL in store/approvals-repo.ts: an owner passes when its kind's list is null (every one) or names it.
    const passes = (f: ReturnType<typeof scopeFilterOf>, o: { kind: 'region' | 'department'; id: string }) => {
      const list = o.kind === 'region' ? f.regions : f.departments;
      return list === null || list.includes(o.id);
    };
    const people = [
      person('cs_agent'),
      person('field_tech', ['hangzhou'], 'field-hangzhou'),
      person('field_tech', ['wenzhou'], 'field-wenzhou'),
      person('manager'),
      person('cs_agent', ['hangzhou'], 'noc-province'),
      person('manager', ['hangzhou'], 'cs-trial'),
      person('auditor', ['*'], 'audit'),
      person('manager', ['*'], 'cs-hangzhou'),
    ];
    const owners: { kind: 'region' | 'department'; id: string }[] = [...['hangzhou', 'ningbo', 'wenzhou', '*'].map(region), ...['cs-hangzhou', 'field-hangzhou', 'audit', 'noc-province'].map(dept)];
    for (const pol of [policy, parsePolicy(base, 'policy.yaml'), withScope('  default: { regions: own, departments: [audit, cs-hangzhou] }\n')]) {
      for (const p of people) {
        const f = scopeFilterOf(p, pol);
        for (const o of owners) expect(passes(f, o), `${p.roles[0]} ${p.department} ${p.regions.join()} ${o.kind}:${o.id}`).toBe(canSeeOwner(p, o, pol));
        expect(f.regions === null).toBe(seesEveryRegion(p, pol));
      }
    }
  });

  it('picks approvers by the rule: a manager whose rule reaches the target may approve, one whose rule does not may not', () => {
    const scoped = withScope(`  default: { regions: own }
  departments:
    field-hangzhou: { regions: [hangzhou] }
    field-ningbo: { regions: all }
`);
    const requester = person('field_tech', ['ningbo'], 'field-ningbo');
    const hzManager = { ...person('manager', ['hangzhou', 'ningbo'], 'field-hangzhou'), id: 'hz-m' };
    const nbManager = { ...person('manager', ['ningbo'], 'field-ningbo'), id: 'nb-m' };
    setActivePolicy(scoped);
    try {
      const chosen = approversFor(requester, [hzManager, nbManager], [region('ningbo')], { roles: ['manager'], departments: 'any' }).map((p) => p.id);
      // The Hangzhou manager's directory lists Ningbo, but the department's rule says Hangzhou only.
      expect(chosen).toEqual(['nb-m']);
      expect(mayDecide(hzManager, { requesterId: requester.id, approverIds: ['hz-m'], targetScope: [region('ningbo')] })).toEqual({ allowed: false, reason: 'out_of_scope' });
      // An approval whose target is unknown: only someone who sees every region may decide.
      expect(mayDecide(nbManager, { requesterId: requester.id, approverIds: ['nb-m'], targetScope: null })).toEqual({ allowed: true });
    } finally {
      setActivePolicy(readPolicyFile(bundledPolicyFile));
    }
  });

  it('refuses a bad rule with its line and field', () => {
    const bad = (section: string) => {
      try {
        withScope(section);
      } catch (err) {
        return (err as PolicyFileError).problems;
      }
      throw new Error('accepted');
    };
    expect(bad('  default: { regions: everywhere }\n')).toEqual([{ line: 10, field: 'dataScope.default.regions', message: expect.any(String) }]);
    expect(bad('  default: { regions: own }\n  roles:\n    janitor: { regions: all }\n')[0]).toMatchObject({ line: 12, field: 'dataScope.roles' });
    expect(bad('  default: { regions: [] }\n')[0]).toMatchObject({ line: 10, field: 'dataScope.default.regions' });
    expect(bad('  default: { region: own }\n')[0]).toMatchObject({ line: 10, field: 'dataScope.default' });
  });
});

describe('masking settings (policy masking)', () => {
  const base = `${MINIMAL_POLICY}masking:\n`;
  const problemsOf = (section: string) => {
    try {
      parsePolicy(base + section, 'policy.yaml');
    } catch (err) {
      return (err as PolicyFileError).problems;
    }
    throw new Error('accepted');
  };
  afterEach(() => setActivePolicy(readPolicyFile(bundledPolicyFile)));

  it("masks the operator's own patterns everywhere maskText runs, on top of the built-in shapes", () => {
    setActivePolicy(parsePolicy(`${base}  patterns:\n    - { name: landline, regex: '0571-[0-9]{8}', keepStart: 0, keepEnd: 4 }\n`, 'policy.yaml'));
    const counts: MaskCounts = { residentIds: 0, mobiles: 0, bankCards: 0 };
    expect(maskText('座机 0571-88881234，手机 13812345678', counts)).toBe('座机 *********1234，手机 138****5678');
    expect(counts).toMatchObject({ mobiles: 1, patterns: 1 });
    expect(hasPersonalNumber('tel 0571-88881234')).toBe(true);
    expect(maskDeep({ note: ['0571-88881234'] })).toEqual({ note: ['*********1234'] });
  });

  it('the shipped policy masks a passport number and leaves ids alone', () => {
    activePolicy();
    expect(maskText('护照 E12345678 工单 T20261124-0012 告警 ALM900001')).toBe('护照 E******78 工单 T20261124-0012 告警 ALM900001');
  });

  it('keeps never more than half of a short match, whatever the pattern says', () => {
    setActivePolicy(parsePolicy(`${base}  patterns:\n    - { name: code, regex: 'K[0-9]{3}', keepStart: 4, keepEnd: 4 }\n`, 'policy.yaml'));
    expect(maskText('K123')).toBe('K**3');
  });

  it('shows less of a mobile when the policy says so, never more', () => {
    setActivePolicy(parsePolicy(`${base}  mobileKeep: { start: 3, end: 2 }\n`, 'policy.yaml'));
    expect(maskText('13812345678')).toBe('138******78');
    expect(problemsOf('  mobileKeep: { start: 4, end: 4 }\n')[0]).toMatchObject({ line: 10, field: 'masking.mobileKeep.start' });
  });

  it('refuses a pattern that would not compile, matches nothing, or can take exponential time, with its line', () => {
    expect(problemsOf("  patterns:\n    - { name: x, regex: '([0-9]' }\n")[0]).toMatchObject({ line: 11, field: 'masking.patterns.0.regex', message: expect.stringContaining('not a regular expression') });
    expect(problemsOf("  patterns:\n    - { name: x, regex: '[0-9]*' }\n")[0]).toMatchObject({ line: 11, message: expect.stringContaining('empty') });
    expect(problemsOf("  patterns:\n    - { name: x, regex: '([0-9]+)+K' }\n")[0]).toMatchObject({ line: 11, message: expect.stringContaining('exponential') });
    expect(problemsOf("  patterns:\n    - { name: x, regex: 'K[0-9]{4}', keepEnd: 9 }\n")[0]).toMatchObject({ line: 11, field: 'masking.patterns.0.keepEnd' });
  });
});
