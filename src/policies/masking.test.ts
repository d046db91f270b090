import { describe, expect, it } from 'vitest';
import { customerRefLabel, hasPersonalNumber, isLuhnValid, isValidResidentId, maskDeep, maskIdLike, maskResidentId, maskText, type MaskCounts } from './masking.js';

describe('maskText', () => {
  it('masks a valid resident ID, keeping at most the first 6 and last 4', () => {
    expect(maskText('证件 11010519491231002X 已核验')).toBe('证件 110105********002X 已核验');
  });

  it('masks an 18-character ID whose check character is wrong: masking goes by shape, not checksum', () => {
    expect(isValidResidentId('110105194912310021')).toBe(false);
    expect(maskText('证件 110105194912310021')).toBe('证件 110105********0021');
    expect(maskText('证件 11010519491231003x')).toBe('证件 110105********003X');
    expect(maskText('旧证 330106800101123')).toBe('旧证 330106*****1123'); // 15-digit pre-1999 ID
  });

  it('finds IDs written with full-width digits, spaces or dashes', () => {
    expect(maskText('１１０１０５１９４９１２３１００２Ｘ')).toBe('110105********002X');
    expect(maskText('110105 19491231 002x')).toBe('110105********002X');
    expect(maskText('110105-1949-1231-002X')).toBe('110105********002X');
  });

  it('masks mobiles with and without country code, as 138****5678', () => {
    expect(maskText('call 13812345678 now')).toBe('call 138****5678 now');
    expect(maskText('+86 138 1234 5678')).toBe('138****5678');
    expect(maskText('008613812345678')).toBe('138****5678');
    expect(maskText('电话：１３８１２３４５６７８')).toBe('电话：138****5678');
    expect(maskText('13812345678,13912345678')).toBe('138****5678,139****5678');
  });

  it('does not mask what only looks like a mobile', () => {
    expect(maskText('工单 T20261124-0012')).toBe('工单 T20261124-0012');
    expect(maskText('12812345678')).toBe('12812345678');
    expect(maskText('138123456789')).toBe('138123456789');
  });

  it('masks 16-19-digit card numbers whether or not they pass Luhn, keeping at most the first 6 and last 4', () => {
    expect(maskText('卡号 6222 0212 3456 7890 128')).toBe('卡号 622202*********0128');
    expect(maskText('4111111111111111')).toBe('411111******1111');
    expect(isLuhnValid('6222021234567890124')).toBe(false);
    expect(maskText('card 6222021234567890124 refused')).toBe('card 622202*********0124 refused');
    expect(maskText('6222-0212-3456-7890')).toBe('622202******7890');
    expect(maskText('１２３４５６７８９０１２３４５６')).toBe('123456******3456');
  });

  it('masks inside nested values', () => {
    expect(maskDeep({ a: ['13812345678'], b: { c: 'id 11010519491231002X' }, n: 3 })).toEqual({
      a: ['138****5678'],
      b: { c: 'id 110105********002X' },
      n: 3,
    });
  });

  it('validates the GB 11643 check character', () => {
    expect(isValidResidentId('11010519491231002X')).toBe(true);
    expect(isValidResidentId('110105194912310020')).toBe(false);
  });
});

describe('masking by shape in running text', () => {
  it('finds numbers in Chinese text without spaces around them', () => {
    expect(maskText('身份证11010519491231002X已核验，手机13812345678，卡号6222021234567890124。')).toBe(
      '身份证110105********002X已核验，手机138****5678，卡号622202*********0124。',
    );
  });

  it('masks mobiles in every written form', () => {
    for (const form of ['13812345678', '+86 138 1234 5678', '0086-138-1234-5678', '８６１３８１２３４５６７８', '+8613812345678', '138-1234-5678', '(+86)13812345678', '＋８６ １３８ １２３４ ５６７８']) {
      expect(maskText(`电话${form}谢谢`), form).toMatch(/^电话(?:\(\+86\))?138\*{4}5678谢谢$/);
    }
  });

  it('does not mask identifiers, dates, amounts and measurements', () => {
    const text = [
      'T20261124-0012', 'W20261120-0003', 'ALM900001', 'C000123', 'OLT-HZ-01', '0/1/3', 'ONU 5', 'HWTC1A2B3C4D', 'hz81000123',
      '-26.40 dBm', '2026-11-24 14:03', '2026-11-24T14:03:12.123Z', '20261124', '¥1,234.56', '123456789012.34', 'ORD-202610-001-0011',
      'ORD-202610-001-0011 2026-11-24 2026-11-25', '1764590000000', '0571-88881234', 'id 12345678-1234-4567-8901-234567890123',
    ].join(' | ');
    expect(maskText(text)).toBe(text);
    expect(hasPersonalNumber(text)).toBe(false);
  });

  it('splits a run of numbers into the numbers it holds and counts them', () => {
    const counts: MaskCounts = { residentIds: 0, mobiles: 0, bankCards: 0 };
    expect(maskText('13812345678 13912345678 11010519491231002X', counts)).toBe('138****5678 139****5678 110105********002X');
    expect(counts).toEqual({ residentIds: 1, mobiles: 2, bankCards: 0 });
  });

  it('is idempotent: masked values stay as they are', () => {
    const once = maskText('13812345678 11010519491231002X 6222021234567890124');
    expect(maskText(once)).toBe(once);
  });
});

describe('masking what a person typed as an ID, and customer references', () => {
  it('shows at most the first 6 and last 4 of anything ID-like, whatever its length', () => {
    expect(maskIdLike('11010519491231002X')).toBe(maskResidentId('11010519491231002X'));
    expect(maskIdLike('１１０１０５ 4912310 21')).toBe('110105*****1021'); // 15-digit legacy id, full-width, spaces
    expect(maskIdLike('12345678')).toBe('12****78');
    expect(maskIdLike('1234')).toBe('****');
  });

  it('names a customer by id as is and by mobile masked', () => {
    expect(customerRefLabel({ customerId: 'C000123' })).toBe('C000123');
    expect(customerRefLabel({ mobile: '13857101234' })).toBe('138****1234');
  });
});
