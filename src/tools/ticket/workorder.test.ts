/**
 * workorder.get and workorder.dispatch against the sandbox through the real runtime (Chromium):
 * normal, abnormal and boundary cases, both layouts. One harness for the file.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatLocal } from '../../sandbox/time.js';
import type { SandboxState } from '../../sandbox/state.js';
import { startToolHarness, type ToolHarness } from '../../../tests/helpers/tool-harness.js';
import { systemCaller } from '../scope.js';

let h: ToolHarness;
let state: SandboxState;
beforeAll(async () => {
  // A high breaker threshold: the 500 cases must not open the breaker for the rest of the file.
  h = await startToolHarness({ RPA_BREAKER_THRESHOLD: '100' });
  state = h.sandbox.state;
}, 60_000);
afterAll(() => h?.close());
afterEach(() => h.sandbox.faults.reset());

const T13 = 'T20261124-0013';
/** Local day after the sandbox's (real) clock, so appointment windows are in the future. */
const tomorrow = () => formatLocal(Date.now() + 86_400_000).slice(0, 10);
const dispatchInput = (over: Record<string, unknown> = {}) => ({
  ticketId: T13,
  type: 'repair',
  team: '杭州装维二组 HZ Field Team 2',
  engineer: '刘洋',
  priority: 'P2',
  window: { start: `${tomorrow()} 09:00`, end: `${tomorrow()} 12:00` },
  note: '复查光功率 / Recheck optical power',
  expected: { ticketStatus: 'open' },
  ...over,
});
const ticket = (id: string) => state.tickets.find((t) => t.id === id)!;
const closedTicket = () => state.tickets.find((t) => t.status === 'closed')!;

describe('workorder.get', () => {
  it('reads a work order by its labels (normal), the same in layout b (boundary)', async () => {
    const { output } = await h.run('workorder.get', { workOrderId: 'w20261124-0001' });
    expect(output).toEqual({
      workOrder: {
        id: 'W20261124-0001',
        ticketId: 'T20261124-0012',
        type: 'repair',
        status: 'dispatched',
        team: '杭州装维一组 HZ Field Team 1',
        engineer: '王建国',
        priority: 'P2',
        appointmentStart: '2026-11-25 09:00',
        appointmentEnd: '2026-11-25 12:00',
        address: '杭州市西湖区文三路 398 号 3 幢 2 单元 501',
        region: 'hangzhou',
        note: '上门检查光猫及入户光纤 / Check the ONT and the drop fiber on site',
        version: 1,
        idempotencyKey: null,
      },
    });
    h.sandbox.faults.set({ system: 'tickets', layout: 'b' });
    expect((await h.run('workorder.get', { workOrderId: 'W20261124-0001' })).output).toEqual(output);
  });

  it('gives null for an unassigned engineer (boundary)', async () => {
    const { output } = (await h.run('workorder.get', { workOrderId: 'W20261124-0002' })) as { output: { workOrder: { engineer: unknown; status: string } } };
    expect(output.workOrder).toMatchObject({ engineer: null, status: 'pending' });
  });

  it('answers not_found for an unknown work order, invalid_input for a malformed id (abnormal)', async () => {
    expect((await h.fail('workorder.get', { workOrderId: 'W20991231-0001' })).code).toBe('not_found');
    expect((await h.fail('workorder.get', { workOrderId: 'WO-1' })).code).toBe('invalid_input');
  });
});

