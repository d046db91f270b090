/**
 * crm.getCustomer against the sandbox through the real runtime: normal, abnormal and boundary
 * cases (DOMAIN.md test-case sets). One harness for the file; tests run in order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '../../sandbox/seed.js';
import type { SandboxState } from '../../sandbox/state.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';

let h: ToolHarness;
let state: SandboxState;
beforeAll(async () => {
  h = await startToolHarness({ RPA_BREAKER_THRESHOLD: '100' });
  state = h.sandbox.state;
}, 60_000);
afterAll(() => h?.close());
afterEach(() => h.sandbox.faults.reset());

describe('crm.getCustomer', () => {
  it('finds the same customer by id, by mobile and by broadband account (normal), in layout b (boundary)', async () => {
    const byId = (await h.run('crm.getCustomer', { customerId: 'C000123' })).output;
    expect(byId).toMatchObject({ customerId: 'C000123', status: 'ACTIVE', realNameVerified: true, broadbandAccount: 'hz81000123', region: 'hangzhou' });
    expect((await h.run('crm.getCustomer', { mobile: demo.customer.mobile })).output).toEqual(byId);
    h.sandbox.faults.set({ system: 'crm', layout: 'b' });
    expect((await h.run('crm.getCustomer', { broadbandAccount: 'hz81000123' })).output).toEqual(byId);
  });

  it('answers not_found for an unknown customer or mobile (abnormal); a mobile written +86 138-5710-1234 finds the customer (boundary)', async () => {
    expect((await h.fail('crm.getCustomer', { customerId: 'C999999' })).code).toBe('not_found');
    const unused = ['13900000000', '13900000001', '13900000002'].find((m) => !state.customers.some((c) => c.mobile === m))!;
    expect((await h.fail('crm.getCustomer', { mobile: unused })).code).toBe('not_found');
    const m = demo.customer.mobile;
    const written = `+86 ${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`;
    expect((await h.run('crm.getCustomer', { mobile: written })).output).toMatchObject({ customerId: 'C000123' });
    expect((await h.fail('crm.getCustomer', { mobile: '1385710123' })).code).toBe('invalid_input');
  });
});
