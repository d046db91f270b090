import { describe, expect, it } from 'vitest';
import type { Activity } from 'botbuilder';
import { activityEnvelope, inboundText, parseCardInvoke, parseSubmit, readActivity, signedUserId } from './activities.js';

const bot = { id: '28:bot', name: 'Switchboard' };

describe('Teams activities', () => {
  it('strips the bot’s mention and keeps other people’s names', () => {
    const text = inboundText({
      text: '<at>Switchboard</at> 查端口 OLT-HZ-01&nbsp;0/1/3 for <at>Bob</at>',
      recipient: bot,
      entities: [
        { type: 'mention', text: '<at>Switchboard</at>', mentioned: bot },
        { type: 'mention', text: '<at>Bob</at>', mentioned: { id: '29:bob', name: 'Bob' } },
      ],
    });
    expect(text).toBe('查端口 OLT-HZ-01 0/1/3 for Bob');
    expect(inboundText({ text: '<at>Switchboard</at>', recipient: bot, entities: [{ type: 'mention', text: '<at>Switchboard</at>', mentioned: bot }] })).toBe('');
  });

  it('reads Action.Execute invokes: approve/reject with the reason input, refresh, nothing else', () => {
    const id = '0b7f3c2a-1111-4000-8000-000000000001';
    expect(parseCardInvoke({ action: { type: 'Action.Execute', verb: 'approve', data: { approvalId: id } } })).toEqual({ kind: 'decide', approvalId: id, decision: 'approve' });
    expect(parseCardInvoke({ action: { type: 'Action.Execute', verb: 'reject', data: { approvalId: id, comment: 'wrong port' } } })).toEqual({
      kind: 'decide',
      approvalId: id,
      decision: 'reject',
      comment: 'wrong port',
    });
    expect(parseCardInvoke({ action: { type: 'Action.Execute', verb: 'refresh', data: { approvalId: id } } })).toEqual({ kind: 'refresh', approvalId: id });
    expect(parseCardInvoke({ action: { type: 'Action.Execute', verb: 'delete', data: { approvalId: id } } })).toBeUndefined();
    expect(parseCardInvoke({ action: { type: 'Action.Execute', verb: 'approve', data: {} } })).toBeUndefined();
    expect(parseCardInvoke('approve')).toBeUndefined();
  });

  it('reads the Action.Submit fallback and ignores ordinary message values', () => {
    expect(parseSubmit({ approvalId: 'x', verb: 'approve' })).toEqual({ kind: 'decide', approvalId: 'x', decision: 'approve' });
    expect(parseSubmit({ approvalId: 'x', verb: 'maybe' })).toBeUndefined();
    expect(parseSubmit(undefined)).toBeUndefined();
  });

  it('takes identity only from the AAD object id in `from`', () => {
    expect(signedUserId({ id: '29:x', name: 'X', aadObjectId: 'aad-1' })).toBe('aad-1');
    expect(signedUserId({ id: '29:x', name: 'X' })).toBeUndefined();
  });

  it('says why a message cannot be read: text that is not text, attachments only, nothing', () => {
    const read = (a: Record<string, unknown>) => readActivity({ recipient: bot, ...a } as unknown as Activity);
    expect(read({ text: 'help' })).toEqual({ text: 'help' });
    expect(read({ text: 42 })).toEqual({ reason: 'malformed_event' });
    expect(read({ text: { a: 1 } })).toEqual({ reason: 'malformed_event' });
    expect(read({ attachments: [{ contentType: 'image/png' }] })).toEqual({ reason: 'unsupported_type' });
    expect(read({ text: '   ' })).toEqual({ reason: 'empty' });
    expect(read({ text: 'hi', entities: 'x' })).toEqual({ text: 'hi' });
    expect(read({ text: 'hi', entities: [null, { type: 'mention', mentioned: null, text: 5 }] })).toEqual({ text: 'hi' });
  });

  it('refuses an activity without a conversation, or with ids a database cannot hold', () => {
    const ok = { type: 'message', serviceUrl: 'http://x/', conversation: { id: 'a:1' }, from: { id: '29:u', aadObjectId: 'aad' } };
    expect(activityEnvelope.safeParse(ok).success).toBe(true);
    expect(activityEnvelope.safeParse({ ...ok, from: null }).success).toBe(true);
    expect(activityEnvelope.safeParse({ type: 'conversationUpdate', conversation: { id: 'a:1' } }).success).toBe(true);
    for (const bad of [
      { ...ok, conversation: undefined },
      { ...ok, conversation: null },
      { ...ok, conversation: { id: 'a:\u0000' } },
      { ...ok, conversation: { id: 'a:\ud800' } },
      { ...ok, id: 'x\u0000' },
      { ...ok, from: { id: '29:u', aadObjectId: 'a\udfff' } },
      { ...ok, serviceUrl: undefined },
      { ...ok, type: 7 },
    ]) {
      expect(activityEnvelope.safeParse(bad).success).toBe(false);
    }
    // The accounts keep only the Bot Framework's fields.
    const parsed = activityEnvelope.parse({ ...ok, from: { id: '29:u', extra: { deep: [1] } } });
    expect(Object.keys(parsed.from ?? {})).not.toContain('extra');
  });
});
