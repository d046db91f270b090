/**
 * nms.getAlarm and nms.acknowledgeAlarm against the sandbox through the real runtime (Chromium):
 * normal, abnormal and boundary cases, both layouts. One harness for the file.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxState } from '../../sandbox/state.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';
import { systemCaller } from '../scope.js';
import { DEFAULT_READ_ATTEMPTS } from '../runner.js';

let h: ToolHarness;
let state: SandboxState;
beforeAll(async () => {
  // A high breaker threshold: the 500 cases must not open the breaker for the rest of the file.
  h = await startToolHarness({ RPA_BREAKER_THRESHOLD: '100' });
  state = h.sandbox.state;
}, 60_000);
afterAll(() => h?.close());
afterEach(() => h.sandbox.faults.reset());

describe('nms.getAlarm', () => {
  it('reads an active and an acknowledged alarm (normal), the same in layout b (boundary)', async () => {
    const { output } = await h.run('nms.getAlarm', { alarmId: 'alm900005' });
    expect(output).toEqual({
      id: 'ALM900005',
      severity: 'critical',
      ne: 'OLT-HZ-02',
      object: '0/2/7 ONU 9',
      type: 'LOS',
      probableCause: '光纤断裂或 ONU 掉电 / Fiber cut or ONU powered off',
      raisedAt: '2026-11-24 07:42:18',
      clearedAt: null,
      acknowledged: false,
      serviceAffecting: true,
      acknowledgedBy: null,
      acknowledgedAt: null,
      ackNote: null,
    });
    h.sandbox.faults.set({ system: 'nms', layout: 'b' });
    expect((await h.run('nms.getAlarm', { alarmId: 'ALM900005' })).output).toEqual(output);
    expect((await h.run('nms.getAlarm', { alarmId: 'ALM900003' })).output).toMatchObject({ acknowledged: true, clearedAt: '2026-11-23 21:19:52', acknowledgedBy: null });
  });

  it('answers not_found, invalid_input, and a system error on 500s (abnormal)', async () => {
    expect((await h.fail('nms.getAlarm', { alarmId: 'ALM000000' })).code).toBe('not_found');
    expect((await h.fail('nms.getAlarm', { alarmId: 'ALM-1' })).code).toBe('invalid_input');
    h.sandbox.faults.set({ system: 'nms', errorRate: 1 });
    const e = await h.fail('nms.getAlarm', { alarmId: 'ALM900001' });
    expect(e.name).toBe('SystemError');
    expect(e.record?.attempts).toBe(DEFAULT_READ_ATTEMPTS);
  });
});

describe('nms.acknowledgeAlarm', () => {
  it('acknowledges through form and confirm, verify reads it back (normal); the same approval again is alreadyApplied (boundary)', async () => {
    const input = { alarmId: 'ALM900001', note: '已派单处理 / Work order dispatched', expected: { acknowledged: false, cleared: false } };
    const { output } = await h.run('nms.acknowledgeAlarm', input, { idempotencyKey: 'appr-ack-1' });
    expect(output).toMatchObject({ alarmId: 'ALM900001', acknowledged: true, acknowledgedBy: 'rpa_bot', alreadyApplied: false });
    expect(state.alarms.find((a) => a.id === 'ALM900001')).toMatchObject({ acknowledged: true, ackNote: input.note, ackIdempotencyKey: 'appr-ack-1' });
    expect((await h.runtime.runner.verify('nms.acknowledgeAlarm', input, output, { caller: systemCaller('tool test'), idempotencyKey: 'appr-ack-1' })).ok).toBe(true);
    expect((await h.run('nms.acknowledgeAlarm', input, { idempotencyKey: 'appr-ack-1' })).output).toMatchObject({ alreadyApplied: true, acknowledgedBy: 'rpa_bot' });
    // Another approval for the same alarm: it is no longer unacknowledged.
    expect((await h.fail('nms.acknowledgeAlarm', input, { idempotencyKey: 'appr-ack-2' })).code).toBe('stale_state');
    expect((await h.runtime.runner.verify('nms.acknowledgeAlarm', input, null, { caller: systemCaller('tool test'), idempotencyKey: 'appr-ack-2' })).ok).toBe(false);
  });

  it('acknowledges a cleared, unacknowledged alarm in layout b (boundary)', async () => {
    const cleared = state.alarms.find((a) => a.clearedAt !== '' && !a.acknowledged)!;
    h.sandbox.faults.set({ system: 'nms', layout: 'b' });
    const { output } = await h.run('nms.acknowledgeAlarm', { alarmId: cleared.id, expected: { acknowledged: false, cleared: true } }, { idempotencyKey: 'appr-ack-c' });
    expect(output).toMatchObject({ alarmId: cleared.id, acknowledged: true, alreadyApplied: false });
  });

  it('refuses an alarm acknowledged by hand, a changed cleared state, no approval id, an unknown alarm, 500s (abnormal)', async () => {
    const exp = { acknowledged: false, cleared: false };
    expect((await h.fail('nms.acknowledgeAlarm', { alarmId: 'ALM900003', expected: { acknowledged: false, cleared: true } }, { idempotencyKey: 'appr-ack-h' })).code).toBe('stale_state');
    const changed = await h.fail('nms.acknowledgeAlarm', { alarmId: 'ALM900005', expected: { acknowledged: false, cleared: true } }, { idempotencyKey: 'appr-ack-s' });
    expect(changed.code).toBe('stale_state');
    expect(changed.message).toMatch(/active now/);
    expect((await h.fail('nms.acknowledgeAlarm', { alarmId: 'ALM900005', expected: exp })).code).toBe('invalid_input');
    expect((await h.fail('nms.acknowledgeAlarm', { alarmId: 'ALM000000', expected: exp }, { idempotencyKey: 'appr-ack-u' })).code).toBe('not_found');
    expect((await h.fail('nms.acknowledgeAlarm', { alarmId: 'ALM900005', expected: { acknowledged: true, cleared: false } }, { idempotencyKey: 'appr-ack-x' })).code).toBe('invalid_input');
    h.sandbox.faults.set({ system: 'nms', errorRate: 1 });
    expect((await h.fail('nms.acknowledgeAlarm', { alarmId: 'ALM900005', expected: exp }, { idempotencyKey: 'appr-ack-500' })).name).toBe('SystemError');
    h.sandbox.faults.reset();
    expect(state.alarms.find((a) => a.id === 'ALM900005')?.acknowledged).toBe(false);
  });

  it('summarizes the card in both languages', () => {
    const tool = h.runtime.registry.get('nms.acknowledgeAlarm')!;
    expect(tool.summarize!({ alarmId: 'ALM900005', expected: { acknowledged: false, cleared: false } }, 'zh')).toEqual([
      { label: '告警', value: 'ALM900005' },
      { label: '告警状态', value: '活动' },
      // The change, current → new: the action's name is the card's, not a line's.
      { label: '确认状态', value: '已确认', current: '未确认', key: 'acknowledged' },
    ]);
  });
});
