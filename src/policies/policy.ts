/**
 * The policy document (config/policy.yaml, or POLICY_FILE): who may call which tool, how far each
 * department's rollout has gone, and the rate limits. Data, enforced in code: the model never sees
 * or decides any of it. Parsed with zod; a problem is reported with the line and the field, so a
 * compliance reviewer can fix the file without reading code.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { setMaskingOptions } from './masking.js';

export const roleSchema = z.enum(['cs_agent', 'field_tech', 'manager', 'auditor', 'admin']);
/** Roles that may call tools and approve writes: an admin changes policy and approves nothing, an auditor reads and calls no tool. */
const workingRole = roleSchema.refine((r) => r !== 'admin' && r !== 'auditor', { message: 'an admin changes policy and an auditor reads the audit: neither calls tools nor approves' });
export type PolicyRole = z.infer<typeof roleSchema>;

/** How far a department's rollout has gone, for one tool or all. */
export const stageSchema = z.enum(['off', 'read_only', 'writes']);
export type RolloutStage = z.infer<typeof stageSchema>;

const toolName = z.string().regex(/^[a-z]+\.[a-zA-Z]+$/, 'a tool name like system.verb');
const positive = z.number().int().min(1);

const toolRule = z
  .object({
    /** Roles that may call (a read) or propose (a write) the tool. */
    roles: z.array(workingRole).min(1),
    /** Why the rule is what it is, for the reviewer (not used by the code). */
    note: z.string().optional(),
  })
  .strict();

const departmentRollout = z
  .object({
    /** The department's stage for every tool not listed below. */
    stage: stageSchema,
    tools: z.record(toolName, stageSchema).default({}),
  })
  .strict();

/**
 * Who approves a write: people with one of `roles`, from the requester's own department (same),
 * any department (any), or the departments listed; never the requester, and always someone who
 * has the write's target in scope (approval-rules.ts). `expiresInMinutes` replaces
 * APPROVAL_TTL_SECONDS for the tool's approvals.
 */
const departmentsRule = z.union([z.literal('same'), z.literal('any'), z.array(z.string().min(1)).min(1)]);

/**
 * A risk tier: when a fact of the write (filled by its guard from a fresh read, never by the
 * model: an alarm's severity, a notice's recipients) matches, the write needs `approvals`
 * distinct approvers, in the approvers' order (sequential) or in any order (parallel), chosen
 * from `departments` when the tier names them.
 */
const riskTier = z
  .object({
    when: z
      .object({ fact: z.string().min(1), equals: z.union([z.string(), z.number(), z.boolean()]).optional(), atLeast: z.number().optional() })
      .strict()
      .refine((w) => (w.equals === undefined) !== (w.atLeast === undefined), 'give exactly one of equals or atLeast'),
    approvals: z.number().int().min(2).max(5),
    order: z.enum(['parallel', 'sequential']),
    /**
     * Anti-splitting: an `atLeast` fact is summed over the requester's approvals of the same tool
     * created in this many minutes (pending or approved) plus this one, so many small requests
     * reach the tier one large one would.
     */
    summedOverMinutes: z.number().int().min(1).max(31 * 24 * 60).optional(),
    departments: departmentsRule.optional(),
    /** Re-authentication: each approver must have signed in at the console's identity provider this recently. */
    reauthWithinMinutes: z.number().int().min(1).max(24 * 60).optional(),
  })
  .strict();
export type RiskTier = z.infer<typeof riskTier>;

const approvalRule = z
  .object({
    roles: z.array(workingRole).min(1),
    departments: departmentsRule,
    /** The first tier whose condition holds decides; none: one approver. */
    tiers: z.array(riskTier).default([]),
    expiresInMinutes: z.number().int().min(5).max(7 * 24 * 60).optional(),
    /** Still waiting after this long: the card also goes to the next person on the roster. */
    escalateAfterMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
    /** Re-authentication for every approval of the tool (a tier may ask for it instead). */
    reauthWithinMinutes: z.number().int().min(1).max(24 * 60).optional(),
    /**
     * Opt-in bulk approval (issue 13): an approver may approve up to `maxItems` pending items of
     * this tool on one card. Only items that need exactly one approval and no fresh sign-in qualify.
     */
    bulk: z.object({ maxItems: z.number().int().min(2).max(50) }).strict().optional(),
  })
  .strict();
export type ApprovalRule = z.infer<typeof approvalRule>;

const limits = z
  .object({
    requestsPerMinute: positive,
    toolCallsPerTurn: positive,
    pendingApprovals: positive,
  })
  .strict();

