import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSandboxApp } from './server.js';
import type { SandboxState } from './state.js';
import { field, login, resultOf, rowIds } from '../../tests/helpers/sandbox-testkit.js';

let app: FastifyInstance;
let state: SandboxState;
const cookies: Record<string, string> = {};
beforeAll(async () => {
  ({ app, state } = await buildSandboxApp());
  for (const p of ['/crm', '/resource', '/nms', '/tickets']) cookies[p] = await login(app, p);
});
afterAll(() => app.close());

const get = async (url: string) => {
  const prefix = `/${url.split('/')[1]?.split('?')[0]}`;
  const res = await app.inject({ url, headers: { cookie: cookies[prefix] ?? '' } });
  expect(res.statusCode).toBe(200);
  return res.body;
};

describe('resource portal', () => {
  it('shows the demo port with the exact values', async () => {
    const html = await get('/resource/ports/OLT-HZ-01/0/1/3');
    const expected: Record<string, string> = {
      olt: 'OLT-HZ-01', fsp: '0/1/3', region: 'hangzhou', admin_status: 'up', oper_status: 'up', onu_id: '5',
      onu_sn: 'HWTC1A2B3C4D', rx_power: '-26.40', tx_power: '2.31', last_down_cause: 'Dying gasp',
      last_down_time: '2026-11-23 21:14:05', broadband_account: 'hz81000123',
    };
    for (const [k, v] of Object.entries(expected)) expect(field(html, k), k).toBe(v);
    expect(html).toContain('<th scope="row">接收光功率 Rx power (dBm)</th>');
    expect(html).toContain('<caption>');
  });

  it('shows "—" for a port with no reading, and the normal and ningbo demo ports', async () => {
    const down = await get('/resource/ports/OLT-HZ-02/0/2/7');
    expect(field(down, 'rx_power')).toBe('—');
    expect(field(down, 'oper_status')).toBe('down');
    expect(field(await get('/resource/ports/OLT-HZ-01/0/1/4'), 'rx_power')).toBe('-19.85');
    expect(field(await get('/resource/ports/OLT-NB-01/0/1/1'), 'region')).toBe('ningbo');
  });

  it('finds a port by OLT + F/S/P and by broadband account', async () => {
    expect(rowIds(await get('/resource/ports?olt=OLT-HZ-01&fsp=0/1/3'), 'results')).toEqual(['OLT-HZ-01 0/1/3']);
    expect(rowIds(await get('/resource/ports?account=hz81000123'), 'results')).toEqual(['OLT-HZ-01 0/1/3']);
    expect(rowIds(await get('/resource/ports?olt=OLT-WZ-01'), 'results')).toHaveLength(64);
  });

  it('answers an unknown port with a 200 "not found" message, and a bad F/S/P with an alert', async () => {
    expect(resultOf(await get('/resource/ports/OLT-HZ-09/0/1/3'))).toBe('not_found');
    expect(resultOf(await get('/resource/ports?olt=OLT-HZ-01&fsp=0/9/3'))).toBe('not_found');
    const bad = await get('/resource/ports?olt=OLT-HZ-01&fsp=0-1-3');
    expect(bad).toContain('role="alert"');
  });
});

