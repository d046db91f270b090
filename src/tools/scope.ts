/**
 * Data scope as data (invariant 10). Every tool declares, beside its schemas, which input and
 * output fields carry region, department or customer ownership; derived owners (an OLT name, a
 * ticket id, a customer's mobile) come from the small named resolvers below, never from guessing
 * at a shape. The runner (tools/runner.ts) enforces the declaration for every call with the
 * caller it was given: inputs before the call, outputs after it. What the caller may see is a
 * pure policy (policies/access.ts canSeeOwner).
 *
 * Lists: every element is checked; one out-of-scope element refuses the whole call (a list
 * quietly shortened would misstate its totals, and the user is better told what was refused).
 */
import { z } from 'zod';
import type { Principal } from '../policies/principals.js';
import { ownersOutOfScope, seesEveryRegion, type ScopeOwner } from '../policies/access.js';
import { BusinessError } from './errors.js';
import { customerSchema, getNumberStatusOutput } from './crm/schemas.js';
import { alarmSchema } from './nms/schemas.js';
import { getTicketOutput } from './ticket/schemas.js';

export type ScopeKind = 'region' | 'department' | 'customer';

/** One scope-bearing field. `path` is dot-separated; `name[]` walks every element of a list. */
export interface ScopeField {
  path: string;
  kind: ScopeKind;
  /** How to turn the field's value into its owner when it is not a region/department id itself. */
  via?: ResolverName;
}

/** A tool's declaration: its scope-bearing fields, or why it has none. */
export type ToolScope = { input: readonly ScopeField[]; output: readonly ScopeField[] } | { none: string };

/** Who a call is for. System-internal calls (a resolver's read, the CLI's operator) name why. */
export type ToolCaller = { principal: Principal } | { system: string };
export const systemCaller = (reason: string): ToolCaller => ({ system: reason });

export type ScopePhase = 'input' | 'output' | 'approver' | 'execution';
export type ScopeDenialReason = 'out_of_scope' | 'unresolved' | 'no_caller';

/**
 * The caller may not see or change this data. A BusinessError (never retried); its message and
 * fields name what was refused (the tool, the owning region) and never the data itself.
 */
export class ScopeDenied extends BusinessError {
  constructor(
    readonly tool: string,
    readonly phase: ScopePhase,
    readonly reason: ScopeDenialReason,
    readonly owners: readonly ScopeOwner[],
    /** For lists: how many elements were out of scope, of how many. */
    readonly count?: { denied: number; of: number },
  ) {
    const what = owners.map((o) => `${o.kind} ${o.id}`).join(', ');
    super(
      'out_of_scope',
      reason === 'no_caller'
        ? `数据权限 / Data scope: ${tool} called without a caller`
        : reason === 'unresolved'
          ? `数据权限 / Data scope: the owner of ${tool}'s ${phase} could not be determined`
          : `数据权限 / Data scope: ${tool} ${phase} belongs to ${what}${count ? ` (${count.denied} of ${count.of})` : ''}`,
      { tool, phase, reason, owners: owners.map((o) => ({ ...o })), ...(count && { count }) },
    );
  }
}

export function isScopeDenied(e: unknown): e is ScopeDenied {
  return e instanceof ScopeDenied;
}

// ---------------------------------------------------------------------------------------------
// Resolvers: derived owners. Each one names the read tools it may call (system-internal, through
// the runner, so the read is recorded like any other) so a table test can see the whole graph.

export interface ResolveContext {
  /** Run a read tool as a system-internal call on behalf of this scope check. */
  read(tool: string, input: unknown): Promise<unknown>;
}

/** A region code in network element names (OLT-HZ-01): the resource inventory's naming rule. */
export const neRegionCodes: Readonly<Record<string, string>> = { HZ: 'hangzhou', NB: 'ningbo', WZ: 'wenzhou' };

class Unresolved extends Error {}

function neRegion(value: unknown): ScopeOwner {
  const m = typeof value === 'string' ? /^OLT-([A-Z]{2})-\d{1,3}\b/.exec(value.trim().toUpperCase()) : null;
  const region = m ? neRegionCodes[m[1]!] : undefined;
  if (!region) throw new Unresolved();
  return { kind: 'region', id: region };
}

const region = (id: string | null): ScopeOwner | null => (id ? { kind: 'region', id } : null);

async function mobileRegion(v: unknown, ctx: ResolveContext): Promise<ScopeOwner | null> {
  return region(getNumberStatusOutput.parse(await ctx.read('crm.getNumberStatus', { mobile: v })).region);
}

