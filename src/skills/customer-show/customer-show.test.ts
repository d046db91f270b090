import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseCommand } from '../planner.js';
import { runFlow } from '../router.js';
import type { FlowTools } from '../contract.js';
import type { Customer } from '../../tools/crm/schemas.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

const zhang: Customer = {
  customerId: 'C000123',
  name: '张伟',
  mobile: '13857101234',
  residentId: '330106198503121231',
  status: 'ACTIVE',
  realNameVerified: true,
  plans: ['P5G_199', 'FTTH_300M'],
  address: '浙江省杭州市西湖区文三路 398 号 2 单元 501',
  broadbandAccount: 'hz81000123',
  region: 'hangzhou',
};

function crm(answer: Customer) {
  const calls: { tool: string; input: Record<string, unknown> }[] = [];
  const tools: FlowTools = {
    async call<S extends z.ZodType>(tool: string, input: Record<string, unknown>, output: S): Promise<z.infer<S>> {
      calls.push({ tool, input });
      return output.parse(answer) as z.infer<S>;
    },
  };
  return { tools, calls };
}

describe('customer profile', () => {
  it.each([
    ['查客户 C000123', 'zh', { customerId: 'C000123' }],
    ['请帮我查询客户 c000123', 'zh', { customerId: 'C000123' }],
    ['客户信息 138-5710-1234', 'zh', { mobile: '13857101234' }],
    ['customer info C000123', 'en', { customerId: 'C000123' }],
    ['/customer +86 13857101234', 'en', { mobile: '13857101234' }],
    ['customer profile HZ81000123', 'en', { broadbandAccount: 'hz81000123' }],
  ])('is asked for as %s', (text, lang, customer) => {
    expect(parseCommand(text)).toEqual({ flow: 'customer.show', lang, customer });
  });

  it('asks which customer when none is named, and leaves other requests about a customer alone', () => {
    expect(parseCommand('查客户')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('查客户 C000123') });
    expect(parseCommand('customer info please')).toMatchObject({ flow: 'clarify', lang: 'en' });
    // Only at the start of a message: these belong to the identity and bills skills, or to the LLM.
    expect(parseCommand('核验身份 C000123 330106198503121231').flow).toBe('identity.verify');
    expect(parseCommand('查账单 C000123').flow).toBe('bills.show');
    expect(parseCommand('客户 C000123 的宽带账号是多少').flow).toBe('unknown');
    expect(parseCommand("what is the customer's plan for C000123?").flow).toBe('unknown');
  });

  it('reads CRM once and shows every personal field masked, in the language asked', async () => {
    const { tools, calls } = crm(zhang);
    const zh = await runFlow(parseCommand('查客户 C000123'), tools);
    expect(calls).toEqual([{ tool: 'crm.getCustomer', input: { customerId: 'C000123' } }]);
    expect(zh.kind).toBe('reply');
    const text = zh.kind === 'reply' ? zh.text : '';
    expect(text).toContain('客户 C000123（杭州）：张*，正常');
    expect(text).toContain('手机 138****1234');
    expect(text).toContain('证件 330106********1231');
    expect(text).toContain('套餐：P5G_199、FTTH_300M');
    expect(text).toContain('装机地址：浙江省杭州市西湖区****');
    for (const secret of ['张伟', '13857101234', '330106198503121231', '文三路', '398']) expect(text).not.toContain(secret);

    const en = await runFlow(parseCommand('customer info 13857101234'), crm({ ...zhang, address: null, plans: [] }).tools);
    expect(en).toMatchObject({ kind: 'reply', status: 'succeeded' });
    const enText = en.kind === 'reply' ? en.text : '';
    expect(enText).toContain('Customer C000123 (Hangzhou): 张*, active');
    expect(enText).toContain('• Plans: —');
    expect(enText).toContain('• Address: —');
  });

  it('keeps a field the portal already masked as it is', async () => {
    const { tools } = crm({ ...zhang, name: '张*', residentId: '330106********1231' });
    const r = await runFlow(parseCommand('查客户 C000123'), tools);
    expect(r.kind === 'reply' && r.text).toContain('张*，正常');
    expect(r.kind === 'reply' && r.text).toContain('证件 330106********1231');
  });

  it('is listed in the help', async () => {
    const help = await runFlow(parseCommand('帮助'), crm(zhang).tools);
    expect(help.kind === 'reply' && help.text).toContain('• 查客户 C000123 — 客户资料（个人信息已脱敏）');
  });
});

describe('everyday phrasings', () => everydayPhrasings('customer.show'));
