import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { proposalAdapters } from './proposals.js';
import type { FlowResult, FlowTools } from '../../skills/contract.js';

/** The proposal a build made (a reply instead fails the test with its text). */
function proposalOf(r: FlowResult) {
  if (r.kind !== 'propose') throw new Error(`expected a proposal, got: ${r.text}`);
  return r.proposal;
}

function fakeTools(answers: Record<string, unknown>): FlowTools & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    // Before the windows the tests ask for: the guard checks a window against this clock.
    now: () => new Date('2026-11-24T08:00:00+08:00'),
    async call<S extends z.ZodType>(tool: string, _input: unknown, output: S): Promise<z.infer<S>> {
      calls.push(tool);
      return output.parse(answers[tool]) as z.infer<S>;
    },
  };
}

const ticketAnswer = (status: string) => ({
  ticket: {
    id: 'T20261124-0012', status, customerId: 'C000123', serviceNumber: '13857101234', broadbandAccount: 'hz81000123', address: 'a', accessPort: null, onuSn: null,
    faultType: null, priority: 'P2', slaDeadline: null, region: 'hangzhou', assignedTeam: null, notes: null, version: 1, idempotencyKey: null,
  },
  missingFields: [],
});
/** workorder.teams for Hangzhou, as the portal's directory has it. */
const teamsAnswer = { region: 'hangzhou', teams: [{ name: '杭州装维一组 HZ Field Team 1', region: 'hangzhou', engineers: ['王建国', '李明', '陈磊'] }] };
const alarmAnswer = (acknowledged: boolean) => ({
  id: 'ALM900001', severity: 'major', ne: 'OLT-HZ-01', object: '0/1/3', type: 'LOS', probableCause: 'x', raisedAt: '2026-11-24 08:00', clearedAt: null, acknowledged, serviceAffecting: true,
});

describe('LLM proposals for the issue-3 writes', () => {
  it('offer no stale-state guard to the model; the server fills it from a fresh read', async () => {
    for (const tool of ['workorder.dispatch', 'ticket.addNote', 'nms.acknowledgeAlarm']) {
      const schema = proposalAdapters[tool]!.input as z.ZodObject;
      expect(Object.keys(schema.shape), tool).not.toContain('expected');
    }
    const tools = fakeTools({ 'ticket.get': ticketAnswer('open'), 'nms.getAlarm': alarmAnswer(false), 'workorder.teams': teamsAnswer, 'workorder.list': { ticketId: 'T20261124-0012', workOrders: [] } });
    const dispatch = proposalOf(await proposalAdapters['workorder.dispatch']!.build(
      { ticketId: 't20261124-0012', team: '杭州装维一组', priority: 'P2', window: { start: '2026-11-25 09:00', end: '2026-11-25 11:00' } },
      tools,
      'zh',
    ));
    expect(dispatch).toMatchObject({ tool: 'workorder.dispatch', title: '派单 T20261124-0012 → 杭州装维一组 HZ Field Team 1', input: { ticketId: 'T20261124-0012', type: 'repair', team: '杭州装维一组 HZ Field Team 1', expected: { ticketStatus: 'open' } } });
    const note = proposalOf(await proposalAdapters['ticket.addNote']!.build({ ticketId: 'T20261124-0012', note: 'customer restarted the ONU' }, tools, 'en'));
    expect(note).toMatchObject({ tool: 'ticket.addNote', title: 'Add a note to T20261124-0012', input: { expected: { status: 'open' } } });
    const ack = proposalOf(await proposalAdapters['nms.acknowledgeAlarm']!.build({ alarmId: 'ALM900001' }, tools, 'en'));
    expect(ack.input).toEqual({ alarmId: 'ALM900001', expected: { acknowledged: false, cleared: false } });
    expect(tools.calls).toEqual(['ticket.get', 'workorder.teams', 'workorder.list', 'ticket.get', 'nms.getAlarm']);
  });

  it('name the target for the taint rule: ticket, alarm, and the number as the requester wrote it', () => {
    expect(proposalAdapters['workorder.dispatch']!.target({ ticketId: 't20261124-0012' })).toBe('T20261124-0012');
    expect(proposalAdapters['ticket.addNote']!.target({ ticketId: 'T20261124-0012' })).toBe('T20261124-0012');
    expect(proposalAdapters['nms.acknowledgeAlarm']!.target({ alarmId: 'alm900001' })).toBe('ALM900001');
    expect(proposalAdapters['sms.sendNotice']!.target({ mobile: '138 5710 1234' })).toBe('138 5710 1234');
  });

  it('refuse a dispatch without a team or engineer, and answer an already acknowledged alarm as the command path does', async () => {
    const tools = fakeTools({ 'ticket.get': ticketAnswer('open'), 'nms.getAlarm': alarmAnswer(true) });
    expect(proposalAdapters['workorder.dispatch']!.input.safeParse({ ticketId: 'T20261124-0012', priority: 'P2', window: { start: '2026-11-25 09:00', end: '2026-11-25 11:00' } }).success).toBe(false);
    // One guard for both paths: nothing is proposed, and the requester hears what the command path says.
    const answer = await proposalAdapters['nms.acknowledgeAlarm']!.build({ alarmId: 'ALM900001' }, tools, 'zh');
    expect(answer).toEqual({ kind: 'reply', status: 'succeeded', text: '告警 ALM900001（光信号丢失 LOS，OLT-HZ-01 0/1/3）已被确认，无需再次确认。' });
  });

  it('take SMS parameters as name/value pairs (strict function calling has no maps)', async () => {
    const sms = proposalOf(await proposalAdapters['sms.sendNotice']!.build(
      { mobile: '13857101234', templateId: 'SMS_FAULT_NOTICE', params: [{ name: 'ticketId', value: 'T20261124-0012' }, { name: 'eta', value: '2026-11-25 18:00' }] },
      fakeTools({}),
      'en',
    ));
    expect(sms).toMatchObject({
      tool: 'sms.sendNotice',
      title: 'Send SMS SMS_FAULT_NOTICE to 138****1234',
      input: { mobile: '13857101234', templateId: 'SMS_FAULT_NOTICE', params: { ticketId: 'T20261124-0012', eta: '2026-11-25 18:00' } },
      facts: { recipients: 1 },
    });
  });

  it('refuse what would fail before any card, with the reason the command path gives (same guards)', async () => {
    // The responder ends the turn with this error's text (skills/router.ts wouldFailReply), as the command path does.
    const tools = fakeTools({ 'ticket.get': ticketAnswer('open'), 'workorder.list': { ticketId: 'T20261124-0012', workOrders: [] } });
    await expect(proposalAdapters['workorder.dispatch']!.build(
      { ticketId: 'T20261124-0012', team: '杭州装维一组', priority: 'P2', window: { start: '2026-11-23 09:00', end: '2026-11-23 11:00' } },
      tools,
      'en',
    )).rejects.toMatchObject({ name: 'WouldFail', tool: 'workorder.dispatch', reason: 'window_started', text: { zh: expect.stringContaining('预约开始时间已过'), en: expect.stringContaining('already started') } });
    await expect(proposalAdapters['sms.sendNotice']!.build(
      { mobile: '13857101234', templateId: 'SMS_FAULT_NOTICE', params: [{ name: 'ticket', value: 'T20261124-0012' }] },
      tools,
      'zh',
    )).rejects.toMatchObject({ name: 'WouldFail', reason: 'template_params', text: { zh: expect.stringContaining('缺少 ticketId、eta') } });
  });
});
