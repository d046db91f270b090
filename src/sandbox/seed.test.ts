import { describe, expect, it } from 'vitest';
import { isValidResidentId, MOBILE_RE, residentIdCheckChar } from './ids.js';
import { BROADBAND_ACCOUNT_RE, buildSeed, DEFAULT_SEED, demo } from './seed.js';
import { createState, findCustomer, findPort, findTicket, objectMatches } from './state.js';

describe('seed', () => {
  it('is deterministic: same seed, same data; another seed, other random data but the same demo entities', () => {
    expect(buildSeed(7)).toEqual(buildSeed(7));
    const a = buildSeed(DEFAULT_SEED);
    const b = buildSeed(8);
    expect(a.customers.map((c) => c.mobile)).not.toEqual(b.customers.map((c) => c.mobile));
    for (const d of [a, b]) {
      expect(d.customers.find((c) => c.id === demo.customer.id)).toMatchObject({ mobile: demo.customer.mobile, residentId: demo.customer.residentId });
      expect(d.tickets.find((t) => t.id === demo.ticketMissing.id)).toMatchObject({ broadbandAccount: '', version: 1 });
    }
  });

  it('has the sizes and id formats the portals promise', () => {
    const d = buildSeed();
    expect(d.customers).toHaveLength(300);
    expect(d.tickets).toHaveLength(200);
    expect(d.alarms.length).toBeGreaterThanOrEqual(200);
    expect(d.tickets[0]?.id).toBe('T20261120-0001');
    expect(d.tickets.at(-1)?.id).toBe('T20261124-0040');
    for (const t of d.tickets) expect(t.id).toMatch(/^T\d{8}-\d{4}$/);
    for (const list of [d.customers.map((c) => c.id), d.tickets.map((t) => t.id), d.alarms.map((a) => a.id), d.customers.map((c) => c.mobile)]) {
      expect(new Set(list).size).toBe(list.length);
    }
    const sns = d.ports.map((p) => p.onuSn).filter(Boolean);
    expect(new Set(sns).size).toBe(sns.length);
  });

  it('every resident id passes the GB 11643 checksum and every mobile is valid', () => {
    for (const seed of [DEFAULT_SEED, 1, 99]) {
      for (const c of buildSeed(seed).customers) {
        expect(isValidResidentId(c.residentId), c.residentId).toBe(true);
        expect(c.mobile).toMatch(MOBILE_RE);
        if (c.broadbandAccount) expect(c.broadbandAccount).toMatch(BROADBAND_ACCOUNT_RE);
      }
    }
  });

  it('checksum agrees with the published example and rejects a changed digit or an impossible date', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(isValidResidentId('11010519491231002X')).toBe(true);
    expect(isValidResidentId('11010519491231003X')).toBe(false);
    expect(isValidResidentId('110105194902300025')).toBe(false);
  });

  it('holds the demo entities exactly', () => {
    const s = createState(DEFAULT_SEED);
    const c = findCustomer(s, 'C000123');
    expect(c).toMatchObject({ status: 'ACTIVE', realNameVerified: true, region: 'hangzhou', broadbandAccount: 'hz81000123', address: demo.customer.address });
    expect(findPort(s, 'OLT-HZ-01', 0, 1, 3)).toMatchObject({
      adminStatus: 'up', operStatus: 'up', onuId: 5, onuSn: 'HWTC1A2B3C4D', rxPower: -26.4, txPower: 2.31,
      lastDownCause: 'Dying gasp', lastDownTime: '2026-11-23 21:14:05', region: 'hangzhou', broadbandAccount: 'hz81000123',
    });
    const onPort = s.alarms.filter((a) => a.ne === 'OLT-HZ-01' && objectMatches(a.object, '0/1/3'));
    const active = onPort.filter((a) => !a.clearedAt);
    expect(active.map((a) => [a.severity, a.type, a.object, a.serviceAffecting])).toEqual(
      expect.arrayContaining([
        ['major', 'Low Rx power', '0/1/3 ONU 5', false],
        ['minor', 'High BER', '0/1/3', false],
      ]),
    );
    expect(active).toHaveLength(2);
    expect(onPort.filter((a) => a.clearedAt).length).toBeGreaterThanOrEqual(2);

    expect(findPort(s, 'OLT-HZ-02', 0, 2, 7)).toMatchObject({ operStatus: 'down', rxPower: null });
    expect(s.alarms.find((a) => a.ne === 'OLT-HZ-02' && objectMatches(a.object, '0/2/7') && !a.clearedAt)?.type).toBe('LOS');
    expect(findPort(s, 'OLT-HZ-01', 0, 1, 4)?.rxPower).toBe(-19.85);
    expect(findPort(s, 'OLT-NB-01', 0, 1, 1)?.region).toBe('ningbo');
    expect(s.alarms.filter((a) => a.ne === 'OLT-HZ-03' && !a.clearedAt).length).toBeGreaterThan(20);

    expect(findTicket(s, 'T20261124-0012')).toMatchObject({
      status: 'open', customerId: 'C000123', serviceNumber: c?.mobile, faultType: '宽带无法上网 / No internet', priority: 'P2',
      region: 'hangzhou', broadbandAccount: '', address: '', accessPort: '', onuSn: '', version: 1,
    });
    const complete = findTicket(s, 'T20261124-0013');
    for (const k of ['broadbandAccount', 'address', 'accessPort', 'onuSn'] as const) expect(complete?.[k]).not.toBe('');
    // The completion the demo expects is what CRM and resource actually hold.
    const port = findPort(s, 'OLT-HZ-01', 0, 1, 3);
    expect(demo.ticketMissing.expectedCompletion).toEqual({
      broadbandAccount: c?.broadbandAccount, address: c?.address, accessPort: `${port?.olt} 0/1/3`, onuSn: port?.onuSn,
    });
  });

  it('keeps the data consistent across systems', () => {
    const s = createState(DEFAULT_SEED);
    for (const p of s.ports.filter((x) => x.customerId)) {
      expect(findCustomer(s, p.customerId)?.broadbandAccount).toBe(p.broadbandAccount);
      if (p.operStatus === 'down') expect(p.rxPower).toBeNull();
    }
    for (const t of s.tickets) expect(findCustomer(s, t.customerId)?.mobile).toBe(t.serviceNumber);
  });
});
