/** risk.checkBlacklist through the real runtime (HTTP-API carrier) against the sandbox. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RISK_DEMO } from '../../sandbox/seed-risk-sms.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';
import { DEFAULT_READ_ATTEMPTS } from '../runner.js';

let h: ToolHarness;
beforeAll(async () => {
  h = await startToolHarness();
}, 60_000);
afterEach(() => h.sandbox.faults.reset());
afterAll(() => h?.close());

const customer = (id: string) => h.sandbox.state.customers.find((c) => c.id === id)!;
const fullWidth = (s: string) => [...s].map((ch) => (/[0-9]/.test(ch) ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch)).join('');
const steps = (rec: { evidence: { steps: Array<{ step: string }> } } | undefined) => (rec?.evidence.steps ?? []).map((s) => s.step);

describe('risk.checkBlacklist', () => {
  it('normal: C000123 is clean (mobile and resident ID)', async () => {
    const { output } = await h.run('risk.checkBlacklist', { mobile: '13857101234', residentId: '330106198503121231' });
    expect(output).toMatchObject({ listed: false, riskLevel: 'low', hits: [] });
  });

  it('normal: a fraud-listed mobile is high risk, its value masked', async () => {
    const mobile = customer(RISK_DEMO.fraudMobileOf).mobile;
    const { output, record } = await h.run('risk.checkBlacklist', { mobile });
    expect(output).toMatchObject({
      listed: true,
      riskLevel: 'high',
      hits: [{ list: 'fraud', subject: 'mobile', value: `${mobile.slice(0, 3)}****${mobile.slice(7)}`, since: '2026-03-18' }],
    });
    expect(JSON.stringify(output)).not.toContain(mobile);
    expect(steps(record)).toContain('GET /api/blacklist');
  });

  it('boundary: full-width digits and spaces in the ID, +86 on the mobile; both lists hit', async () => {
    const id = customer(RISK_DEMO.blacklistedIdOf).residentId;
    const mobile = customer(RISK_DEMO.fraudMobileOf).mobile;
    const spaced = `${fullWidth(id.slice(0, 6))} ${fullWidth(id.slice(6, 14))} ${fullWidth(id.slice(14))}`;
    const { output } = (await h.run('risk.checkBlacklist', { mobile: `+86 ${mobile}`, residentId: spaced })) as { output: { hits: Array<{ list: string; value: string }> } };
    expect(output.hits.map((x) => x.list).sort()).toEqual(['blacklist', 'fraud']);
    const idHit = output.hits.find((x) => x.list === 'blacklist')!;
    expect(idHit.value).toBe(`${id.slice(0, 6)}********${id.slice(14)}`);
  });

  it('boundary: a 15-digit legacy ID (no check digit) is looked up, not refused', async () => {
    const { output } = await h.run('risk.checkBlacklist', { residentId: '330106850312123' });
    expect(output).toMatchObject({ listed: false, riskLevel: 'low' });
  });

  it('abnormal: an ID failing its check digit is refused before calling the service', async () => {
    const err = await h.fail('risk.checkBlacklist', { residentId: '330106198503121232' });
    expect(err).toMatchObject({ name: 'BusinessError', code: 'invalid_input' });
    expect(err.message).not.toContain('330106198503121232');
    expect(steps(err.record).some((s) => s.startsWith('GET'))).toBe(false);
    expect((await h.fail('risk.checkBlacklist', {})).code).toBe('invalid_input');
  });

  it('abnormal: the service answering 500 is a SystemError after the runner retried', async () => {
    h.sandbox.faults.set({ system: 'risk', errorRate: 1 });
    const err = await h.fail('risk.checkBlacklist', { mobile: '13857101234' });
    expect(err).toMatchObject({ name: 'SystemError', code: 'unavailable' });
    expect(err.record?.attempts).toBe(DEFAULT_READ_ATTEMPTS);
  });

  it('abnormal: sessions dropped mid-run: logs in again and answers', async () => {
    await h.run('risk.checkBlacklist', { mobile: '13857101234' });
    const before = h.runtime.api.stats('risk').logins;
    h.sandbox.faults.set({ system: 'risk', expireSessions: true, sessionExpiryRate: 0 });
    const { output, record } = await h.run('risk.checkBlacklist', { mobile: customer(RISK_DEMO.watchMobileOf).mobile });
    expect(output).toMatchObject({ listed: true, riskLevel: 'medium', hits: [{ list: 'watch' }] });
    expect(record.attempts).toBe(1);
    expect(h.runtime.api.stats('risk').logins).toBe(before + 1);
  });
});
