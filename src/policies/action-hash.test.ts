import { describe, expect, it } from 'vitest';
import { actionHash, requestHash, targetKey } from './action-hash.js';

describe('the same request and the same target (issue 13)', () => {
  const note = { ticketId: 'T20261124-0012', note: '用户已重启光猫', expected: { status: 'open' } };

  it('is the same request whatever the guard read or the thread, and another when the requester, a value or the tool differ', () => {
    const base = requestHash({ tool: 'ticket.addNote', input: note, requesterId: 'alice' });
    expect(requestHash({ tool: 'ticket.addNote', input: { ...note, expected: { status: 'in_progress' } }, requesterId: 'alice' })).toBe(base);
    expect(requestHash({ tool: 'ticket.addNote', input: { note: note.note, ticketId: note.ticketId }, requesterId: 'alice' })).toBe(base);
    expect(requestHash({ tool: 'ticket.addNote', input: note, requesterId: 'bob' })).not.toBe(base);
    expect(requestHash({ tool: 'ticket.addNote', input: { ...note, note: '用户已重启光猫。' }, requesterId: 'alice' })).not.toBe(base);
    expect(requestHash({ tool: 'ticket.updateFields', input: note, requesterId: 'alice' })).not.toBe(base);
    // The approval's own hash still binds the thread: two runs of one request are two approvals.
    expect(actionHash({ tool: 'ticket.addNote', input: note, requesterId: 'alice', threadId: 'a' })).not.toBe(actionHash({ tool: 'ticket.addNote', input: note, requesterId: 'alice', threadId: 'b' }));
  });

  it('names the ticket, the alarm, or the recipient and template a write concerns, per tool', () => {
    expect(targetKey('ticket.addNote', note)).toBe('ticket.addNote|T20261124-0012');
    expect(targetKey('workorder.dispatch', { ticketId: 't20261124-0012 ' })).toBe('workorder.dispatch|T20261124-0012');
    expect(targetKey('nms.acknowledgeAlarm', { alarmId: 'ALM900001' })).toBe('nms.acknowledgeAlarm|ALM900001');
    expect(targetKey('sms.sendNotice', { mobile: '13857101234', templateId: 'SMS_FAULT_NOTICE', params: {} })).toBe('sms.sendNotice|13857101234|SMS_FAULT_NOTICE');
    expect(targetKey('sms.sendNotice', { mobile: '13857101234' })).toBeNull();
  });
});
