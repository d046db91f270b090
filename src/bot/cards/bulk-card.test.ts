/**
 * The bulk approval card on every platform: valid Adaptive Card 1.5 (Teams' own checks too) and
 * Feishu card 2.0; each listed item's title, requester, target and current → new; approve-all and
 * reject-all carrying only the card's opaque id; after the click, each item's outcome and no buttons.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import type { Lang } from '../../chat/lang.js';
import { renderAdaptiveCard } from './adaptive.js';
import { validateAdaptiveCard } from './validate-adaptive.js';
import { renderTeamsCard, validateTeamsCard } from '../teams/cards.js';
import { renderFeishuCard } from '../feishu/cards.js';
import { feishuCardSchema } from '../feishu/card-schema.js';

const ID = 'bulk:6f1c0d8e-1111-4222-8333-944455556666:0123456789abcdef';

function bulkView(lang: Lang, patch: Partial<ApprovalCardView> = {}, decided = false): ApprovalCardView {
  const zh = lang === 'zh';
  return {
    approvalId: ID,
    lang,
    reader: { id: 'carol', role: 'approver' },
    action: zh ? '添加工单备注' : 'Add ticket note',
    title: zh ? '批量审批：添加工单备注（2 项）' : 'Bulk approval: Add ticket note (2 items)',
    tool: 'ticket.addNote',
    requester: { id: '', name: 'Alice' },
    lines: [],
    approvers: [{ id: 'carol', name: 'Carol' }],
    createdAt: '2026-11-24T06:00:00.000Z',
    expiresAt: '2026-11-24T07:00:00.000Z',
    status: decided ? 'approved' : 'pending',
    ...(decided ? { decision: { by: { id: 'carol', name: 'Carol' }, at: '2026-11-24T06:10:00.000Z' } } : {}),
    bulk: {
      action: zh ? '添加工单备注' : 'Add ticket note',
      items: [
        { id: '1a2b3c4d', title: zh ? '工单备注 T20261124-0012' : 'Note on T20261124-0012', requester: 'Alice', target: 'T20261124-0012', change: zh ? '备注：用户已重启光猫' : 'Note: router restarted', ...(decided ? { result: { text: zh ? '已写入并核实' : 'written and verified', tone: 'good' as const } } : {}) },
        { id: '5e6f7a8b', title: zh ? '工单备注 T20261124-0013' : 'Note on T20261124-0013', requester: 'Alice', change: zh ? '地址：（空） → 文三路 1 号' : 'Address: (empty) → 1 Wensan Rd', ...(decided ? { result: { text: zh ? '已跳过：申请人已撤回' : 'skipped: withdrawn by the requester', tone: 'neutral' as const } } : {}) },
      ],
      ownCards: [{ id: '9c9c9c9c', title: zh ? '工单备注 T20261124-0014' : 'Note on T20261124-0014' }],
      beyondCap: 0,
    },
    ...patch,
  };
}

const walk = (v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] => {
  if (Array.isArray(v)) v.forEach((x) => walk(x, out));
  else if (v && typeof v === 'object') {
    out.push(v as Record<string, unknown>);
    Object.values(v).forEach((x) => walk(x, out));
  }
  return out;
};

describe.each(['zh', 'en'] as const)('the bulk approval card (%s)', (lang) => {
  it('is a valid Adaptive Card for Teams and the console, listing each item, with approve-all and reject-all', () => {
    const card = renderTeamsCard(bulkView(lang), { audience: 'approver', refreshUserIds: [] });
    expect(validateTeamsCard(card)).toEqual([]);
    expect(validateAdaptiveCard(renderAdaptiveCard(bulkView(lang)))).toEqual([]);
    const json = JSON.stringify(card);
    for (const s of ['T20261124-0012', 'T20261124-0013', lang === 'zh' ? '（空） → 文三路 1 号' : '(empty) → 1 Wensan Rd', lang === 'zh' ? '申请人：Alice · T20261124-0012 · #1a2b3c4d' : 'Requested by: Alice · T20261124-0012 · #1a2b3c4d', '9c9c9c9c']) expect(json).toContain(s);
    const actions = walk(card.actions).filter((a) => a.type === 'Action.Execute');
    expect(actions.map((a) => [a.verb, a.title, a.data])).toEqual([
      ['approve', lang === 'zh' ? '全部批准（2 项）' : 'Approve all 2', { approvalId: ID }],
      ['reject', lang === 'zh' ? '全部驳回' : 'Reject all', { approvalId: ID }],
    ]);
  });

  it('after the click shows each outcome and no buttons', () => {
    const card = renderAdaptiveCard(bulkView(lang, {}, true));
    expect(validateAdaptiveCard(card)).toEqual([]);
    expect(card.actions).toBeUndefined();
    expect(JSON.stringify(card)).toContain(lang === 'zh' ? '已跳过：申请人已撤回' : 'skipped: withdrawn by the requester');
    expect(JSON.stringify(card)).toContain(lang === 'zh' ? '已写入并核实' : 'written and verified');
  });

  it('is valid Feishu card JSON 2.0 with the two buttons in one form, carrying only the opaque id; none after the click', () => {
    const card = renderFeishuCard(bulkView(lang));
    expect(feishuCardSchema.safeParse(card).error?.issues ?? []).toEqual([]);
    const buttons = walk(card).filter((e) => e.tag === 'button');
    expect(buttons.map((b) => [b.name, (b.behaviors as { value: unknown }[])[0]!.value])).toEqual([
      ['approve', { approvalId: ID }],
      ['reject', { approvalId: ID }],
    ]);
    const after = renderFeishuCard(bulkView(lang, {}, true));
    expect(feishuCardSchema.safeParse(after).error?.issues ?? []).toEqual([]);
    expect(walk(after).filter((e) => e.tag === 'button')).toEqual([]);
    expect(JSON.stringify(after)).toContain(lang === 'zh' ? '已写入并核实' : 'written and verified');
  });
});
