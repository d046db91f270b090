import { describe, expect, it } from 'vitest';
import { PolicyDenied } from './denials.js';
import type { z } from 'zod';
import { runFlow, type FlowResult, type FlowTools } from './flows.js';
import { parseCommand } from './commands.js';
import { messages } from './replies.js';
import { BusinessError, SystemError } from '../tools/errors.js';
import type { Alarm } from '../tools/nms/schemas.js';
import type { Ticket, WorkOrder } from '../tools/ticket/schemas.js';

type Handler = (input: Record<string, unknown>) => unknown | Promise<unknown>;

/** FlowTools over canned tool answers, recording every call (and parsing like the agent does). */
function fakeTools(handlers: Record<string, Handler>, extra: Partial<FlowTools> = {}) {
  const calls: { tool: string; input: Record<string, unknown> }[] = [];
  const tools: FlowTools = {
    async call<S extends z.ZodType>(tool: string, input: unknown, output: S): Promise<z.infer<S>> {
      calls.push({ tool, input: input as Record<string, unknown> });
      const h = handlers[tool];
      if (!h) throw new Error(`unexpected call ${tool}`);
      return output.parse(await h(input as Record<string, unknown>)) as z.infer<S>;
    },
    ...extra,
  };
  return { tools, calls };
}

const run = (text: string, tools: FlowTools) => runFlow(parseCommand(text), tools);
const replyOf = (r: FlowResult) => {
  if (r.kind !== 'reply') throw new Error(`expected a reply, got a proposal for ${r.proposal.tool}`);
  return r.text;
};
const proposalOf = (r: FlowResult) => {
  if (r.kind !== 'propose') throw new Error(`expected a proposal, got: ${r.text}`);
  return r.proposal;
};

const ticket = (over: Partial<Ticket> = {}): { ticket: Ticket; missingFields: [] } => ({
  ticket: {
    id: 'T20261124-0012',
    status: 'in_progress',
    customerId: 'C000123',
    serviceNumber: '13857101234',
    broadbandAccount: 'hz81000123',
    address: '杭州市西湖区文三路 1 号',
    accessPort: 'OLT-HZ-01 0/1/3',
    onuSn: 'HWTC12345678',
    faultType: 'no_internet',
    priority: 'P2',
    slaDeadline: '2026-11-25 18:00',
    region: 'hangzhou',
    assignedTeam: null,
    notes: null,
    version: 3,
    idempotencyKey: null,
    ...over,
  },
  missingFields: [],
});

const alarm = (over: Partial<Alarm> = {}): Alarm => ({
  id: 'ALM900001',
  severity: 'major',
  ne: 'OLT-HZ-01',
  object: '0/1/3',
  type: 'LOS',
  probableCause: 'fibre cut',
  raisedAt: '2026-11-24 08:00',
  clearedAt: null,
  acknowledged: false,
  serviceAffecting: true,
  ...over,
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

  it('blacklist: hits with list, source and date; a clean number says so', async () => {
    const hits = [{ list: 'fraud', subject: 'mobile', value: '138****1234', reason: '涉诈投诉', since: '2026-03-01', source: 'MIIT' }];
    const { tools } = fakeTools({ 'risk.checkBlacklist': (i) => ({ listed: i.mobile === '13857101234', riskLevel: i.mobile === '13857101234' ? 'high' : 'low', hits: i.mobile === '13857101234' ? hits : [], checkedAt: '2026-11-24 10:00' }) });
    const listed = replyOf(await run('黑名单 13857101234', tools));
    expect(listed).toContain('涉诈名单');
    expect(listed).toContain('风险等级 高');
    expect(listed).toContain('MIIT');
    expect(listed).not.toContain('13857101234');
    expect(replyOf(await run('blacklist check 13957102345', tools))).toMatch(/on no list, risk low/);
  });

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

  it('work order: status, team, window', async () => {
    const wo: WorkOrder = {
      id: 'W20261124-0001',
      ticketId: 'T20261124-0012',
      type: 'repair',
      status: 'dispatched',
      team: '杭州装维一组',
      engineer: null,
      priority: 'P2',
      appointmentStart: '2026-11-25 09:00',
      appointmentEnd: '2026-11-25 11:00',
      address: '杭州市西湖区文三路 1 号',
      region: 'hangzhou',
      note: null,
      version: 1,
      idempotencyKey: null,
    };
    const { tools } = fakeTools({ 'workorder.get': () => ({ workOrder: wo }) });
    const text = replyOf(await run('work order W20261124-0001', tools));
    expect(text).toContain('Work order W20261124-0001 (dispatched, P2)');
    expect(text).toContain('2026-11-25 09:00 – 2026-11-25 11:00');
  });

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

  it('a planned argument the tool schema refuses is told back, not an internal error', async () => {
    const { tools, calls } = fakeTools({});
    const r = await run('派单 T20261124-0012 工程师 李 P2 2026-11-25 09:00-11:00', { ...tools, call: async () => { throw new Error('must not call'); } });
    expect(r).toMatchObject({ kind: 'reply', status: 'not_understood' });
    expect(replyOf(r)).toContain('输入有误');
    expect(calls).toHaveLength(0);
  });
});

