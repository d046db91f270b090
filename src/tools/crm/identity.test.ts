/** crm.verifyIdentity and crm.getNumberStatus through the real runtime (Chromium) against the sandbox, on both layouts. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeResidentId } from '../../sandbox/ids.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';
import { DEFAULT_READ_ATTEMPTS } from '../runner.js';

let h: ToolHarness;
beforeAll(async () => {
  h = await startToolHarness();
}, 60_000);
afterEach(() => h.sandbox.faults.reset());
afterAll(() => h?.close());

const customers = () => h.sandbox.state.customers;
const fullWidth = (s: string) => [...s].map((ch) => (/[0-9]/.test(ch) ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch)).join('');
const steps = (rec: { evidence: { steps: Array<{ step: string }> } } | undefined) => (rec?.evidence.steps ?? []).map((s) => s.step);
type Verdict = { verdict: string; reasons: Array<{ zh: string; en: string }>; [k: string]: unknown };
const verify = async (input: unknown) => (await h.run('crm.verifyIdentity', input)) as { output: Verdict; record: { evidence: { steps: Array<{ step: string }>; files: string[] } } };

describe('crm.verifyIdentity', () => {
  it('normal: C000123 with the right ID and name is verified; only masked values come out', async () => {
    const { output } = await verify({ customer: { customerId: 'C000123' }, residentId: '330106198503121231', name: '张伟' });
    expect(output).toEqual({
      customerId: 'C000123',
      region: 'hangzhou',
      formatValid: true,
      checksumValid: true,
      birthDateValid: true,
      matchesRecord: true,
      nameMatches: true,
      realNameVerified: true,
      givenIdMasked: '330106********1231',
      recordIdMasked: '330106********1231',
      verdict: 'verified',
      reasons: expect.arrayContaining([{ zh: '证件号码与 CRM 记录一致', en: 'The ID matches the CRM record' }]),
    });
    expect(JSON.stringify(output)).not.toContain('330106198503121231');
  });

  it('normal: found by mobile; another person\'s valid ID is a mismatch; a wrong name too', async () => {
    const other = customers().find((c) => c.id === 'C000124')!;
    const { output } = await verify({ customer: { mobile: '138 5710 1234' }, residentId: other.residentId });
    expect(output).toMatchObject({ customerId: 'C000123', checksumValid: true, matchesRecord: false, verdict: 'mismatch', recordIdMasked: '330106********1231' });
    const named = await verify({ customer: { customerId: 'C000123' }, residentId: '330106198503121231', name: '李四' });
    expect(named.output).toMatchObject({ matchesRecord: true, nameMatches: false, verdict: 'mismatch' });
  });

  it('normal: the ID matches but the customer never completed real-name registration', async () => {
    const c = customers().find((x) => !x.realNameVerified && x.status === 'ACTIVE')!;
    const { output } = await verify({ customer: { customerId: c.id }, residentId: c.residentId });
    expect(output).toMatchObject({ matchesRecord: true, realNameVerified: false, verdict: 'not_real_name_verified' });
  });

  it('boundary: an ID ending in X, given with full-width digits, spaces and a lower-case x, on layout b', async () => {
    const c = customers().find((x) => x.residentId.endsWith('X') && x.realNameVerified)!;
    h.sandbox.faults.set({ system: 'crm', layout: 'b' });
    const given = `${fullWidth(c.residentId.slice(0, 6))} ${fullWidth(c.residentId.slice(6, 14))} ${fullWidth(c.residentId.slice(14, 17))}x`;
    const { output } = await verify({ customer: { customerId: c.id }, residentId: given });
    expect(output).toMatchObject({ customerId: c.id, formatValid: true, checksumValid: true, matchesRecord: true, verdict: 'verified' });
    expect(output.givenIdMasked).toBe(`${c.residentId.slice(0, 6)}********${c.residentId.slice(14)}`);
  });

  it('abnormal: a wrong check digit is invalid_id with reasons, and the browser is never used', async () => {
    const { output, record } = await verify({ customer: { customerId: 'C000123' }, residentId: '330106198503121232' });
    expect(output).toMatchObject({ formatValid: true, checksumValid: false, matchesRecord: null, recordIdMasked: null, verdict: 'invalid_id' });
    expect(output.reasons.map((r) => r.en).join(' ')).toMatch(/check digit/);
    expect(steps(record)).not.toContain('open customer');
    expect(record.evidence.files).toEqual([]); // no screenshot: no page was lent
  });

  it('boundary: a 15-digit legacy ID and a future birth date are invalid_id', async () => {
    const legacy = await verify({ customer: { customerId: 'C000123' }, residentId: '330106850312123' });
    expect(legacy.output).toMatchObject({ formatValid: false, checksumValid: false, verdict: 'invalid_id', givenIdMasked: '330106*****2123' });
    expect(legacy.output.reasons[0]?.en).toMatch(/15-digit/);

    const future = makeResidentId('330106', '20990101', '123');
    const fut = await verify({ customer: { customerId: 'C000123' }, residentId: future });
    expect(fut.output).toMatchObject({ formatValid: true, checksumValid: true, birthDateValid: false, verdict: 'invalid_id' });
    expect(fut.output.reasons.map((r) => r.en).join(' ')).toMatch(/birth date/);

    const garbage = await verify({ customer: { customerId: 'C000123' }, residentId: 'abc' });
    expect(garbage.output).toMatchObject({ formatValid: false, verdict: 'invalid_id', givenIdMasked: '***' });
  });

  it('abnormal: an unknown customer is not_found; the CRM failing is a SystemError after retries', async () => {
    const missing = await h.fail('crm.verifyIdentity', { customer: { customerId: 'C999999' }, residentId: '330106198503121231' });
    expect(missing).toMatchObject({ name: 'BusinessError', code: 'not_found' });
    const byMobile = await h.fail('crm.verifyIdentity', { customer: { mobile: '13900000001' }, residentId: '330106198503121231' });
    expect(byMobile).toMatchObject({ code: 'not_found' });
    expect(byMobile.message).not.toContain('13900000001');

    h.sandbox.faults.set({ system: 'crm', errorRate: 1 });
    const down = await h.fail('crm.verifyIdentity', { customer: { customerId: 'C000123' }, residentId: '330106198503121231' });
    expect(down).toMatchObject({ name: 'SystemError', code: 'unavailable' });
    expect(down.record?.attempts).toBe(DEFAULT_READ_ATTEMPTS);
  });
});

describe('crm.getNumberStatus', () => {
  it('normal: an active number, its holder, region and main plan (layouts a and b)', async () => {
    const want = { mobile: '13857101234', status: 'ACTIVE', customerId: 'C000123', region: 'hangzhou', plan: '5G 畅享 129 元套餐' };
    expect((await h.run('crm.getNumberStatus', { mobile: '+86 138-5710-1234' })).output).toEqual(want);
    h.sandbox.faults.set({ system: 'crm', layout: 'b' });
    expect((await h.run('crm.getNumberStatus', { mobile: '13857101234' })).output).toEqual(want);
  });

  it('normal: a closed or suspended line reports its status', async () => {
    const c = customers().find((x) => x.status === 'CLOSED')!;
    expect((await h.run('crm.getNumberStatus', { mobile: c.mobile })).output).toMatchObject({ status: 'CLOSED', customerId: c.id, region: c.region });
  });

  it('boundary: a number nobody holds is UNASSIGNED, not an error', async () => {
    const held = new Set(customers().map((c) => c.mobile));
    const free = ['13900000000', '13900000001', '13900000002'].find((m) => !held.has(m))!;
    expect((await h.run('crm.getNumberStatus', { mobile: free })).output).toEqual({ mobile: free, status: 'UNASSIGNED', customerId: null, region: null, plan: null });
  });

  it('abnormal: bad input is refused before the browser; a dropped session logs in again', async () => {
    expect(await h.fail('crm.getNumberStatus', { mobile: '12345' })).toMatchObject({ code: 'invalid_input', record: { attempts: 0 } });
    h.sandbox.faults.set({ system: 'crm', expireSessions: true, sessionExpiryRate: 0 });
    const { output, record } = await h.run('crm.getNumberStatus', { mobile: '13857101234' });
    expect(output).toMatchObject({ status: 'ACTIVE' });
    expect(record.attempts).toBe(1);
  });
});
