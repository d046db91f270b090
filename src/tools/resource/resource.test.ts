/**
 * resource.getPort against the sandbox through the real runtime: normal, abnormal and boundary
 * cases (DOMAIN.md test-case sets). One harness for the file; tests run in order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

type PortOut = { olt: string; fsp: string; rxPowerDbm: number | null; rxBand: string; onuSn: string | null; broadbandAccount: string | null };

describe('resource.getPort', () => {
  it('reads the demo port by OLT + F/S/P and by broadband account (normal)', async () => {
    const byFsp = (await h.run('resource.getPort', { olt: 'olt-hz-01', fsp: '0/1/3' })).output as PortOut;
    expect(byFsp).toMatchObject({ olt: 'OLT-HZ-01', fsp: '0/1/3', rxPowerDbm: -26.4, rxBand: 'marginal', onuSn: 'HWTC1A2B3C4D', broadbandAccount: 'hz81000123' });
    expect((await h.run('resource.getPort', { broadbandAccount: 'hz81000123' })).output).toEqual(byFsp);
  });

  it('answers not_found for an unknown port or account, invalid_input for a bad F/S/P (abnormal)', async () => {
    expect((await h.fail('resource.getPort', { olt: 'OLT-HZ-01', fsp: '0/9/9' })).code).toBe('not_found');
    expect((await h.fail('resource.getPort', { broadbandAccount: 'hz89999999' })).code).toBe('not_found');
    expect((await h.fail('resource.getPort', { olt: 'OLT-HZ-01', fsp: '1-3' })).code).toBe('invalid_input');
  });

  it('classifies Rx power at the band edges, and no reading as fault, in layout b (boundary)', async () => {
    const noReading = (await h.run('resource.getPort', { olt: 'OLT-HZ-02', fsp: '0/2/7' })).output as PortOut;
    expect(noReading).toMatchObject({ rxPowerDbm: null, rxBand: 'fault' });
    h.sandbox.faults.set({ system: 'resource', layout: 'b' });
    const port = state.ports.find((p) => p.olt === 'OLT-HZ-01' && p.slot === 1 && p.port === 4)!;
    const original = port.rxPower;
    try {
      for (const [rx, band] of [[-7.99, 'overload'], [-8, 'normal'], [-25, 'normal'], [-25.01, 'marginal'], [-27, 'marginal'], [-27.01, 'fault']] as const) {
        port.rxPower = rx;
        const out = (await h.run('resource.getPort', { olt: 'OLT-HZ-01', fsp: '0/1/4' })).output as PortOut;
        expect([out.rxPowerDbm, out.rxBand], String(rx)).toEqual([rx, band]);
      }
    } finally {
      port.rxPower = original;
    }
  });
});
