/** resource.getPort: a PON port's state from the resource system (资源管理系统). */
import type { Page } from 'playwright-core';
import { defineTool } from '../define.js';
import { BusinessError, SystemError } from '../errors.js';
import { gotoPage } from '../browser-pool.js';
import { getPortInput, portSchema, rxBand, type Port } from './schemas.js';
import { column, orNull, pageResult, pick, readKeyValues, readListTable } from '../portal/page-reading.js';

const SYSTEM = 'resource';

export const getPort = defineTool({
  name: 'resource.getPort',
  effect: 'read',
  system: 'resource',
  description:
    '查询 PON 端口状态：管理/运行状态、ONU、收发光功率及其区间、最近掉线原因。Look up a PON port (by OLT + F/S/P, or by broadband account): status, ONU, optical power band, last down cause.',
  input: getPortInput,
  output: portSchema,
  scope: {
    input: [{ path: 'olt', kind: 'region', via: 'oltRegion' }],
    output: [
      { path: 'region', kind: 'region' },
      { path: 'olt', kind: 'region', via: 'oltRegion' },
    ],
  },
  async run(input, ctx) {
    return ctx.withPage('resource', async (page, base) => {
      let olt: string;
      let fsp: string;
      if ('broadbandAccount' in input) {
        ctx.step('search port by broadband account');
        await gotoPage(page, `${base}/ports?account=${encodeURIComponent(input.broadbandAccount)}`, SYSTEM);
        const table = await readListTable(page, /Search results/i);
        const row = table?.rows[0];
        if (!table || !row) {
          throw new BusinessError('not_found', `No port is registered for broadband account ${input.broadbandAccount}`, {
            zh: `资源系统中没有宽带账号 ${input.broadbandAccount} 对应的端口`,
          });
        }
        olt = row[column(table, 'OLT', SYSTEM)] ?? '';
        fsp = row[column(table, 'F/S/P', SYSTEM)] ?? '';
      } else {
        olt = input.olt;
        fsp = input.fsp;
      }
      const [f, s, p] = fsp.split('/');
      ctx.step('open port detail', { olt, fsp });
      await gotoPage(page, `${base}/ports/${encodeURIComponent(olt)}/${f}/${s}/${p}`, SYSTEM);
      return readPortDetail(page, olt, fsp);
    });
  },
});

async function readPortDetail(page: Page, olt: string, fsp: string): Promise<Port> {
  const outcome = await pageResult(page);
  if (outcome?.result === 'not_found') {
    throw new BusinessError('not_found', `Port ${olt} ${fsp} does not exist in the resource system`, { zh: `资源系统中没有端口 ${olt} ${fsp}` });
  }
  const kv = await readKeyValues(page);
  const status = (label: string) => {
    const v = pick(kv, label, SYSTEM).toLowerCase();
    if (v !== 'up' && v !== 'down') throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: ${label} reads "${v}"`);
    return v;
  };
  const power = (label: string) => {
    const v = orNull(pick(kv, label, SYSTEM));
    if (v === null) return null;
    const n = Number.parseFloat(v);
    if (Number.isNaN(n)) throw new SystemError('unexpected_page', SYSTEM, `${SYSTEM}: ${label} reads "${v}"`);
    return n;
  };
  const onuId = orNull(pick(kv, 'ONU ID', SYSTEM));
  const rx = power('Rx power (dBm)');
  return {
    olt: pick(kv, 'OLT', SYSTEM),
    fsp: pick(kv, 'F/S/P', SYSTEM),
    region: pick(kv, 'Region', SYSTEM),
    adminStatus: status('Admin status'),
    operStatus: status('Oper status'),
    onuId: onuId === null ? null : Number.parseInt(onuId, 10),
    onuSn: orNull(pick(kv, 'ONU SN', SYSTEM)),
    rxPowerDbm: rx,
    txPowerDbm: power('Tx power (dBm)'),
    rxBand: rxBand(rx),
    lastDownCause: orNull(pick(kv, 'Last down cause', SYSTEM)),
    lastDownAt: orNull(pick(kv, 'Last down time', SYSTEM)),
    broadbandAccount: orNull(pick(kv, 'Broadband account', SYSTEM)),
  };
}
