import { describe, expect, it } from 'vitest';
import { PolicyDenied } from '../denials.js';
import { messages } from '../../agents/replies.js';
import { BusinessError, SystemError } from '../../tools/errors.js';
import { fakeTools, replyOf, run } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner: work orders, reconciliation, batch (reads)', () => {
  it('reads a batch: separators, duplicates and invalid entries', () => {
    const plan = parseCommand('批量查询号码状态 13857101234 13957102345,13857101234\n139571023；+8613700000001、abc 138-0000-0002');
    expect(plan).toEqual({
      flow: 'numbers.batch',
      lang: 'zh',
      mobiles: ['13857101234', '13957102345', '13700000001', '13800000002'],
      invalid: ['139571023'],
      duplicates: 1,
    });
    expect(parseCommand('batch status 13857101234 13957102345')).toMatchObject({ flow: 'numbers.batch', lang: 'en', mobiles: ['13857101234', '13957102345'] });
    expect(parseCommand('批量查询号码状态 １３８５７１０１２３４')).toMatchObject({ flow: 'numbers.batch', mobiles: ['13857101234'] });
  });

  it('takes up to 500 numbers and asks to split more', () => {
    const numbers = (n: number) => Array.from({ length: n }, (_, i) => `139${String(i).padStart(8, '0')}`).join('\n');
    const ok = parseCommand(`批量查询号码状态\n${numbers(500)}`);
    expect(ok.flow === 'numbers.batch' && ok.mobiles.length).toBe(500);
    expect(parseCommand(`batch status ${numbers(501)}`)).toMatchObject({ flow: 'clarify', lang: 'en', question: expect.stringContaining('501') });
    expect(parseCommand('批量查询号码状态')).toMatchObject({ flow: 'clarify', lang: 'zh' });
    expect(parseCommand('batch status 123 456')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('valid') });
  });
});

describe('batch number status', () => {
  const numbers = (n: number) => Array.from({ length: n }, (_, i) => `139${String(i).padStart(8, '0')}`);
  const statusOf = (mobile: string) => {
    const n = Number(mobile.slice(-3));
    return n % 10 === 1 ? 'SUSPENDED' : n % 10 === 2 ? 'UNASSIGNED' : 'ACTIVE';
  };

  it('runs at most N at once, reports about every 10 %, and a failed item does not fail the batch', async () => {
    let inFlight = 0;
    let peak = 0;
    const progress: string[] = [];
    const { tools, calls } = fakeTools(
      {
        'crm.getNumberStatus': async (i) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 1));
          inFlight--;
          const mobile = String(i.mobile);
          if (mobile.endsWith('007')) throw new BusinessError('not_found', 'no such number', { zh: '号码不存在' });
          if (mobile.endsWith('013')) throw new SystemError('timeout', 'crm', 'page timed out');
          return { mobile, status: statusOf(mobile), customerId: null, region: 'hangzhou', plan: null };
        },
      },
      { concurrency: 3, progress: async (t) => void progress.push(t) },
    );
    const list = numbers(40);
    const r = await run(`批量查询号码状态 ${list.join('\n')} 12345 ${list[0]}`, tools);
    const text = replyOf(r);
    expect(calls).toHaveLength(40);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => `批量查询号码状态：已完成 ${(i + 1) * 4}/40…`));
    expect(text).toContain('共 40 个号码，正常 30，停机 4，空号 4，查询失败 2');
    expect(text).toContain('已去除重复号码 1 个');
    expect(text).toContain('无效号码 1 个，未查询：12345');
    expect(text).toContain('• 139****0001 停机 (SUSPENDED)');
    expect(text).toContain('• 139****0002 空号 (UNASSIGNED)');
    expect(text).toContain('• 139****0007 查询失败：号码不存在');
    expect(text).toContain('• 139****0013 查询失败：CRM 系统无响应');
    expect(text).not.toMatch(/139\d{8}/);
  });

  it('defaults to 4 in flight and lists at most 50 numbers needing attention', async () => {
    let inFlight = 0;
    let peak = 0;
    const { tools } = fakeTools({
      'crm.getNumberStatus': async (i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await Promise.resolve();
        inFlight--;
        return { mobile: String(i.mobile), status: 'CLOSED', customerId: null, region: null, plan: null };
      },
    });
    const text = replyOf(await run(`batch status ${numbers(500).join(',')}`, tools));
    expect(peak).toBe(4);
    expect(text).toContain('500 numbers, closed 500');
    expect(text.split('\n').filter((l) => l.startsWith('• 139'))).toHaveLength(50);
    expect(text).toContain('…and 450 more.');
  });

  it('one number, no progress reporter: still answers', async () => {
    const { tools } = fakeTools({ 'crm.getNumberStatus': (i) => ({ mobile: String(i.mobile), status: 'ACTIVE', customerId: 'C000123', region: 'hangzhou', plan: 'P5G_199' }) });
    expect(replyOf(await run('batch status 13857101234', tools))).toBe('Batch status done: 1 number, active 1.');
  });

  it('a progress message that cannot be sent does not stop the batch', async () => {
    const { tools } = fakeTools(
      { 'crm.getNumberStatus': (i) => ({ mobile: String(i.mobile), status: 'ACTIVE', customerId: null, region: null, plan: null }) },
      { progress: async () => { throw new Error('chat down'); } },
    );
    expect(replyOf(await run(`batch status ${numbers(20).join(' ')}`, tools))).toContain('20 numbers, active 20');
  });

  it('a role that may not query numbers is refused once, not 500 times', async () => {
    const denied = new PolicyDenied('role', 'crm.getNumberStatus', messages.denied('en', 'crm.getNumberStatus'));
    const { tools, calls } = fakeTools({ 'crm.getNumberStatus': () => { throw denied; } }, { concurrency: 2 });
    await expect(run(`batch status ${numbers(100).join(' ')}`, tools)).rejects.toBe(denied);
    expect(calls.length).toBeLessThanOrEqual(2);
  });

  it('a system that answers nothing at all is reported as down', async () => {
    const down = new SystemError('circuit_open', 'crm', 'circuit open');
    const { tools } = fakeTools({ 'crm.getNumberStatus': () => { throw down; } });
    await expect(run(`batch status ${numbers(12).join(' ')}`, tools)).rejects.toBe(down);
  });
});

describe('everyday phrasings', () => everydayPhrasings('numbers.batch'));
