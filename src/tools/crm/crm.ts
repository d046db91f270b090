/** crm.getCustomer: a customer record from the CRM, by customer id, mobile or broadband account. */
import { defineTool } from '../define.js';
import { gotoPage } from '../browser-pool.js';
import { BusinessError, SystemError } from '../errors.js';
import { customerSchema, getCustomerInput } from './schemas.js';
import { column, orNull, pageResult, pick, readKeyValues, readListTable, yes } from '../portal/page-reading.js';

const SYSTEM = 'crm';

export const getCustomer = defineTool({
  name: 'crm.getCustomer',
  effect: 'read',
  system: 'crm',
  description:
    '查询客户资料（按客户编号、手机号或宽带账号）。Look up a customer by customer id, mobile number or broadband account: status, real-name verification, plans, address, broadband account.',
  input: getCustomerInput,
  output: customerSchema,
  scope: { input: [], output: [{ path: 'region', kind: 'region' }] },
  async run(input, ctx) {
    const key = 'customerId' in input ? input.customerId : 'mobile' in input ? input.mobile : input.broadbandAccount;
    return ctx.withPage('crm', async (page, base) => {
      let id = 'customerId' in input ? input.customerId : undefined;
      if (!id) {
        ctx.step('search customer');
        await gotoPage(page, `${base}/customers?q=${encodeURIComponent(key)}`, SYSTEM);
        const table = await readListTable(page, /./);
        const row = table?.rows[0];
        if (!table || !row || (await pageResult(page))?.result === 'not_found') throw notFound(key);
        id = row[column(table, 'Customer ID', SYSTEM)];
      }
      ctx.step('open customer', { customerId: id });
      await gotoPage(page, `${base}/customers/${encodeURIComponent(id ?? '')}`, SYSTEM);
      if ((await pageResult(page))?.result === 'not_found') throw notFound(key);
      const kv = await readKeyValues(page);
      const status = pick(kv, 'Status', SYSTEM);
      if (!['ACTIVE', 'SUSPENDED', 'ARREARS', 'CLOSED'].includes(status)) {
        throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: unknown customer status "${status}"`);
      }
      return {
        customerId: pick(kv, 'Customer ID', SYSTEM),
        name: pick(kv, 'Name', SYSTEM),
        mobile: pick(kv, 'Mobile', SYSTEM),
        residentId: pick(kv, 'Resident ID', SYSTEM),
        status: status as 'ACTIVE',
        realNameVerified: yes(pick(kv, 'Real-name verified', SYSTEM)),
        plans: pick(kv, 'Plans', SYSTEM).split('\n').map((s) => s.trim()).filter(Boolean),
        address: orNull(pick(kv, 'Address', SYSTEM)),
        broadbandAccount: orNull(pick(kv, 'Broadband account', SYSTEM)),
        region: orNull(pick(kv, 'Region', SYSTEM)),
      };
    });
  },
});

function notFound(key: string): BusinessError {
  return new BusinessError('not_found', `No customer found for ${key}`, { zh: `CRM 中找不到客户：${key}` });
}
