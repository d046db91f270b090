import { describe, expect, it } from 'vitest';
import { fakeTools, replyOf, run } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner: identity, risk, bills, eligibility (reads)', () => {
  it.each([
    ['能否办理 P5G_199 13857101234', 'zh', { mobile: '13857101234' }],
    ['套餐资格 C000123 p5g_199', 'zh', { customerId: 'C000123' }],
    ['eligible C000123 P5G_199', 'en', { customerId: 'C000123' }],
    ['能否办理　Ｐ５Ｇ＿１９９　１３８５７１０１２３４', 'zh', { mobile: '13857101234' }],
  ])('reads a plan eligibility check: %s', (text, lang, customer) => {
    expect(parseCommand(text)).toEqual({ flow: 'plan.eligibility', lang, customer, planCode: 'P5G_199' });
  });

  it('asks for the plan code or the customer', () => {
    expect(parseCommand('eligible C000123')).toMatchObject({ flow: 'clarify', lang: 'en', question: expect.stringContaining('plan') });
    expect(parseCommand('能否办理 P5G_199')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('客户编号或手机号') });
  });
});

describe('read flows', () => {
  it('eligibility: the failed rule comes first, with its reason', async () => {
    const { tools } = fakeTools({
      'billing.checkPlanEligibility': () => ({
        customerId: 'C000123',
        region: 'hangzhou',
        planCode: 'P5G_199',
        planName: '5G 畅享 199',
        eligible: false,
        rules: [
          { rule: 'real_name', passed: true, reason: { zh: '已实名', en: 'Real-name verified' } },
          { rule: 'no_arrears', passed: false, reason: { zh: '存在欠费 99.50 元', en: 'Owes ¥99.50' } },
        ],
      }),
    });
    const text = replyOf(await run('能否办理 P5G_199 13857101234', tools));
    expect(text.split('\n')).toEqual(['5G 畅享 199（P5G_199）：客户 C000123 不能办理 ❌', '• ✗ 存在欠费 99.50 元', '• ✓ 已实名']);
  });
});

describe('everyday phrasings', () => everydayPhrasings('plan.eligibility'));
