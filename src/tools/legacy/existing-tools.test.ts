/**
 * The five first legacy tools (resource.getPort, nms.listAlarms, ticket.get, crm.getCustomer,
 * ticket.updateFields) against the sandbox through the real runtime: normal, abnormal and boundary
 * cases each (DOMAIN.md test-case sets). One harness for the file; tests run in order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '../../sandbox/seed.js';
import type { SandboxState } from '../../sandbox/state.js';
import { startToolHarness, type ToolHarness } from './test-harness.js';
import { systemCaller } from '../scope.js';

let h: ToolHarness;
let state: SandboxState;
beforeAll(async () => {
  h = await startToolHarness({ RPA_BREAKER_THRESHOLD: '100' });
  state = h.sandbox.state;
}, 60_000);
afterAll(() => h?.close());
afterEach(() => h.sandbox.faults.reset());

type PortOut = { olt: string; fsp: string; rxPowerDbm: number | null; rxBand: string; onuSn: string | null; broadbandAccount: string | null };
type AlarmsOut = { alarms: Array<{ id: string }>; total: number; truncated: boolean };

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

describe('nms.listAlarms', () => {
  it('lists the active alarms of a port and its ONUs, and all of them with state all (normal)', async () => {
    const active = (await h.run('nms.listAlarms', { ne: 'OLT-HZ-01', object: '0/1/3' })).output as AlarmsOut;
    expect(active.alarms.map((a) => a.id).sort()).toEqual(demo.port.activeAlarmIds);
    expect(active).toMatchObject({ total: 2, truncated: false });
    const all = (await h.run('nms.listAlarms', { ne: 'OLT-HZ-01', object: '0/1/3', state: 'all' })).output as AlarmsOut;
    expect(all.alarms.map((a) => a.id).sort()).toEqual([...demo.port.activeAlarmIds, ...demo.port.clearedAlarmIds].sort());
  });

  it('lists the alarms raised since a time, in either state; an alarm raised exactly then counts (boundary)', async () => {
    // Seeded on 0/1/3: ALM900004 2026-11-18 14:02:33, ALM900003 2026-11-23 21:14:05 (both cleared),
    // ALM900001 2026-11-23 21:20:11, ALM900002 2026-11-24 06:05:47 (both active).
    const since = (await h.run('nms.listAlarms', { ne: 'OLT-HZ-01', object: '0/1/3', state: 'all', since: '2026-11-23 21:14:05' })).output as AlarmsOut;
    expect(since.alarms.map((a) => a.id).sort()).toEqual(['ALM900001', 'ALM900002', 'ALM900003']);
    const activeSince = (await h.run('nms.listAlarms', { ne: 'OLT-HZ-01', object: '0/1/3', since: '2026-11-24 00:00' })).output as AlarmsOut;
    expect(activeSince.alarms.map((a) => a.id)).toEqual(['ALM900002']);
    expect((await h.fail('nms.listAlarms', { ne: 'OLT-HZ-01', since: 'yesterday' })).code).toBe('invalid_input');
  });

  it('reads 45 alarms across three pages, cuts at the limit with truncated, in layout b; empty for a quiet port (boundary)', async () => {
    const busy = (await h.run('nms.listAlarms', { ne: demo.busyOlt.name })).output as AlarmsOut;
    expect(busy.alarms).toHaveLength(45);
    expect(new Set(busy.alarms.map((a) => a.id)).size).toBe(45);
    expect(busy).toMatchObject({ total: 45, truncated: false });
    h.sandbox.faults.set({ system: 'nms', layout: 'b' });
    const cut = (await h.run('nms.listAlarms', { ne: demo.busyOlt.name, limit: 25 })).output as AlarmsOut;
    expect(cut.alarms.map((a) => a.id)).toEqual(busy.alarms.slice(0, 25).map((a) => a.id));
    expect(cut).toMatchObject({ total: 45, truncated: true });
    expect((await h.run('nms.listAlarms', { ne: 'OLT-HZ-01', object: '0/1/4' })).output).toEqual({ alarms: [], total: 0, truncated: false });
  });

  it('refuses a malformed NE, and fails as a system error after retries on 500s (abnormal)', async () => {
    expect((await h.fail('nms.listAlarms', { ne: 'HZ-01' })).code).toBe('invalid_input');
    h.sandbox.faults.set({ system: 'nms', errorRate: 1 });
    const e = await h.fail('nms.listAlarms', { ne: 'OLT-HZ-01' });
    expect(e.name).toBe('SystemError');
    expect(e.record?.attempts).toBe(3);
  });
});

describe('ticket.get', () => {
  it('reads the demo ticket and names its four missing fields (normal)', async () => {
    const { output } = await h.run('ticket.get', { ticketId: demo.ticketMissing.id });
    expect(output).toMatchObject({ ticket: { id: demo.ticketMissing.id, status: 'open', customerId: 'C000123', version: 1, broadbandAccount: null }, missingFields: demo.ticketMissing.missing });
  });

  it('reads a complete ticket with nothing missing, the same in layout b (boundary)', async () => {
    const a = (await h.run('ticket.get', { ticketId: demo.ticketComplete.id })).output as { missingFields: string[] };
    expect(a.missingFields).toEqual([]);
    h.sandbox.faults.set({ system: 'tickets', layout: 'b' });
    expect((await h.run('ticket.get', { ticketId: demo.ticketComplete.id })).output).toEqual(a);
  });

  it('answers not_found for an unknown ticket and invalid_input for a malformed id (abnormal)', async () => {
    expect((await h.fail('ticket.get', { ticketId: 'T20991231-0001' })).code).toBe('not_found');
    expect((await h.fail('ticket.get', { ticketId: '12' })).code).toBe('invalid_input');
  });
});

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

describe('ticket.updateFields', () => {
  const input = { ticketId: demo.ticketMissing.id, fields: demo.ticketMissing.expectedCompletion, expected: { broadbandAccount: null, address: null, accessPort: null, onuSn: null } };

  it('writes the four missing fields and verifies them (normal); the same approval again is alreadyApplied, one write (boundary)', async () => {
    const { output } = await h.run('ticket.updateFields', input, { idempotencyKey: 'appr-upd-1' });
    expect(output).toEqual({ ticketId: demo.ticketMissing.id, version: 2, updated: ['broadbandAccount', 'address', 'accessPort', 'onuSn'], alreadyApplied: false });
    expect((await h.runtime.runner.verify('ticket.updateFields', input, output, { caller: systemCaller('tool test'), idempotencyKey: 'appr-upd-1' })).ok).toBe(true);
    expect((await h.run('ticket.updateFields', input, { idempotencyKey: 'appr-upd-1' })).output).toMatchObject({ alreadyApplied: true });
    expect(state.writes.filter((w) => w.idempotencyKey === 'appr-upd-1')).toHaveLength(1);
  });

  it('refuses a changed ticket, a closed ticket, no approval id, and values the portal rejects (abnormal)', async () => {
    const stale = { ticketId: demo.ticketComplete.id, fields: { onuSn: 'HWTC00000001' }, expected: { onuSn: null } };
    expect((await h.fail('ticket.updateFields', stale, { idempotencyKey: 'appr-upd-s' })).code).toBe('stale_state');
    const closed = state.tickets.find((t) => t.status === 'closed')!;
    expect((await h.fail('ticket.updateFields', { ticketId: closed.id, fields: { address: 'x 路 1 号' }, expected: {} }, { idempotencyKey: 'appr-upd-c' })).code).toBe('conflict');
    expect((await h.fail('ticket.updateFields', input)).code).toBe('invalid_input');
    // Passes the tool's schema (8-16 letters/digits), not the portal's vendor code + 8 hex digits.
    const bad = await h.fail('ticket.updateFields', { ticketId: demo.ticketComplete.id, fields: { onuSn: 'HWTCZZZZZZZZ' }, expected: { onuSn: 'HWTC5E6F7A8B' } }, { idempotencyKey: 'appr-upd-v' });
    expect(bad.code).toBe('invalid_input');
    expect(bad.message).toMatch(/Invalid ONU SN/);
    expect(state.writes.filter((w) => /^appr-upd-[scv]$/.test(w.idempotencyKey ?? ''))).toEqual([]);
  });
});
