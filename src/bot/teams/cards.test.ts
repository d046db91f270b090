import { describe, expect, it } from 'vitest';
import { renderAdaptiveCard } from '../cards/adaptive.js';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import { renderTeamsCard, validateTeamsCard } from './cards.js';

const NOW = new Date('2026-11-24T06:00:00Z');

function view(patch: Partial<ApprovalCardView> = {}): ApprovalCardView {
  return {
    approvalId: '0b7f3c2a-1111-4000-8000-000000000001',
    lang: 'en',
    title: 'Complete ticket T20261124-0012',
    tool: 'ticket.updateFields',
    requester: { id: 'alice', name: 'Alice' },
    lines: [{ label: 'Broadband account', value: 'hz81000123' }],
    approvers: [
      { id: 'carol', name: 'Carol' },
      { id: 'dave', name: 'Dave' },
    ],
    createdAt: '2026-11-24T06:00:00Z',
    expiresAt: '2026-11-24T06:30:00Z',
    status: 'pending',
    ...patch,
  };
}

describe('Teams approval card', () => {
  it('shows an approver the reason input and Execute buttons with Submit fallbacks, all valid for a 1.5 host', () => {
    const card = renderTeamsCard(view(), { audience: 'approver', refreshUserIds: ['29:carol'], now: NOW });
    expect(validateTeamsCard(card)).toEqual([]);
    const actions = card.actions as { type: string; verb: string; data: unknown; fallback: { type: string; data: unknown } }[];
    expect(actions.map((a) => [a.type, a.verb, a.fallback.type, a.fallback.data])).toEqual([
      ['Action.Execute', 'approve', 'Action.Submit', { approvalId: view().approvalId, verb: 'approve' }],
      ['Action.Execute', 'reject', 'Action.Submit', { approvalId: view().approvalId, verb: 'reject' }],
    ]);
    expect(JSON.stringify(card.body)).toContain('"id":"comment"');
  });

  it('shows everyone else "waiting for <names>" and no input, and asks the approvers’ clients to refresh', () => {
    const card = renderTeamsCard(view(), { audience: 'viewer', refreshUserIds: ['29:carol', '8:orgid:dave', '29:carol'], now: NOW });
    expect(validateTeamsCard(card)).toEqual([]);
    expect(card.actions).toBeUndefined();
    expect(JSON.stringify(card.body)).toContain('Waiting for Carol, Dave to decide');
    expect(JSON.stringify(card.body)).not.toContain('"id":"comment"');
    expect(card.refresh).toEqual({
      action: { type: 'Action.Execute', verb: 'refresh', title: 'Pending', data: { approvalId: view().approvalId } },
      userIds: ['29:carol', '8:orgid:dave'],
    });
  });

  it('keeps at most 60 refresh users (Teams’ limit) and drops refresh once decided', () => {
    const many = Array.from({ length: 75 }, (_, i) => `29:user-${i}`);
    const card = renderTeamsCard(view(), { audience: 'viewer', refreshUserIds: many, now: NOW });
    expect((card.refresh as { userIds: string[] }).userIds).toHaveLength(60);
    expect(validateTeamsCard(card)).toEqual([]);
    const tooMany = { ...card, refresh: { ...(card.refresh as object), userIds: many } };
    expect(validateTeamsCard(tooMany)).toContain('refresh.userIds has 75 entries; Teams allows 60');

    const decided = renderTeamsCard(view({ status: 'approved', decision: { by: { id: 'carol', name: 'Carol' }, at: '2026-11-24T06:03:00Z' } }), {
      audience: 'approver',
      refreshUserIds: ['29:carol'],
      now: NOW,
    });
    expect(decided.refresh).toBeUndefined();
    expect(decided.actions).toBeUndefined();
    expect(JSON.stringify(decided.body)).toContain('Approved by Carol');
  });

  it('flags card data that carries more than the approval id', () => {
    const card = renderTeamsCard(view(), { audience: 'approver', refreshUserIds: [], now: NOW });
    const actions = card.actions as { data: Record<string, unknown> }[];
    actions[0]!.data = { approvalId: view().approvalId, approver: 'carol' };
    expect(validateTeamsCard(card).join('\n')).toMatch(/data carries more than approvalId: approvalId, approver/);
  });

  it('leaves the console’s card as it was (no refresh, no fallback) when no Teams option is given', () => {
    const card = renderAdaptiveCard(view(), { now: NOW });
    expect(card.refresh).toBeUndefined();
    expect((card.actions as Record<string, unknown>[]).every((a) => !('fallback' in a))).toBe(true);
  });
});
