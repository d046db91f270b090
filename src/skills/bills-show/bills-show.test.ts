import { describe, expect, it } from 'vitest';
import { fakeTools, replyOf, run } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner: identity, risk, bills, eligibility (reads)', () => {
  it.each([
    ['查账单 13857101234', { mobile: '13857101234' }, null, null],
    ['查账单 13857101234 2026-09', { mobile: '13857101234' }, '2026-09', '2026-09'],
    ['查账单 13857101234 2026-09 2026-11', { mobile: '13857101234' }, '2026-09', '2026-11'],
    ['查账单 13857101234 2026-11 2026-09', { mobile: '13857101234' }, '2026-09', '2026-11'],
    ['bills C000123', { customerId: 'C000123' }, null, null],
    ['查账单 Ｃ０００１２３ ２０２６年９月', { customerId: 'C000123' }, '2026-09', '2026-09'],
  ])('reads a bills query: %s', (text, customer, from, to) => {
    expect(parseCommand(text)).toMatchObject({ flow: 'bills.show', customer, from, to });
  });

  it('asks for the customer or a real month on bills', () => {
    expect(parseCommand('bills')).toMatchObject({ flow: 'clarify', lang: 'en' });
    expect(parseCommand('查账单 C000123 2026-13')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('年-月') });
    expect(parseCommand('查账单 C000123 2026-01 2026-02 2026-03')).toMatchObject({ flow: 'clarify' });
  });
});

describe('read flows', () => {
  it('bills: money in yuan with 2 decimals, arrears, one month alone; no bills is said plainly', async () => {
    const { tools, calls } = fakeTools({
      'billing.getBills': (i) => ({
        customerId: 'C000123',
        region: 'hangzhou',
        bills: i.from === '2020-01' ? [] : [{ period: '2026-09', amount: 128, paid: 28.5, dueDate: '2026-10-15', status: 'partial', paidAt: '2026-10-01' }],
        arrears: i.from === '2020-01' ? 0 : 99.5,
        paymentStatus: i.from === '2020-01' ? 'current' : 'arrears',
        contractEnd: '2027-06-30',
      }),
    });
    const text = replyOf(await run('查账单 C000123 2026-09', tools));
    expect(calls[0]!.input).toEqual({ customer: { customerId: 'C000123' }, from: '2026-09', to: '2026-09' });
    expect(text).toContain('欠费 99.50 元');
    expect(text).toContain('应缴 128.00 元，已缴 28.50 元，部分缴纳');
    expect(text).toContain('合约到期 2027-06-30');
    expect(replyOf(await run('bills C000123 2020-01', tools))).toMatch(/no arrears[\s\S]*No bills in that period/);
  });
});

describe('everyday phrasings', () => everydayPhrasings('bills.show'));