interface Resolver {
  /** Read tools it calls (none: a pure function of the value). */
  reads: readonly string[];
  resolve(value: unknown, ctx: ResolveContext): ScopeOwner | null | Promise<ScopeOwner | null>;
}

export const scopeResolvers = {
  /** An OLT / NE name: its region code. */
  oltRegion: { reads: [], resolve: neRegion },
  /** A ticket's access port "OLT-HZ-01 0/1/3": the OLT's region. */
  accessPortRegion: { reads: [], resolve: (v) => neRegion(typeof v === 'string' ? v.split(/\s+/)[0] : v) },
  /** A ticket id: the ticket's region, read from the ticket system. */
  ticketRegion: {
    reads: ['ticket.get'],
    resolve: async (v, ctx) => region(getTicketOutput.parse(await ctx.read('ticket.get', { ticketId: v })).ticket.region),
  },
  /** An alarm id: the region of the NE that raised it. */
  alarmRegion: {
    reads: ['nms.getAlarm'],
    resolve: async (v, ctx) => neRegion(alarmSchema.parse(await ctx.read('nms.getAlarm', { alarmId: v })).ne),
  },
  /** A mobile number: the region of the customer it belongs to (none for an unassigned number). */
  mobileRegion: { reads: ['crm.getNumberStatus'], resolve: mobileRegion },
  /** A customer reference ({customerId} | {mobile}): the customer's region. */
  customerRegion: {
    reads: ['crm.getCustomer', 'crm.getNumberStatus'],
    resolve: async (v, ctx) => {
      const ref = z.union([z.object({ customerId: z.string() }), z.object({ mobile: z.string() })]).parse(v);
      if ('mobile' in ref) return mobileRegion(ref.mobile, ctx);
      return region(customerSchema.parse(await ctx.read('crm.getCustomer', { customerId: ref.customerId })).region);
    },
  },
} satisfies Record<string, Resolver>;
export type ResolverName = keyof typeof scopeResolvers;

// ---------------------------------------------------------------------------------------------
// Declaration checks, at defineTool() time: a tool that declares nothing, names an unknown
// resolver or a path its schema does not have, does not register.

export function validateScope(tool: { name: string; scope?: ToolScope; input: z.ZodType; output: z.ZodType }): void {
  const scope = tool.scope;
  if (!scope) throw new Error(`tool ${tool.name} declares no data scope (scope: { input, output } or { none: reason })`);
  if ('none' in scope) {
    if (typeof scope.none !== 'string' || scope.none.trim().length < 10) throw new Error(`tool ${tool.name}: scope 'none' needs a reason`);
    return;
  }
  for (const [side, fields, schema] of [['input', scope.input, tool.input], ['output', scope.output, tool.output]] as const) {
    for (const f of fields) {
      const where = `tool ${tool.name} scope.${side} ${f.path}`;
      if (f.via !== undefined && !(f.via in scopeResolvers)) throw new Error(`${where}: unknown resolver ${String(f.via)}`);
      if (f.kind === 'customer' && !f.via) throw new Error(`${where}: a customer field needs a resolver (via)`);
      // Outputs are checked inside the retry loop: only pure resolvers there.
      if (side === 'output' && f.via && scopeResolvers[f.via].reads.length > 0) throw new Error(`${where}: output resolvers must not read`);
      if (!schemaHasPath(schema, f.path.split('.'))) throw new Error(`${where}: no such field in the ${side} schema`);
    }
  }
  if (scope.input.length + scope.output.length === 0) throw new Error(`tool ${tool.name}: an empty scope; say { none: reason } instead`);
}

interface ZodDefLike {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  valueType?: z.ZodType;
}
const defOf = (s: z.ZodType): ZodDefLike => (s as unknown as { _zod: { def: ZodDefLike } })._zod.def;

function schemaHasPath(schema: z.ZodType, segs: readonly string[]): boolean {
  const d = defOf(schema);
  switch (d.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return schemaHasPath(d.innerType!, segs);
    case 'pipe':
      return (d.in !== undefined && defOf(d.in).type !== 'transform' && schemaHasPath(d.in, segs)) || (d.out !== undefined && defOf(d.out).type !== 'transform' && schemaHasPath(d.out, segs));
    case 'union':
      return (d.options ?? []).some((o) => schemaHasPath(o, segs));
    case 'intersection':
      return schemaHasPath(d.left!, segs) || schemaHasPath(d.right!, segs);
  }
  if (segs.length === 0) return true;
  const [head, ...rest] = segs as [string, ...string[]];
  const list = head.endsWith('[]');
  const key = list ? head.slice(0, -2) : head;
  if (d.type !== 'object' || !d.shape || !(key in d.shape)) return false;
  const child = d.shape[key]!;
  if (!list) return schemaHasPath(child, rest);
  const arr = unwrapToArray(child);
  return arr !== null && schemaHasPath(arr, rest);
}

