import { describe, expect, it } from 'vitest';
import { parseCommand } from './planner.js';

describe('command planner', () => {
  it.each([
    ['查端口 OLT-HZ-01 0/1/3', 'zh'],
    ['port OLT-HZ-01 0/1/3', 'en'],
    ['  查端口   olt-hz-01   0 / 1 / 3 ', 'zh'],
    ['查端口ＯＬＴ－ＨＺ－０１　０／１／３', 'zh'],
    ['/port OLT-HZ-01 0/1/3', 'en'],
    ['OLT-HZ-01 0/1/3', 'en'],
    ['帮我看下 OLT-HZ-01 0/1/3 的光功率', 'zh'],
    ['what is the status of OLT-HZ-01 0-1-3?', 'en'],
  ])('reads a port query: %s', (text, lang) => {
    expect(parseCommand(text)).toEqual({ flow: 'port.status', lang, olt: 'OLT-HZ-01', fsp: '0/1/3' });
  });

  it.each([
    ['补全工单 T20261124-0012', 'zh'],
    ['complete ticket T20261124-0012', 'en'],
    ['补全工单t20261124-0012', 'zh'],
    ['请帮我补全 工单 Ｔ２０２６１１２４－００１２', 'zh'],
    ['/complete T20261124-0012', 'en'],
  ])('reads a ticket completion: %s', (text, lang) => {
    expect(parseCommand(text)).toEqual({ flow: 'ticket.complete', lang, ticketId: 'T20261124-0012' });
  });

  it('reads alarm queries with and without a port', () => {
    expect(parseCommand('/alarms OLT-HZ-01')).toEqual({ flow: 'alarms.list', lang: 'en', ne: 'OLT-HZ-01', object: null });
    expect(parseCommand('查告警 OLT-HZ-01 0/1/3')).toEqual({ flow: 'alarms.list', lang: 'zh', ne: 'OLT-HZ-01', object: '0/1/3' });
  });

  it('shows a ticket when only its id is given', () => {
    expect(parseCommand('查工单 T20261124-0013')).toEqual({ flow: 'ticket.show', lang: 'zh', ticketId: 'T20261124-0013' });
    expect(parseCommand('T20261124-0013')).toEqual({ flow: 'ticket.show', lang: 'en', ticketId: 'T20261124-0013' });
  });

  it('asks for what is missing, in the language of the request', () => {
    const zh = parseCommand('查端口');
    expect(zh.flow).toBe('clarify');
    expect(zh.flow === 'clarify' && zh.question).toContain('OLT-HZ-01 0/1/3');
    expect(parseCommand('port OLT-HZ-01')).toMatchObject({ flow: 'clarify', lang: 'en' });
    expect(parseCommand('补全工单')).toMatchObject({ flow: 'clarify', lang: 'zh' });
    expect(parseCommand('complete ticket 12')).toMatchObject({ flow: 'clarify', lang: 'en' });
  });

  it('does not take a malformed port for a real one', () => {
    expect(parseCommand('port OLT-HZ-01 0/1/3/4').flow).not.toBe('port.status');
  });

  it('answers help and admits what it does not understand', () => {
    expect(parseCommand('帮助')).toEqual({ flow: 'help', lang: 'zh' });
    expect(parseCommand('help')).toEqual({ flow: 'help', lang: 'en' });
    expect(parseCommand('今天天气怎么样')).toEqual({ flow: 'unknown', lang: 'zh' });
    expect(parseCommand('tell me a joke')).toEqual({ flow: 'unknown', lang: 'en' });
  });
});

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

  it.each([
    ['黑名单 13857101234', 'zh', '13857101234', null],
    ['查风险 330106198503121231', 'zh', null, '330106198503121231'],
    ['blacklist check +86 138-5710-1234', 'en', '13857101234', null],
    ['黑名单　１３８５７１０１２３４', 'zh', '13857101234', null],
  ])('reads a blacklist check: %s', (text, lang, mobile, residentId) => {
    expect(parseCommand(text)).toEqual({ flow: 'blacklist.check', lang, mobile, residentId });
  });

  it('asks whom to check for risk', () => {
    expect(parseCommand('黑名单')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('手机号或身份证号') });
    expect(parseCommand('blacklist check')).toMatchObject({ flow: 'clarify', lang: 'en' });
  });

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

