import { describe, expect, it } from 'vitest';
import { parseCommand } from '../planner.js';
import { fakeTools, proposalOf, run, ticket } from '../../../tests/helpers/skill-harness.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner', () => {
  it.each([
    ['补全工单 T20261124-0012', 'zh'],
    ['complete ticket T20261124-0012', 'en'],
    ['补全工单t20261124-0012', 'zh'],
    ['请帮我补全 工单 Ｔ２０２６１１２４－００１２', 'zh'],
    ['/complete T20261124-0012', 'en'],
  ])('reads a ticket completion: %s', (text, lang) => {
    expect(parseCommand(text)).toEqual({ flow: 'ticket.complete', lang, ticketId: 'T20261124-0012' });
  });
});

describe('the completion proposal carries, per value, where it was read and when (approval card, issue 13)', () => {
  it('CRM for the address, the resource system for the port, the ticket system for the target', async () => {
    const before = Date.now();
    const base = ticket({ address: null, accessPort: null });
    const { tools } = fakeTools({
      'ticket.get': () => ({ ...base, missingFields: ['address', 'accessPort'] }),
      'crm.getCustomer': () => ({
        customerId: 'C000123', name: '张三', mobile: '13857101234', residentId: '330106199001011234', status: 'ACTIVE',
        realNameVerified: true, plans: [], address: '杭州市西湖区文三路 90 号', broadbandAccount: 'hz81000123', region: 'hangzhou',
      }),
      'resource.getPort': () => ({
        olt: 'OLT-HZ-01', fsp: '0/1/3', region: 'hangzhou', adminStatus: 'up', operStatus: 'up', onuId: 1, onuSn: 'HWTC12345678',
        rxPowerDbm: -21, txPowerDbm: 2, rxBand: 'normal', lastDownCause: null, lastDownAt: null, broadbandAccount: 'hz81000123',
      }),
    });
    const p = proposalOf(await run('complete ticket T20261124-0012', tools));
    expect(p.input).toMatchObject({ fields: { address: '杭州市西湖区文三路 90 号', accessPort: 'OLT-HZ-01 0/1/3' }, expected: { address: null, accessPort: null } });
    expect(p.sources?.address?.system).toBe('crm');
    expect(p.sources?.accessPort?.system).toBe('resource');
    const readAt = (p.sources?.address as { readAt: string }).readAt;
    expect(Date.parse(readAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(p.card).toMatchObject({
      title: { zh: '补全工单 T20261124-0012', en: 'Complete ticket T20261124-0012' },
      action: { zh: '补全工单', en: 'Complete ticket' },
      target: { value: 'T20261124-0012 · C000123 · 13857101234', source: { system: 'ticket' } },
    });
  });
});
describe('everyday phrasings', () => everydayPhrasings('ticket.complete'));
