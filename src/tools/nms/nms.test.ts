/**
 * nms.listAlarms against the sandbox through the real runtime: normal, abnormal and boundary
 * cases (DOMAIN.md test-case sets). One harness for the file; tests run in order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '../../sandbox/seed.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';
import { DEFAULT_READ_ATTEMPTS } from '../runner.js';

let h: ToolHarness;
beforeAll(async () => {
  h = await startToolHarness({ RPA_BREAKER_THRESHOLD: '100' });
}, 60_000);
afterAll(() => h?.close());
afterEach(() => h.sandbox.faults.reset());

type AlarmsOut = { alarms: Array<{ id: string }>; total: number; truncated: boolean };

describe('nms.listAlarms', () => {
  it('lists the active alarms of a port and its ONUs, and all of them with state all (normal)', async () => {
    const active = (await h.run('nms.listAlarms', { ne: 'OLT-HZ-01', object: '0/1/3' })).output as AlarmsOut;
    expect(active.alarms.map((a) => a.id).sort()).toEqual(demo.port.activeAlarmIds);
    expect(active).toMatchObject({ total: 2, truncated: false });
    const all = (await h.run('nms.listAlarms', { ne: 'OLT-HZ-01', object: '0/1/3', state: 'all' })).output as AlarmsOut;
    expect(all.alarms.map((a) => a.id).sort()).toEqual([...demo.port.activeAlarmIds, ...demo.port.clearedAlarmIds].sort());
  });

  it('lists the alarms raised since a time, in either state; an alarm raised exactly then counts (boundary)', async () => {
    // Seeded on 0/1/3: ALM900004 2026-11-18 14:02:33, ALM900003 2026-11-23 21:14:05 (both cleared),
    // ALM900001 2026-11-23 21:20:11, ALM900002 2026-11-24 06:05:47 (both active).
    const since = (await h.run('nms.listAlarms', { ne: 'OLT-HZ-01', object: '0/1/3', state: 'all', since: '2026-11-23 21:14:05' })).output as AlarmsOut;
    expect(since.alarms.map((a) => a.id).sort()).toEqual(['ALM900001', 'ALM900002', 'ALM900003']);
    const activeSince = (await h.run('nms.listAlarms', { ne: 'OLT-HZ-01', object: '0/1/3', since: '2026-11-24 00:00' })).output as AlarmsOut;
    expect(activeSince.alarms.map((a) => a.id)).toEqual(['ALM900002']);
    expect((await h.fail('nms.listAlarms', { ne: 'OLT-HZ-01', since: 'yesterday' })).code).toBe('invalid_input');
  });

  it('reads 45 alarms across three pages, cuts at the limit with truncated, in layout b; empty for a quiet port (boundary)', async () => {
    const busy = (await h.run('nms.listAlarms', { ne: demo.busyOlt.name })).output as AlarmsOut;
    expect(busy.alarms).toHaveLength(45);
    expect(new Set(busy.alarms.map((a) => a.id)).size).toBe(45);
    expect(busy).toMatchObject({ total: 45, truncated: false });
    h.sandbox.faults.set({ system: 'nms', layout: 'b' });
    const cut = (await h.run('nms.listAlarms', { ne: demo.busyOlt.name, limit: 25 })).output as AlarmsOut;
    expect(cut.alarms.map((a) => a.id)).toEqual(busy.alarms.slice(0, 25).map((a) => a.id));
    expect(cut).toMatchObject({ total: 45, truncated: true });
    expect((await h.run('nms.listAlarms', { ne: 'OLT-HZ-01', object: '0/1/4' })).output).toEqual({ alarms: [], total: 0, truncated: false });
  });

  it('refuses a malformed NE, and fails as a system error after retries on 500s (abnormal)', async () => {
    expect((await h.fail('nms.listAlarms', { ne: 'HZ-01' })).code).toBe('invalid_input');
    h.sandbox.faults.set({ system: 'nms', errorRate: 1 });
    const e = await h.fail('nms.listAlarms', { ne: 'OLT-HZ-01' });
    expect(e.name).toBe('SystemError');
    expect(e.record?.attempts).toBe(DEFAULT_READ_ATTEMPTS);
  });
});