/**
 * What a person may see and change (invariant 10), by the owners a tool's declared fields name
 * (tools/scope.ts: a customer, a ticket, an alarm, an OLT all come down to a region). `own`: the
 * regions or the department the directory gives the person; `all`: every one; a list: exactly
 * those. A rule replaces, it does not add: the most specific one that names the person applies
 * (their department, then the first of their roles listed, then the default), so a reviewer reads
 * one line to know a person's reach. A person whose directory regions hold '*' sees every region
 * under `own` (head office).
 */
const scopeGrant = z
  .object({
    regions: z.union([z.literal('own'), z.literal('all'), z.array(z.string().min(1)).min(1)]).default('own'),
    departments: z.union([z.literal('own'), z.literal('all'), z.array(z.string().min(1)).min(1)]).default('own'),
    note: z.string().optional(),
  })
  .strict();
export type ScopeGrant = z.infer<typeof scopeGrant>;

/**
 * Masking beyond the built-in shapes (resident ids, bank cards, mobiles: policies/masking.ts, which
 * always apply and cannot be turned off here). `patterns`: the operator's own personal numbers
 * (a broadband account, a passport, a landline), masked wherever text is stored, logged or shown,
 * keeping at most `keepStart` + `keepEnd` characters. `mobileKeep`: how much of a mobile a reply
 * shows, at most the standard 3 + 4.
 */
