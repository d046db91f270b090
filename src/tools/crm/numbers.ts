/**
 * crm.getNumberStatus: one number's line status from the CRM's number status page
 * (/crm/numbers?mobile=…): status, holder, region, main plan. A number nobody holds (空号) is an
 * answer, status UNASSIGNED, not an error. The unit of the batch number-status query.
 */
import { defineTool } from '../define.js';
import { gotoPage } from '../browser-pool.js';
import { BusinessError, SystemError } from '../errors.js';
import { getNumberStatusInput, getNumberStatusOutput } from './schemas.js';
import { maskMobile } from '../../policies/masking.js';
import { orNull, pageResult, pick, readKeyValues } from '../portal/page-reading.js';

const SYSTEM = 'crm';
const STATUSES = ['ACTIVE', 'SUSPENDED', 'ARREARS', 'CLOSED'] as const;

export const getNumberStatus = defineTool({
  name: 'crm.getNumberStatus',
  effect: 'read',
  system: 'crm',
  description:
    '查询号码状态（在用、停机、欠费、销户或空号）、归属客户、区域和主套餐。Look up a mobile number\'s line status (ACTIVE, SUSPENDED, ARREARS, CLOSED or UNASSIGNED), its customer, region and main plan.',
  input: getNumberStatusInput,
  output: getNumberStatusOutput,
  scope: { input: [], output: [{ path: 'region', kind: 'region' }] },
  async run(input, ctx) {
    return ctx.withPage('crm', async (page, base) => {
      ctx.step('open number status');
      await gotoPage(page, `${base}/numbers?mobile=${encodeURIComponent(input.mobile)}`, SYSTEM);
      const result = await pageResult(page);
      if (result?.result === 'unassigned') {
        ctx.step('number unassigned');
        return { mobile: input.mobile, status: 'UNASSIGNED' as const, customerId: null, region: null, plan: null };
      }
      if (result?.result === 'validation_error') {
        throw new BusinessError('invalid_input', `The CRM refused the number ${maskMobile(input.mobile)}`, { zh: `CRM 不接受号码 ${maskMobile(input.mobile)}` });
      }
      const kv = await readKeyValues(page);
      const status = pick(kv, 'Line status', SYSTEM);
      if (!(STATUSES as readonly string[]).includes(status)) {
        throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unknown line status "${status}"`);
      }
      return {
        mobile: pick(kv, 'Mobile', SYSTEM),
        status: status as (typeof STATUSES)[number],
        customerId: orNull(pick(kv, 'Customer ID', SYSTEM)),
        region: orNull(pick(kv, 'Region', SYSTEM)),
        plan: orNull(pick(kv, 'Main plan', SYSTEM)),
      };
    });
  },
});