describe('command planner: work orders, reconciliation, batch (reads)', () => {
  it.each(['查派单 W20261124-0001', 'work order W20261124-0001', 'w20261124-0001', '派单详情 W20261124-0001', '查派单Ｗ２０２６１１２４－０００１'])(
    'shows a work order: %s',
    (text) => {
      expect(parseCommand(text)).toMatchObject({ flow: 'workorder.show', workOrderId: 'W20261124-0001' });
    },
  );

  it('asks which work order', () => {
    expect(parseCommand('work order')).toMatchObject({ flow: 'clarify', lang: 'en' });
    expect(parseCommand('查派单')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('派单号') });
  });

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

describe('command planner: writes', () => {
  it.each([
    ['确认告警 ALM900001', 'zh', null],
    ['ack alarm ALM900001', 'en', null],
    ['确认告警 ALM900001 已通知装维，稍后处理', 'zh', '已通知装维，稍后处理'],
    ['acknowledge alarm alm900001 note: fibre crew on site', 'en', 'fibre crew on site'],
    ['确认告警　ＡＬＭ９００００１', 'zh', null],
  ])('reads an alarm acknowledgement: %s', (text, lang, note) => {
    expect(parseCommand(text)).toEqual({ flow: 'alarm.ack', lang, alarmId: 'ALM900001', note });
  });

  it('asks which alarm to acknowledge (and does not list alarms instead)', () => {
    expect(parseCommand('确认告警')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('告警编号') });
    expect(parseCommand('ack alarm')).toMatchObject({ flow: 'clarify', lang: 'en' });
  });

  it.each([
    ['工单备注 T20261124-0012 用户已重启光猫，仍无法上网', 'zh', '用户已重启光猫，仍无法上网'],
    ['add note T20261124-0012 customer restarted the ONU', 'en', 'customer restarted the ONU'],
    ['add note T20261124-0012 用户已重启光猫', 'en', '用户已重启光猫'],
    ['工单备注 Ｔ２０２６１１２４－００１２ 用户说：查告警没用', 'zh', '用户说：查告警没用'],
  ])('reads a ticket note, keeping the note as typed: %s', (text, lang, note) => {
    expect(parseCommand(text)).toEqual({ flow: 'ticket.note', lang, ticketId: 'T20261124-0012', note });
  });

  it('asks for the ticket or the note text, and refuses an over-long note', () => {
    expect(parseCommand('工单备注')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('工单号') });
    expect(parseCommand('工单备注 T20261124-0012')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('备注内容') });
    expect(parseCommand(`add note T20261124-0012 ${'x'.repeat(500)}`)).toMatchObject({ flow: 'ticket.note' });
    expect(parseCommand(`add note T20261124-0012 ${'x'.repeat(501)}`)).toMatchObject({ flow: 'clarify', question: expect.stringContaining('500') });
  });

  it.each([
    ['派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00', 'zh', '杭州装维一组', null, null],
    ['派单 T20261124-0012 杭州装维一组 P2 2026-11-25 09:00-11:00 带光功率计', 'zh', '杭州装维一组', null, '带光功率计'],
    ['dispatch T20261124-0012 to 杭州装维一组 P2 2026-11-25 09:00-11:00', 'en', '杭州装维一组', null, null],
    ['dispatch T20261124-0012 to Zhang Wei P2 2026-11-25 09:00-11:00', 'en', null, 'Zhang Wei', null],
    ['派单 T20261124-0012 给 工程师 李强 P2 2026/11/25 9:00~11:00', 'zh', null, '李强', null],
    ['派单　Ｔ２０２６１１２４－００１２　杭州装维一组　Ｐ２　２０２６－１１－２５　０９：００－１１：００', 'zh', '杭州装维一组', null, null],
  ])('reads a dispatch: %s', (text, lang, team, engineer, note) => {
    expect(parseCommand(text)).toEqual({
      flow: 'workorder.dispatch',
      lang,
      ticketId: 'T20261124-0012',
      team,
      engineer,
      priority: 'P2',
      start: '2026-11-25 09:00',
      end: '2026-11-25 11:00',
      note,
    });
  });

  it.each([
    ['派单', '工单号'],
    ['派单 T20261124-0012 P2 2026-11-25 09:00-11:00', '班组或工程师'],
    ['派单 T20261124-0012 杭州装维一组 2026-11-25 09:00-11:00', '优先级'],
    ['派单 T20261124-0012 杭州装维一组 P2', '预约日期和时段'],
    ['派单 T20261124-0012 杭州装维一组 P2 2026-11-25', '预约日期和时段'],
    ['派单 T20261124-0012 杭州装维一组 P2 2026-11-25 11:00-09:00', '结束时间'],
    ['派单 T20261124-0012 杭州装维一组 P5 2026-11-25 09:00-11:00', '优先级'],
  ])('asks for what a dispatch lacks: %s', (text, asked) => {
    expect(parseCommand(text)).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining(asked) });
  });

  it('reads an SMS with template parameters (values may hold spaces)', () => {
    expect(parseCommand('发短信 13857101234 SMS_FAULT_NOTICE ticket=T20261124-0012 time=2026-11-25 09:00')).toEqual({
      flow: 'sms.send',
      lang: 'zh',
      mobile: '13857101234',
      templateId: 'SMS_FAULT_NOTICE',
      params: { ticket: 'T20261124-0012', time: '2026-11-25 09:00' },
    });
    expect(parseCommand('send sms 138-5710-1234 sms_fault_notice')).toEqual({ flow: 'sms.send', lang: 'en', mobile: '13857101234', templateId: 'SMS_FAULT_NOTICE', params: {} });
    expect(parseCommand('发短信　１３８５７１０１２３４　ＳＭＳ＿ＦＡＵＬＴ＿ＮＯＴＩＣＥ　ｔｉｃｋｅｔ＝T20261124-0012')).toMatchObject({
      flow: 'sms.send',
      params: { ticket: 'T20261124-0012' },
    });
  });

  it('asks for the SMS number, template or well-formed parameters', () => {
    expect(parseCommand('发短信 SMS_FAULT_NOTICE')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('手机号') });
    expect(parseCommand('send sms 13857101234')).toMatchObject({ flow: 'clarify', lang: 'en', question: expect.stringContaining('template') });
    expect(parseCommand('发短信 13857101234 SMS_FAULT_NOTICE 请尽快处理')).toMatchObject({ flow: 'clarify', question: expect.stringContaining('名称=值') });
  });

  it('keeps the existing commands where the new words could collide', () => {
    expect(parseCommand('查告警 OLT-HZ-01')).toMatchObject({ flow: 'alarms.list' });
    expect(parseCommand('查工单 T20261124-0012')).toMatchObject({ flow: 'ticket.show' });
    expect(parseCommand('what is the status of OLT-HZ-01 0-1-3?')).toMatchObject({ flow: 'port.status' });
    // A note that mentions other commands is still a note.
    expect(parseCommand('工单备注 T20261124-0012 补全工单后再派单')).toMatchObject({ flow: 'ticket.note', note: '补全工单后再派单' });
  });
});
