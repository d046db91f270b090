import { describe, expect, it } from 'vitest';
import { fakeTools, replyOf, run } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner: work orders, reconciliation, batch (reads)', () => {
  it.each([
    ['对账 CH001 2026-10', 'zh'],
    ['reconcile ch001 2026-10', 'en'],
    ['对账　ＣＨ００１　２０２６－１０', 'zh'],
  ])('reads a reconciliation: %s', (text, lang) => {
    expect(parseCommand(text)).toEqual({ flow: 'recon.channel', lang, channelId: 'CH001', period: '2026-10' });
  });

  it('asks for the channel and one period', () => {
    expect(parseCommand('对账 2026-10')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('渠道编号') });
    expect(parseCommand('reconcile CH001')).toMatchObject({ flow: 'clarify', lang: 'en', question: expect.stringContaining('period') });
    expect(parseCommand('对账 CH001 2026-09 2026-10')).toMatchObject({ flow: 'clarify' });
  });
});

describe('read flows', () => {
  const exception = (i: number, kind: 'missing_in_billing' | 'amount_mismatch') => ({
    kind,
    orderId: `O${String(i).padStart(4, '0')}`,
    field: 'amount',
    channelValue: '199.00',
    billingValue: kind === 'amount_mismatch' ? '189.00' : null,
    evidence: [
      { system: 'channel', recordId: `S${i}`, field: 'amount', value: '199.00', fetchedAt: '2026-11-24 10:00:01' },
      // The same record's other field: one source in the reply, not two.
      { system: 'channel', recordId: `S${i}`, field: 'orderId', value: `O0${i}`, fetchedAt: '2026-11-24 10:00:01' },
      ...(kind === 'amount_mismatch' ? [{ system: 'billing', recordId: `B${i}`, field: 'amount', value: '189.00', fetchedAt: '2026-11-24 10:00:02' }] : []),
    ],
  });
  const recon = (exceptions: unknown[]) => ({
    period: '2026-10',
    channelId: 'CH001',
    region: 'hangzhou',
    channelTotals: { count: 120, amount: 23880 },
    billingTotals: { count: 100, amount: 19900 },
    matched: { count: 95, amount: 18905 },
    exceptions,
    // As the tool stamps it (an instant); the reply shows operator-local time (UTC+8).
    fetchedAt: '2026-11-24T02:00:00.000Z',
  });

  it('reconciliation: totals, exceptions grouped by kind with both values and evidence, first 20 then the count', async () => {
    const many = [...Array.from({ length: 15 }, (_, i) => exception(i, 'missing_in_billing')), ...Array.from({ length: 10 }, (_, i) => exception(100 + i, 'amount_mismatch'))];
    const { tools } = fakeTools({ 'recon.compareChannelBilling': (i) => recon(i.channelId === 'CH002' ? [] : many) });
    const text = replyOf(await run('对账 CH001 2026-10', tools));
    expect(text).toContain('渠道记录 120 笔 23880.00 元；计费记录 100 笔 19900.00 元');
    expect(text).toContain('一致 95 笔 18905.00 元');
    expect(text).toContain('差异 25 笔：计费系统缺失 15，金额不一致 10');
    expect(text).toContain('数据获取于 2026-11-24 10:00:00');
    expect(text).toContain('• O0100 amount：渠道 199.00 / 计费 189.00（来源：渠道系统 S100 于 2026-11-24 10:00:01；BOSS 计费 B100 于 2026-11-24 10:00:02）');
    expect(text.split('\n').filter((l) => l.startsWith('• O'))).toHaveLength(20);
    expect(text).toContain('以及另外 5 条差异');
    expect(replyOf(await run('reconcile CH002 2026-10', tools))).toContain('No differences');
  });
});

describe('everyday phrasings', () => everydayPhrasings('recon.channel'));