const maskPattern = z
  .object({
    name: z.string().min(1),
    regex: z
      .string()
      .min(3)
      .max(200)
      .superRefine((src, ctx) => {
        let re: RegExp;
        try {
          re = new RegExp(src, 'gu');
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(e as Error).message}` });
          return;
        }
        if (re.test('')) ctx.addIssue({ code: 'custom', message: 'matches the empty text: it would mask nothing and loop' });
        // Nested quantifiers ((a+)+) can take exponential time on a long text: every logged line passes here.
        if (/\([^)]*[+*][^)]*\)[+*{]/.test(src)) ctx.addIssue({ code: 'custom', message: 'nested quantifiers (like (a+)+) can take exponential time; write the pattern without them' });
      }),
    keepStart: z.number().int().min(0).max(6).default(0),
    keepEnd: z.number().int().min(0).max(4).default(4),
  })
  .strict();
const maskingSettings = z
  .object({
    patterns: z.array(maskPattern).max(20).default([]),
    mobileKeep: z.object({ start: z.number().int().min(0).max(3), end: z.number().int().min(0).max(4) }).strict().default({ start: 3, end: 4 }),
  })
  .strict();
export type MaskingSettings = z.infer<typeof maskingSettings>;

export const policySchema = z
  .object({
    version: z.literal(1),
    tools: z.record(toolName, toolRule),
    dataScope: z
      .object({
        default: scopeGrant,
        roles: z.partialRecord(roleSchema, scopeGrant).default({}),
        departments: z.record(z.string().min(1), scopeGrant).default({}),
      })
      .strict()
      // Without the section: everyone sees their own regions and department, as before there was a policy.
      .default({ default: { regions: 'own', departments: 'own' }, roles: {}, departments: {} }),
    masking: maskingSettings.default({ patterns: [], mobileKeep: { start: 3, end: 4 } }),
    approvals: z
      .object({
        default: approvalRule,
        tools: z.record(toolName, approvalRule).default({}),
      })
      .strict()
      // Without the section: a manager of the requester's department, as before there was a policy.
      .default({ default: { roles: ['manager'], departments: 'same', tiers: [] }, tools: {} }),
    rollout: z
      .object({
        /** The stage of a department not listed. */
        default: stageSchema,
        departments: z.record(z.string().min(1), departmentRollout).default({}),
      })
      .strict(),
    rateLimits: z
      .object({
        perUser: limits,
        perDepartment: limits.pick({ requestsPerMinute: true, pendingApprovals: true }),
      })
      .strict(),
  })
  .strict();
export type Policy = z.infer<typeof policySchema>;

/** A policy file that cannot be used: every problem, each with its line and field. */
export class PolicyFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line: number | null; field: string; message: string }[],
  ) {
    super(`${file}: ${problems.map((p) => `${p.line === null ? '' : `line ${p.line}: `}${p.field || '(top)'}: ${p.message}`).join('; ')}`);
    this.name = 'PolicyFileError';
  }
}

/** Parse and check a policy document; `file` names it in errors. */
export function parsePolicy(text: string, file: string): Policy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyFileError(
      file,
      doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line, field: '', message: e.message.split('\n')[0]! })),
    );
  }
  const parsed = policySchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new PolicyFileError(
      file,
      parsed.error.issues.map((issue) => {
        // The deepest node of the path that exists: the field itself, or the object missing it.
        let line: number | null = null;
        for (let n = issue.path.length; n >= 0 && line === null; n--) {
          const node = n === 0 ? doc.contents : doc.getIn(issue.path.slice(0, n) as (string | number)[], true);
          const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
          if (range) line = lineCounter.linePos(range[0]).line;
        }
        return { line, field: issue.path.join('.'), message: issue.message };
      }),
    );
  }
  return parsed.data;
}

export function readPolicyText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyFileError(file, [{ line: null, field: '', message: (err as Error).message }]);
  }
}

export function readPolicyFile(file: string): Policy {
  return parsePolicy(readPolicyText(file), file);
}

/** The demo policy shipped in the repository, beside the demo directory. */
export const bundledPolicyFile = fileURLToPath(new URL('../../config/policy.yaml', import.meta.url));

let active: Policy | undefined;

/** The policy in force in this process: the one the app loaded (and reloads), else the bundled one. */
export function activePolicy(): Policy {
  if (!active) setActivePolicy(readPolicyFile(bundledPolicyFile));
  return active!;
}

/** Install a checked policy (start-up and every good reload). */
export function setActivePolicy(policy: Policy): void {
  active = policy;
  setMaskingOptions(policy.masking);
}

/** The data-scope rule that applies to a person: their department's, else their first listed role's, else the default. */
export function scopeGrantFor(policy: Policy, person: { department: string; roles: readonly string[] }): ScopeGrant {
  const byDept = policy.dataScope.departments[person.department];
  if (byDept) return byDept;
  const roles = policy.dataScope.roles as Partial<Record<string, ScopeGrant>>;
  for (const r of person.roles) if (roles[r]) return roles[r];
  return policy.dataScope.default;
}

/** The tools a policy names that no registered tool answers to (a typo would deny silently). */
export function unknownTools(policy: Policy, registered: ReadonlySet<string>): string[] {
  const named = new Set([
    ...Object.keys(policy.tools),
    ...Object.keys(policy.approvals.tools),
    ...Object.values(policy.rollout.departments).flatMap((d) => Object.keys(d.tools)),
  ]);
  return [...named].filter((t) => !registered.has(t)).sort();
}

/** A department's stage for a tool. */
export function rolloutStage(policy: Policy, department: string, tool: string): RolloutStage {
  const d = policy.rollout.departments[department];
  return d?.tools[tool] ?? d?.stage ?? policy.rollout.default;
}

/** The approval rule of a write tool: its own, or the default. */
export function approvalRuleFor(tool: string, policy: Policy = activePolicy()): ApprovalRule {
  return policy.approvals.tools[tool] ?? policy.approvals.default;
}

/** Facts a write's guard states about it, for the risk tiers. */
export type WriteFacts = Readonly<Record<string, string | number | boolean>>;

/** The rule as it applies to one write: its approvers' departments and how many must approve, in which order. */
export function applyTier(
  rule: ApprovalRule,
  facts: WriteFacts | undefined,
  /** For a tier with summedOverMinutes: the same fact summed over the requester's recent approvals of the tool. */
  recent: (tier: RiskTier) => number = () => 0,
): ApprovalRule & { approvals: number; order: 'parallel' | 'sequential'; tier: number | null; summed: number | null } {
  let summed: number | null = null;
  const i = rule.tiers.findIndex((t) => {
    const v = facts?.[t.when.fact];
    if (v === undefined) return false;
    if (t.when.equals !== undefined) return v === t.when.equals;
    if (typeof v !== 'number') return false;
    const total = t.summedOverMinutes ? v + recent(t) : v;
    if (total >= (t.when.atLeast ?? Infinity)) {
      summed = t.summedOverMinutes ? total : null;
      return true;
    }
    return false;
  });
  const tier = i >= 0 ? rule.tiers[i]! : undefined;
  const reauth = tier?.reauthWithinMinutes ?? rule.reauthWithinMinutes;
  return {
    ...rule,
    departments: tier?.departments ?? rule.departments,
    approvals: tier?.approvals ?? 1,
    order: tier?.order ?? 'parallel',
    tier: tier ? i : null,
    summed,
    ...(reauth !== undefined && { reauthWithinMinutes: reauth }),
  };
}
