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

export const policySchema = z
  .object({
    version: z.literal(1),
    tools: z.record(toolName, toolRule),
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
  active ??= readPolicyFile(bundledPolicyFile);
  return active;
}

/** Install a checked policy (start-up and every good reload). */
export function setActivePolicy(policy: Policy): void {
  active = policy;
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
  return { ...rule, departments: tier?.departments ?? rule.departments, approvals: tier?.approvals ?? 1, order: tier?.order ?? 'parallel', tier: tier ? i : null, summed };
}