describe('NMS portal', () => {
  it('pages an OLT with many active alarms 20 at a time', async () => {
    const p1 = await get('/nms/alarms?ne=OLT-HZ-03&state=active');
    expect(rowIds(p1, 'alarms')).toHaveLength(20);
    expect(p1).toContain('第 1/3 页');
    expect(p1).toMatch(/<a href="\/nms\/alarms\?ne=OLT-HZ-03&amp;state=active&amp;page=2" rel="next">下一页 Next<\/a>/);
    const p3 = await get('/nms/alarms?ne=OLT-HZ-03&state=active&page=3');
    expect(p3).toContain('第 3/3 页');
    expect(p3).not.toContain('下一页 Next');
    const ids = new Set([p1, await get('/nms/alarms?ne=OLT-HZ-03&state=active&page=2'), p3].flatMap((h) => rowIds(h, 'alarms')));
    expect(ids.size).toBe(45);
  });

  it('filters by port: the port itself and its ONUs, active only or all', async () => {
    const active = await get('/nms/alarms?ne=OLT-HZ-01&object=0/1/3&state=active');
    expect(rowIds(active, 'alarms').sort()).toEqual(['ALM900001', 'ALM900002']);
    expect(field(active, 'object')).toBe('0/1/3');
    const all = rowIds(await get('/nms/alarms?ne=OLT-HZ-01&object=0/1/3&state=all'), 'alarms');
    expect(all.length).toBeGreaterThanOrEqual(4);
    const low = await get('/nms/alarms?ne=OLT-HZ-01&object=0/1/3%20ONU%205&state=active');
    expect(rowIds(low, 'alarms')).toEqual(['ALM900001']);
    for (const [f, v] of Object.entries({ severity: 'major', type: 'Low Rx power', acknowledged: '否', service_affecting: '否', cleared: '' })) {
      expect(field(low, f), f).toBe(v);
    }
  });

  it('does not mistake port 0/1/1 for 0/1/10..15', async () => {
    const neighbours = state.alarms.filter((a) => a.ne === 'OLT-NB-01' && /^0\/1\/1\d/.test(a.object));
    expect(neighbours.length).toBeGreaterThan(0); // otherwise this test proves nothing
    const html = await get('/nms/alarms?ne=OLT-NB-01&object=0/1/1&state=all');
    const objects = [...html.matchAll(/<td data-field="object">([^<]*)<\/td>/g)].map((m) => m[1]);
    for (const o of objects) expect(o).toMatch(/^0\/1\/1( |$)/);
  });

  it('says so when there is no alarm', async () => {
    const html = await get('/nms/alarms?ne=OLT-HZ-01&object=0/1/4&state=active');
    expect(rowIds(html, 'alarms')).toEqual([]);
    expect(resultOf(html)).toBe('no_alarms');
    expect(html).toContain('第 1/1 页');
  });
});

describe('CRM portal', () => {
  it('shows the demo customer with full mobile, masked name and a valid resident id', async () => {
    const html = await get('/crm/customers/C000123');
    expect(field(html, 'name')).toBe('张*');
    expect(field(html, 'mobile')).toBe('13857101234');
    expect(field(html, 'resident_id')).toBe('330106198503121231');
    expect(field(html, 'status')).toBe('ACTIVE');
    expect(field(html, 'real_name_verified')).toBe('是');
    expect(field(html, 'address')).toBe('杭州市西湖区文三路 398 号 3 幢 2 单元 501');
    expect(field(html, 'broadband_account')).toBe('hz81000123');
    expect(html).toContain('<li>宽带 300M</li>');
  });

  it.each(['C000123', 'c000123', '13857101234', '+86 138-5710-1234', 'hz81000123'])('finds the demo customer by %s', async (q) => {
    expect(rowIds(await get(`/crm/customers?q=${encodeURIComponent(q)}`), 'results')).toEqual(['C000123']);
  });

  it('reports an unknown customer', async () => {
    expect(resultOf(await get('/crm/customers?q=C999999'))).toBe('not_found');
    expect(resultOf(await get('/crm/customers/C999999'))).toBe('not_found');
  });
});

describe('ticket pages', () => {
  it('shows the demo ticket with its missing fields as empty cells', async () => {
    const html = await get('/tickets/T20261124-0012');
    expect(field(html, 'status')).toBe('open');
    expect(field(html, 'service_number')).toBe('13857101234');
    expect(field(html, 'fault_type')).toBe('宽带无法上网 / No internet');
    expect(field(html, 'priority')).toBe('P2');
    expect(field(html, 'version')).toBe('1');
    for (const f of ['broadband_account', 'address', 'access_port', 'onu_sn', 'idempotency_key']) expect(field(html, f), f).toBe('');
  });

  it('lists tickets by status, 20 a page', async () => {
    const html = await get('/tickets?status=open');
    const ids = rowIds(html, 'tickets');
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThanOrEqual(20);
    for (const id of ids) expect(html).toMatch(new RegExp(`data-id="${id}"><td[^>]*><a[^>]*>${id}</a></td><td data-field="status">open</td>`));
    const all = await get('/tickets?page=10');
    expect(all).toContain('第 10/10 页');
    expect(rowIds(all, 'tickets').at(-1)).toBe('T20261120-0001');
  });
});
