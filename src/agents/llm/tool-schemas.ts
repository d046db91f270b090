/**
 * The tools offered to the LLM, as OpenAI function tools whose parameters are made from the same
 * zod input schemas the runner validates with. Strict mode wants every property required and
 * additionalProperties false, so optional properties become nullable (and nulls are dropped again
 * before validation), a top-level union becomes one object of nullable properties, and keywords
 * strict mode refuses or that cost tokens for nothing (defaults, string lengths, $schema) go.
 *
 * Write tools are offered only as propose_<system>_<verb>: calling one yields an approval proposal.
 */
import { z } from 'zod';
import type { AnyTool } from '../../tools/define.js';
import { isPiiKey } from './pii-vault.js';

export type JsonSchema = { [k: string]: unknown };

export interface FunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: JsonSchema; strict: boolean };
}

export interface OfferedTool {
  /** Name the LLM sees (system_verb or propose_system_verb). */
  fn: string;
  tool: AnyTool;
  kind: 'read' | 'propose';
  /** What the model fills (zod), and its original JSON schema (to drop nulls that mean "not given"). */
  input: z.ZodType;
  original: JsonSchema;
  spec: FunctionTool;
}

export const functionName = (tool: AnyTool) => `${tool.effect === 'write' ? 'propose_' : ''}${tool.name.replace('.', '_')}`;

const DROP = new Set(['$schema', 'default', 'minLength', 'maxLength', 'format', 'title', 'examples']);

function nullable(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.anyOf)) {
    return (schema.anyOf as JsonSchema[]).some((s) => s.type === 'null') ? schema : { ...schema, anyOf: [...(schema.anyOf as JsonSchema[]), { type: 'null' }] };
  }
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type)) return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

/** Strict-mode form of a JSON schema node; `key` is the property name it sits under. */
function strictify(node: JsonSchema, key?: string): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k)) continue;
    // A placeholder like <MOBILE_1> must pass where personal data is expected.
    if (k === 'pattern' && key && isPiiKey(key)) continue;
    if ((k === 'minimum' || k === 'maximum') && typeof v === 'number' && Math.abs(v) >= Number.MAX_SAFE_INTEGER) continue;
    out[k] = v;
  }
  if (Array.isArray(node.anyOf)) {
    const branches = node.anyOf as JsonSchema[];
    // A union of objects (one of several ways to identify a record): one object, every property nullable.
    if (branches.length > 1 && branches.every((b) => b.type === 'object' && b.properties)) {
      const props: Record<string, JsonSchema> = {};
      for (const b of branches) for (const [p, s] of Object.entries(b.properties as Record<string, JsonSchema>)) props[p] ??= nullable(strictify(s, p));
      const ways = branches.map((b) => Object.keys(b.properties as object).join('+')).join(' | ');
      return { type: 'object', description: `Give exactly one of: ${ways}; null for the others.`, properties: props, required: Object.keys(props), additionalProperties: false };
    }
    out.anyOf = branches.map((b) => strictify(b, key));
  }
  if (node.type === 'object' && node.properties) {
    const required = new Set((node.required as string[] | undefined) ?? []);
    const props: Record<string, JsonSchema> = {};
    for (const [p, s] of Object.entries(node.properties as Record<string, JsonSchema>)) {
      const strict = strictify(s, p);
      props[p] = required.has(p) ? strict : nullable(strict);
    }
    out.properties = props;
    out.required = Object.keys(props);
    out.additionalProperties = false;
  }
  if (node.items && typeof node.items === 'object') out.items = strictify(node.items as JsonSchema);
  return out;
}

export function strictParameters(input: z.ZodType): JsonSchema {
  return strictify(z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
}

/** Drop nulls the model used for "not given" (properties it was not required to give). */
export function dropNulls(value: unknown, original: JsonSchema): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const orig = original as { properties?: Record<string, JsonSchema>; required?: string[]; anyOf?: JsonSchema[] };
  const branches = orig.anyOf ?? [orig];
  const props: Record<string, JsonSchema> = {};
  const required = new Set<string>();
  for (const b of branches as { properties?: Record<string, JsonSchema>; required?: string[] }[]) {
    Object.assign(props, b.properties ?? {});
    if (branches.length === 1) for (const r of b.required ?? []) required.add(r);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null && !required.has(k)) continue;
    out[k] = props[k] ? dropNulls(v, props[k]) : v;
  }
  return out;
}

export interface OfferOptions {
  /** Replace a write tool's input schema by what the model may fill (the rest is filled server-side). */
  proposalInput?(tool: AnyTool): z.ZodType | undefined;
  strict?: boolean;
}

export function offerTools(tools: AnyTool[], opts: OfferOptions = {}): OfferedTool[] {
  return tools.map((tool) => {
    const input = tool.effect === 'write' ? (opts.proposalInput?.(tool) ?? tool.input) : tool.input;
    const parameters = strictParameters(input);
    const fn = functionName(tool);
    const description =
      tool.effect === 'write'
        ? `${tool.description} Proposes the write for a manager's approval; nothing is written by this call.`
        : tool.description;
    return {
      fn,
      tool,
      kind: tool.effect === 'write' ? 'propose' : 'read',
      input,
      original: originalParameters(input),
      spec: { type: 'function', function: { name: fn, description, parameters, strict: opts.strict ?? true } },
    };
  });
}

/** The original (non-strict) JSON schema of what the model fills, for dropNulls. */
export function originalParameters(input: z.ZodType): JsonSchema {
  return z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}