function unwrapToArray(s: z.ZodType): z.ZodType | null {
  const d = defOf(s);
  if (d.type === 'array') return d.element!;
  if (d.innerType) return unwrapToArray(d.innerType);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Enforcement.

/** Values at a path; undefined (an absent optional field or union branch) yields nothing. */
function valuesAt(value: unknown, segs: readonly string[]): unknown[] {
  if (value === undefined) return [];
  if (segs.length === 0) return [value];
  if (value === null || typeof value !== 'object') return [];
  const [head, ...rest] = segs as [string, ...string[]];
  const list = head.endsWith('[]');
  const child = (value as Record<string, unknown>)[list ? head.slice(0, -2) : head];
  if (!list) return valuesAt(child, rest);
  return Array.isArray(child) ? child.flatMap((c) => valuesAt(c, rest)) : [];
}

/** Owners of every declared field of one side, one entry per value (a list gives one per element). */
export async function ownersOf(
  fields: readonly ScopeField[],
  value: unknown,
  ctx: ResolveContext,
): Promise<{ owners: (ScopeOwner | null)[]; unresolved: number }> {
  const owners: (ScopeOwner | null)[] = [];
  let unresolved = 0;
  for (const f of fields) {
    for (const v of valuesAt(value, f.path.split('.'))) {
      if (v === null || v === '') {
        owners.push(null); // no owner recorded (an unassigned number, a ticket without region)
        continue;
      }
      try {
        if (f.via) owners.push(await scopeResolvers[f.via].resolve(v, ctx));
        else if (typeof v === 'string') owners.push({ kind: f.kind === 'department' ? 'department' : 'region', id: v });
        else throw new Unresolved();
      } catch (e) {
        if (!(e instanceof Unresolved) && !(e instanceof z.ZodError)) throw e; // a resolver's read failed: that error, as is
        unresolved++;
      }
    }
  }
  return { owners, unresolved };
}

/**
 * Check one side of a call against the caller; returns the owners found (the write's target
 * scope, for the approval row). Throws ScopeDenied. Resolved for every caller, a system one and an
 * all-region ('*') principal included: the owners are also what a write's approvers must have.
 */
export async function enforceScope(
  tool: { name: string; scope?: ToolScope },
  phase: 'input' | 'output',
  value: unknown,
  caller: ToolCaller,
  ctx: ResolveContext,
): Promise<ScopeOwner[]> {
  const scope = tool.scope;
  if (!scope) throw new ScopeDenied(tool.name, phase, 'unresolved', []);
  if ('none' in scope) return [];
  const fields = phase === 'input' ? scope.input : scope.output;
  if (fields.length === 0) return [];
  const { owners, unresolved } = await ownersOf(fields, value, ctx);
  const found = dedupe(owners.filter((o): o is ScopeOwner => o !== null));
  if (!('principal' in caller)) return found;
  const p = caller.principal;
  if (unresolved > 0 && !seesEveryRegion(p)) throw new ScopeDenied(tool.name, phase, 'unresolved', []);
  const denied = ownersOutOfScope(p, found);
  if (denied.length > 0) {
    const deniedCount = owners.filter((o) => o !== null && ownersOutOfScope(p, [o]).length > 0).length;
    throw new ScopeDenied(tool.name, phase, 'out_of_scope', denied, owners.length > 1 ? { denied: deniedCount, of: owners.length } : undefined);
  }
  return found;
}

/** A write's recorded target scope against a principal (approver at decide, requester at execution). */
export function checkTargetScope(tool: string, phase: 'approver' | 'execution', principal: Principal, target: readonly ScopeOwner[] | null): void {
  if (target === null) {
    if (!seesEveryRegion(principal)) throw new ScopeDenied(tool, phase, 'unresolved', []);
    return;
  }
  const denied = ownersOutOfScope(principal, target);
  if (denied.length > 0) throw new ScopeDenied(tool, phase, 'out_of_scope', denied);
}

function dedupe(owners: readonly ScopeOwner[]): ScopeOwner[] {
  const m = new Map<string, ScopeOwner>();
  for (const o of owners) m.set(`${o.kind}:${o.id}`, o);
  return [...m.values()];
}
