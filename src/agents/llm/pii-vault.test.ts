import { describe, expect, it } from 'vitest';
import { PiiVault } from './pii-vault.js';

describe('PiiVault', () => {
  it('replaces mobiles, resident IDs and bank cards by stable placeholders and restores them exactly', () => {
    const v = new PiiVault();
    const text = '客户 138 5710 1234（+86 13857101234）身份证 33010619900101123X，卡号 6222021234567890123';
    const red = v.redact(text);
    expect(red).toBe('客户 <MOBILE_1>(<MOBILE_1>)身份证 <ID_1>,卡号 <CARD_1>');
    expect(red).not.toMatch(/\d{11}/);
    expect(v.restore('call <MOBILE_1> about <ID_1>')).toBe('call 13857101234 about 33010619900101123X');
    expect(v.restoreMasked('call <MOBILE_1>')).toBe('call 138****1234');
  });

  it('leaves ticket ids, OLT names, ports, times and customer ids alone', () => {
    const v = new PiiVault();
    const text = 'T20261124-0012 OLT-HZ-01 0/1/3 2026-11-24 14:03 C000123 hz81000123 -26.40 dBm ALM900001';
    expect(v.redact(text)).toBe(text);
    expect(v.size).toBe(0);
  });

  it('redacts values under personal-data keys whatever their shape, deep inside tool outputs', () => {
    const v = new PiiVault();
    const out = v.redactDeep({ customer: { mobile: '1385710123', residentId: 'bad-id', notes: ['回电 13900001111'] }, olt: 'OLT-HZ-01' });
    expect(out).toEqual({ customer: { mobile: '<MOBILE_1>', residentId: '<ID_1>', notes: ['回电 <MOBILE_2>'] }, olt: 'OLT-HZ-01' });
    expect(v.restoreDeep({ mobile: '<MOBILE_2>' })).toEqual({ mobile: '13900001111' });
  });

  it('survives a snapshot: the next turn keeps the same numbering', () => {
    const a = new PiiVault();
    a.redact('13857101234');
    const b = new PiiVault(JSON.parse(JSON.stringify(a.snapshot())));
    expect(b.redact('再查 13857101234 和 13900001111')).toBe('再查 <MOBILE_1> 和 <MOBILE_2>');
  });

  it('does not invent values for unknown placeholders', () => {
    expect(new PiiVault().restore('<MOBILE_9>')).toBe('<MOBILE_9>');
  });
});

describe('PiiVault: names and addresses', () => {
  it('replaces names and addresses under their keys and wherever they appear again, and restores them for tools only', () => {
    const v = new PiiVault();
    const out = v.redactDeep({
      customer: { customerId: 'C000123', name: '张伟', address: '杭州市西湖区文三路 398 号 3 幢 2 单元 501', mobile: '13857101234' },
      ticket: { notes: '张伟来电：地址 杭州市西湖区文三路 398 号 3 幢 2 单元 501 无信号' },
    });
    const text = JSON.stringify(out);
    expect(text).not.toContain('张伟');
    expect(text).not.toContain('文三路');
    expect(out.customer).toEqual({ customerId: 'C000123', name: '<NAME_1>', address: '<ADDR_1>', mobile: '<MOBILE_1>' });
    expect(out.ticket.notes).toBe('<NAME_1>来电:地址 <ADDR_1> 无信号');
    expect(v.redact('帮张伟改约')).toBe('帮<NAME_1>改约');
    expect(v.restoreDeep({ name: '<NAME_1>', address: '<ADDR_1>' })).toEqual({ name: '张伟', address: '杭州市西湖区文三路 398 号 3 幢 2 单元 501' });
    expect(v.restoreMasked('<NAME_1> 住 <ADDR_1>')).toBe('张* 住 杭州市西湖区****');
  });

  it('finds a street address by its shape in free text', () => {
    const v = new PiiVault();
    expect(v.redact('新地址：宁波市海曙区中山西路 12 号 5 幢 1 单元 302，尽快处理')).toBe('新地址:<ADDR_1>,尽快处理');
    expect(v.restore('<ADDR_1>')).toBe('宁波市海曙区中山西路 12 号 5 幢 1 单元 302');
  });
});
