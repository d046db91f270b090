import { describe, expect, it } from 'vitest';
import type { WorkOrder } from '../../tools/ticket/schemas.js';
import { fakeTools, replyOf, run } from '../../../tests/helpers/skill-harness.js';
import { parseCommand } from '../planner.js';
import { everydayPhrasings } from '../../../tests/helpers/phrasings.js';

describe('command planner: work orders, reconciliation, batch (reads)', () => {
  it.each(['查派单 W20261124-0001', 'work order W20261124-0001', 'w20261124-0001', '派单详情 W20261124-0001', '查派单Ｗ２０２６１１２４－０００１'])(
    'shows a work order: %s',
    (text) => {
      expect(parseCommand(text)).toMatchObject({ flow: 'workorder.show', workOrderId: 'W20261124-0001' });
    },
  );

  it('asks which work order', () => {
    expect(parseCommand('work order')).toMatchObject({ flow: 'clarify', lang: 'en' });
    expect(parseCommand('查派单')).toMatchObject({ flow: 'clarify', lang: 'zh', question: expect.stringContaining('派单号') });
  });
});

describe('read flows', () => {
  it('work order: status, team, window', async () => {
    const wo: WorkOrder = {
      id: 'W20261124-0001',
      ticketId: 'T20261124-0012',
      type: 'repair',
      status: 'dispatched',
      team: '杭州装维一组',
      engineer: null,
      priority: 'P2',
      appointmentStart: '2026-11-25 09:00',
      appointmentEnd: '2026-11-25 11:00',
      address: '杭州市西湖区文三路 1 号',
      region: 'hangzhou',
      note: null,
      version: 1,
      idempotencyKey: null,
    };
    const { tools } = fakeTools({ 'workorder.get': () => ({ workOrder: wo }) });
    const text = replyOf(await run('work order W20261124-0001', tools));
    expect(text).toContain('Work order W20261124-0001 (dispatched, P2)');
    expect(text).toContain('2026-11-25 09:00 – 2026-11-25 11:00');
  });
});

describe('everyday phrasings', () => everydayPhrasings('workorder.show'));