describe('workorder.dispatch', () => {
  it('dispatches through form and confirm, verifies by read-back (normal)', async () => {
    const input = dispatchInput();
    const { output } = await h.run('workorder.dispatch', input, { idempotencyKey: 'appr-wo-1' });
    const day = formatLocal(Date.now()).slice(0, 10).replace(/-/g, '');
    expect(output).toMatchObject({ ticketId: T13, status: 'dispatched', alreadyApplied: false });
    const id = (output as { workOrderId: string }).workOrderId;
    expect(id).toMatch(new RegExp(`^W${day}-\\d{4}$`));
    expect(state.workOrders.filter((w) => w.idempotencyKey === 'appr-wo-1')).toEqual([
      expect.objectContaining({ id, ticketId: T13, team: '杭州装维二组 HZ Field Team 2', engineer: '刘洋', priority: 'P2', appointmentStart: input.window.start }),
    ]);
    const v = await h.runtime.runner.verify('workorder.dispatch', input, output, { caller: systemCaller('tool test'), idempotencyKey: 'appr-wo-1' });
    expect(v.ok).toBe(true);
    expect(v.lines).toContainEqual({ label: 'Engineer', value: '刘洋 ✓', zh: { label: '工程师', value: '刘洋 ✓' } });
  });

  it('the same approval twice makes one work order and answers alreadyApplied (boundary)', async () => {
    const input = dispatchInput({ engineer: undefined, team: 'HZ Field Team 3' });
    const first = (await h.run('workorder.dispatch', input, { idempotencyKey: 'appr-wo-2' })).output as { workOrderId: string };
    const again = (await h.run('workorder.dispatch', input, { idempotencyKey: 'appr-wo-2' })).output as { workOrderId: string; alreadyApplied: boolean };
    expect(again).toMatchObject({ workOrderId: first.workOrderId, alreadyApplied: true });
    expect(state.workOrders.filter((w) => w.idempotencyKey === 'appr-wo-2')).toHaveLength(1);
    expect((await h.runtime.runner.verify('workorder.dispatch', input, null, { caller: systemCaller('tool test'), idempotencyKey: 'appr-wo-2' })).ok).toBe(true);
  });

  it('accepts a window of exactly 8 hours, in layout b (boundary)', async () => {
    h.sandbox.faults.set({ system: 'tickets', layout: 'b' });
    const input = dispatchInput({ window: { start: `${tomorrow()} 09:00`, end: `${tomorrow()} 17:00` } });
    const { output } = await h.run('workorder.dispatch', input, { idempotencyKey: 'appr-wo-8h' });
    expect(output).toMatchObject({ alreadyApplied: false });
    expect((await h.runtime.runner.verify('workorder.dispatch', input, output, { caller: systemCaller('tool test'), idempotencyKey: 'appr-wo-8h' })).ok).toBe(true);
  });

  it('turns the portal\'s validation into invalid_input with its text, writing nothing (abnormal)', async () => {
    const count = state.workOrders.length;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      // (every portal rule has its own inject test in src/sandbox/ops-writes.test.ts)
      [{ engineer: '孙华' }, /not in team/],
      [{ window: { start: formatLocal(Date.now() - 3_600_000).slice(0, 16), end: formatLocal(Date.now() + 3_600_000).slice(0, 16) } }, /in the past/],
      [{ window: { start: `${tomorrow()} 08:00`, end: `${tomorrow()} 16:01` } }, /longer than 8 hours/],
    ];
    for (const [over, text] of cases) {
      const e = await h.fail('workorder.dispatch', dispatchInput(over), { idempotencyKey: `appr-bad-${Math.random()}` });
      expect(e.code, JSON.stringify(over)).toBe('invalid_input');
      expect(e.message).toMatch(text);
    }
    expect(state.workOrders).toHaveLength(count);
  });

  it('refuses without an approval id, on a closed or changed ticket, an unknown ticket, a bad window (abnormal)', async () => {
    expect((await h.fail('workorder.dispatch', dispatchInput())).code).toBe('invalid_input');
    const closed = closedTicket();
    expect((await h.fail('workorder.dispatch', dispatchInput({ ticketId: closed.id, expected: { ticketStatus: 'closed' } }), { idempotencyKey: 'appr-wo-c' })).code).toBe('conflict');
    const stale = await h.fail('workorder.dispatch', dispatchInput({ expected: { ticketStatus: 'in_progress' } }), { idempotencyKey: 'appr-wo-s' });
    expect(stale.code).toBe('stale_state');
    expect(stale.message).toMatch(/status is now open/);
    expect((await h.fail('workorder.dispatch', dispatchInput({ ticketId: 'T20991231-0001' }), { idempotencyKey: 'appr-wo-u' })).code).toBe('not_found');
    expect((await h.fail('workorder.dispatch', dispatchInput({ window: { start: `${tomorrow()} 12:00`, end: `${tomorrow()} 12:00` } }), { idempotencyKey: 'appr-wo-w' })).code).toBe('invalid_input');
    expect(state.workOrders.filter((w) => /^appr-wo-[cswu]$/.test(w.idempotencyKey))).toEqual([]);
  });

  it('fails as a system error when the portal answers 500, and verify reports a changed work order (abnormal)', async () => {
    h.sandbox.faults.set({ system: 'tickets', errorRate: 1 });
    const e = await h.fail('workorder.dispatch', dispatchInput(), { idempotencyKey: 'appr-wo-500' });
    expect(e.name).toBe('SystemError');
    h.sandbox.faults.reset();
    expect(state.workOrders.filter((w) => w.idempotencyKey === 'appr-wo-500')).toEqual([]);
    const input = dispatchInput({ engineer: '赵勇' });
    await h.run('workorder.dispatch', input, { idempotencyKey: 'appr-wo-v' });
    state.workOrders.find((w) => w.idempotencyKey === 'appr-wo-v')!.engineer = '张强';
    const v = await h.runtime.runner.verify('workorder.dispatch', input, null, { caller: systemCaller('tool test'), idempotencyKey: 'appr-wo-v' });
    expect(v.ok).toBe(false);
    expect(v.lines).toContainEqual({ label: 'Engineer', value: 'expected 赵勇, found 张强', zh: { label: '工程师', value: '应为 赵勇，实为 张强' } });
  });

  it('summarizes the card in both languages', () => {
    const tool = h.runtime.registry.get('workorder.dispatch')!;
    const zh = tool.summarize!(dispatchInput({ type: 'repair' }), 'zh');
    expect(zh).toContainEqual({ label: '工程师', value: '刘洋', key: 'engineer' });
    expect(tool.summarize!(dispatchInput(), 'en')).toContainEqual({ label: 'Appointment', value: `${tomorrow()} 09:00 – ${tomorrow()} 12:00`, key: 'window' });
  });
});
