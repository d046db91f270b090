import { describe, expect, it } from 'vitest';
import { legacyTools } from '../../tools/catalog.js';
import { dropNulls, offerTools, type JsonSchema } from './tool-schemas.js';
import { proposalInput } from './proposals.js';
import { approxJsonTokens } from './tokens.js';

const offered = offerTools([...legacyTools], { proposalInput });

function walk(node: JsonSchema, visit: (n: JsonSchema) => void): void {
  visit(node);
  for (const v of Object.values((node.properties as Record<string, JsonSchema>) ?? {})) walk(v, visit);
  for (const v of (node.anyOf as JsonSchema[]) ?? []) walk(v, visit);
  if (node.items) walk(node.items as JsonSchema, visit);
}

describe('tools offered to the LLM', () => {
  it('are strict-mode schemas: objects closed, every property required, no refused keywords', () => {
    for (const o of offered) {
      const params = o.spec.function.parameters;
      expect(params.type, o.fn).toBe('object');
      walk(params, (n) => {
        for (const k of ['default', 'minLength', 'maxLength', '$schema']) expect(n, `${o.fn} has ${k}`).not.toHaveProperty(k);
        if (n.type === 'object' || (Array.isArray(n.type) && n.type.includes('object'))) {
          expect(n.additionalProperties, o.fn).toBe(false);
          expect([...(n.required as string[])].sort(), o.fn).toEqual(Object.keys(n.properties as object).sort());
        }
        if (typeof n.maximum === 'number') expect(n.maximum).toBeLessThan(Number.MAX_SAFE_INTEGER);
      });
    }
  });

  it('name functions by tool, offer writes only as proposals without the server-filled guard', () => {
    expect(offered.map((o) => o.fn)).toEqual(legacyTools.map((t) => (t.effect === 'write' ? 'propose_' : '') + t.name.replace('.', '_')));
    expect(offered.map((o) => o.fn).slice(0, 5)).toEqual(['resource_getPort', 'nms_listAlarms', 'ticket_get', 'crm_getCustomer', 'propose_ticket_updateFields']);
    const propose = offered.find((o) => o.kind === 'propose')!;
    expect(Object.keys(propose.spec.function.parameters.properties as object)).toEqual(['ticketId', 'fields']);
    expect(propose.spec.function.description).toMatch(/approval/);
    // Every write is offered as a proposal, and none lets the model fill the stale-state guard.
    for (const o of offered.filter((x) => x.tool.effect === 'write')) {
      expect(o.kind, o.fn).toBe('propose');
      expect(Object.keys(o.spec.function.parameters.properties as object), o.fn).not.toContain('expected');
    }
  });

  it('let a placeholder through where a mobile number is expected', () => {
    const crm = offered.find((o) => o.fn === 'crm_getCustomer')!;
    expect((crm.spec.function.parameters.properties as Record<string, JsonSchema>).mobile).not.toHaveProperty('pattern');
  });

  // 17 tools since issue 3 (a manager is offered all of them): about 3,000 tokens in all.
  it('stay under 3,200 tokens in total and 300 per tool', () => {
    expect(approxJsonTokens(offered.map((o) => o.spec))).toBeLessThan(3200);
    for (const o of offered) expect(approxJsonTokens(o.spec), o.fn).toBeLessThan(300);
  });

  it('turn the model\'s nulls back into valid tool input for each way of calling', () => {
    const port = offered.find((o) => o.fn === 'resource_getPort')!;
    expect(port.tool.input.parse(dropNulls({ olt: 'olt-hz-01', fsp: '0/1/3', broadbandAccount: null }, port.original))).toEqual({ olt: 'OLT-HZ-01', fsp: '0/1/3' });
    expect(port.tool.input.parse(dropNulls({ olt: null, fsp: null, broadbandAccount: 'hz81000123' }, port.original))).toEqual({ broadbandAccount: 'hz81000123' });
    const alarms = offered.find((o) => o.fn === 'nms_listAlarms')!;
    expect(alarms.tool.input.parse(dropNulls({ ne: 'OLT-HZ-01', object: null, state: null, limit: null }, alarms.original))).toEqual({ ne: 'OLT-HZ-01', object: null, state: 'active', since: null, limit: 100 });
    const propose = offered.find((o) => o.kind === 'propose')!;
    expect(propose.input.parse(dropNulls({ ticketId: 'T20261124-0012', fields: { broadbandAccount: 'hz81000123', address: null, accessPort: null, onuSn: null } }, propose.original))).toEqual({
      ticketId: 'T20261124-0012',
      fields: { broadbandAccount: 'hz81000123' },
    });
  });
});
