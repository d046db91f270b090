import { describe, expect, it } from 'vitest';
import { customerRefLabel, isValidResidentId, maskDeep, maskIdLike, maskResidentId, maskText } from './masking.js';

describe('maskText', () => {
  it('masks a valid resident ID, keeping at most the first 6 and last 4', () => {
    expect(maskText('证件 11010519491231002X 已核验')).toBe('证件 110105********002X 已核验');
  });

  it('leaves an 18-digit number whose checksum fails (not an ID)', () => {
    expect(maskText('流水号 110105194912310021')).toBe('流水号 110105194912310021');
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

  it('masks Luhn-valid bank cards only', () => {
    expect(maskText('卡号 6222 0212 3456 7890 128')).toMatch(/^卡号 622202\*+0128$/);
    expect(maskText('4111111111111111')).toBe('411111******1111');
    expect(maskText('4111111111111112')).toBe('4111111111111112');
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