describe('write flows propose, with what the approver saw as expected', () => {
  it('dispatch reads the ticket status first', async () => {
    const { tools, calls } = fakeTools({ 'ticket.get': () => ticket({ status: 'pending_dispatch' }) });
    const p = proposalOf(await run('派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00 带光功率计', tools));
    expect(calls.map((c) => c.tool)).toEqual(['ticket.get']);
    expect(p).toEqual({
      tool: 'workorder.dispatch',
      title: '派单 T20261124-0012 → 杭州装维一组',
      input: {
        ticketId: 'T20261124-0012',
        type: 'repair',
        team: '杭州装维一组',
        priority: 'P2',
        window: { start: '2026-11-25 09:00', end: '2026-11-25 11:00' },
        note: '带光功率计',
        expected: { ticketStatus: 'pending_dispatch' },
      },
    });
    const en = proposalOf(await run('dispatch T20261124-0012 to Zhang Wei P1 2026-11-25 14:00-16:00', tools));
    expect(en.title).toBe('Dispatch T20261124-0012 to Zhang Wei');
    expect(en.input).toMatchObject({ engineer: 'Zhang Wei', priority: 'P1' });
    expect(en.input).not.toHaveProperty('team');
  });

  it('a note reads the ticket status first', async () => {
    const { tools } = fakeTools({ 'ticket.get': () => ticket({ status: 'in_progress' }) });
    const p = proposalOf(await run('工单备注 T20261124-0012 用户已重启光猫', tools));
    expect(p).toEqual({
      tool: 'ticket.addNote',
      title: '工单备注 T20261124-0012',
      input: { ticketId: 'T20261124-0012', note: '用户已重启光猫', expected: { status: 'in_progress' } },
    });
  });

  it('an alarm acknowledgement reads the alarm: still open is proposed, already acknowledged is told', async () => {
    let current = alarm({ clearedAt: '2026-11-24 09:00' });
    const { tools } = fakeTools({ 'nms.getAlarm': () => current });
    const p = proposalOf(await run('确认告警 ALM900001 已通知装维', tools));
    expect(p).toEqual({
      tool: 'nms.acknowledgeAlarm',
      title: '确认告警 ALM900001（LOS，OLT-HZ-01 0/1/3）',
      input: { alarmId: 'ALM900001', note: '已通知装维', expected: { acknowledged: false, cleared: true } },
    });
    current = alarm({ acknowledged: true });
    const r = await run('ack alarm ALM900001', tools);
    expect(r).toEqual({ kind: 'reply', status: 'succeeded', text: 'Alarm ALM900001 (LOS, OLT-HZ-01 0/1/3) is already acknowledged; nothing to do.' });
  });

  it('an SMS needs no read and its title shows the number masked', async () => {
    const { tools, calls } = fakeTools({});
    const p = proposalOf(await run('发短信 13857101234 SMS_FAULT_NOTICE ticket=T20261124-0012 time=2026-11-25 09:00', tools));
    expect(calls).toHaveLength(0);
    expect(p).toEqual({
      tool: 'sms.sendNotice',
      title: '发送短信 SMS_FAULT_NOTICE → 138****1234',
      input: { mobile: '13857101234', templateId: 'SMS_FAULT_NOTICE', params: { ticket: 'T20261124-0012', time: '2026-11-25 09:00' } },
    });
  });

  it('the proposal message of a plain write does not speak of missing fields', () => {
    expect(messages.proposal('zh', '派单 T20261124-0012 → 杭州装维一组', ['Carol'], [])).toBe('「派单 T20261124-0012 → 杭州装维一组」：需 Carol 审批后执行，执行后会回读核验。');
    expect(messages.proposal('zh', '补全工单 T20261124-0012', ['Carol'], [])).toContain('已从 CRM 和资源系统查到缺失字段，需 Carol 审批后写入');
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
