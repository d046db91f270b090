import { describe, expect, it } from 'vitest';
import { fakeTools, replyOf, run } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner: identity, risk, bills, eligibility (reads)', () => {
  it.each([
    ['核验身份 13857101234 330106198503121231', 'zh', { mobile: '13857101234' }, null],
    ['verify id C000123 330106198503121231 name 张伟', 'en', { customerId: 'C000123' }, '张伟'],
    ['核验身份 13857101234 330106198503121231 张伟', 'zh', { mobile: '13857101234' }, '张伟'],
    ['核验身份　１３８５７１０１２３４　３３０１０６１９８５０３１２１２３１', 'zh', { mobile: '13857101234' }, null],
    ['/verify c000123 330106198503121231', 'en', { customerId: 'C000123' }, null],
  ])('reads an identity check: %s', (text, lang, customer, name) => {
    expect(parseCommand(text)).toEqual({ flow: 'identity.verify', lang, customer, residentId: '330106198503121231', name });
  });

  it('passes a malformed ID number on for the tool to judge, and asks when one is missing', () => {
    expect(parseCommand('核验身份 13857101234 33010619850312123X')).toMatchObject({ flow: 'identity.verify', residentId: '33010619850312123X' });
    expect(parseCommand('核验身份 13857101234')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('身份证号') });
    expect(parseCommand('verify id 330106198503121231')).toMatchObject({ flow: 'clarify', lang: 'en', question: expect.stringContaining('customer id or mobile') });
  });
});

describe('read flows', () => {
  it('identity: verdict and reasons with masked numbers only', async () => {
    const { tools, calls } = fakeTools({
      'crm.verifyIdentity': () => ({
        customerId: 'C000123',
        region: 'hangzhou',
        formatValid: true,
        checksumValid: true,
        birthDateValid: true,
        matchesRecord: false,
        nameMatches: null,
        realNameVerified: true,
        givenIdMasked: '330106********1231',
        recordIdMasked: '330106********1238',
        verdict: 'mismatch',
        reasons: [{ zh: '证件号与档案不一致', en: 'The ID number differs from the record' }],
      }),
    });
    const text = replyOf(await run('核验身份 13857101234 330106198503121231', tools));
    expect(calls[0]).toEqual({ tool: 'crm.verifyIdentity', input: { customer: { mobile: '13857101234' }, residentId: '330106198503121231' } });
    expect(text).toContain('与档案不一致');
    expect(text).toContain('证件号与档案不一致');
    expect(text).toContain('138****1234');
    expect(text).not.toContain('13857101234');
    expect(text).not.toContain('330106198503121231');
    const en = replyOf(await run('verify id C000123 330106198503121231 name 张伟', tools));
    expect(calls[1]!.input).toMatchObject({ name: '张伟' });
    expect(en).toMatch(/does not match the record/);
  });
});

describe('everyday phrasings', () => everydayPhrasings('identity.verify'));
