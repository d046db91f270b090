import { describe, expect, it } from 'vitest';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import { renderFeishuCard } from './cards.js';
import { cardPlainTexts, feishuCardSchema } from './card-schema.js';

const base: ApprovalCardView = {
  approvalId: '6f1c2a8e-0000-4000-8000-000000000001',
  lang: 'zh',
  title: '补全工单 T20261124-0012',
  tool: 'ticket.updateFields',
  requester: { id: 'alice', name: 'Alice' },
  lines: [
    { label: '宽带账号', value: 'hz_**_3311' },
    { label: '地址', value: '杭州市西湖区*文三路 *1 号' },
  ],
  approvers: [
    { id: 'carol', name: 'Carol' },
    { id: 'zoe', name: 'Zoe' },
  ],
  createdAt: '2026-11-24T06:00:00.000Z',
  expiresAt: '2026-11-24T06:30:00.000Z',
  status: 'pending',
};

const texts = cardPlainTexts;

const buttons = (card: unknown): Record<string, unknown>[] => {
  const out: Record<string, unknown>[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.tag === 'button') out.push(o);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
};

describe('Feishu approval card (JSON 2.0)', () => {
  it('pending: title, status, exact lines, approvers, expiry, a reason input and two submit buttons carrying only the approval id', () => {
    const card = renderFeishuCard(base, { now: new Date('2026-11-24T06:10:00.000Z') });
    expect(feishuCardSchema.safeParse(card).error?.issues ?? []).toEqual([]);
    expect(card.schema).toBe('2.0');
    expect(card.config.update_multi).toBe(true);
    const t = texts(card);
    expect(t).toContain('补全工单 T20261124-0012');
    expect(t).toContain('待审批');
    expect(t).toContain('宽带账号：hz_**_3311');
    expect(t).toContain('地址：杭州市西湖区*文三路 *1 号');
    expect(t).toContain('审批人：Carol、Zoe');
    expect(t).toContain('过期时间：2026-11-24 14:30（20 分钟后）');
    expect(t).toContain('驳回原因（驳回时必填）');
    const bs = buttons(card);
    expect(bs.map((b) => b.name)).toEqual(['approve', 'reject']);
    expect(bs.map((b) => (b.text as { content: string }).content)).toEqual(['批准', '驳回']);
    for (const b of bs) {
      expect(b.form_action_type).toBe('submit');
      expect(b.behaviors).toEqual([{ type: 'callback', value: { approvalId: base.approvalId } }]);
    }
  });

  it('decided cards show who, when and why, the outcome, and no buttons', () => {
    const approved = renderFeishuCard({
      ...base,
      lang: 'en',
      status: 'approved',
      decision: { by: { id: 'carol', name: 'Carol' }, at: '2026-11-24T06:12:00.000Z' },
      outcome: { state: 'verified', lines: [{ label: 'ticket', value: 'T20261124-0012 updated' }] },
    });
    expect(feishuCardSchema.safeParse(approved).success).toBe(true);
    expect(texts(approved)).toEqual(expect.arrayContaining(['Approved', 'Approved by Carol at 2026-11-24 14:12', 'Written and verified', 'ticket: T20261124-0012 updated']));
    expect(approved.header.template).toBe('green');
    expect(buttons(approved)).toEqual([]);

    const rejected = renderFeishuCard({ ...base, status: 'rejected', decision: { by: { id: 'carol', name: 'Carol' }, at: '2026-11-24T06:12:00.000Z', comment: '地址不对' } });
    expect(feishuCardSchema.safeParse(rejected).success).toBe(true);
    expect(texts(rejected)).toEqual(expect.arrayContaining(['已驳回', '已由 Carol 于 2026-11-24 14:12 驳回', '原因：地址不对']));
    expect(buttons(rejected)).toEqual([]);

    const expired = renderFeishuCard({ ...base, status: 'expired' });
    expect(feishuCardSchema.safeParse(expired).success).toBe(true);
    expect(texts(expired)).toContain('已过期，未执行');
    expect(expired.header.template).toBe('grey');

    const withdrawn = renderFeishuCard({ ...base, status: 'withdrawn', decision: { by: { id: 'alice', name: 'Alice' }, at: '2026-11-24T06:12:00.000Z' } });
    expect(feishuCardSchema.safeParse(withdrawn).success).toBe(true);
    expect(texts(withdrawn)).toEqual(expect.arrayContaining(['已撤回', '已由申请人 Alice 于 2026-11-24 14:12 撤回，未执行']));
    expect(withdrawn.header.template).toBe('grey');
    expect(buttons(withdrawn)).toEqual([]);
  });

  it('values are plain text: markdown in a value is shown as typed', () => {
    const card = renderFeishuCard({ ...base, lines: [{ label: '备注', value: '**<at id=all></at>** [x](http://e)' }] });
    expect(texts(card)).toContain('备注：**<at id=all></at>** [x](http://e)');
    expect(JSON.stringify(card)).not.toContain('"tag":"markdown"');
  });

  it('the schema catches the mistakes that would break the card in Feishu', () => {
    const card = renderFeishuCard(base) as unknown as Record<string, unknown>;
    const bad = (mutate: (c: Record<string, any>) => void) => {
      const c = structuredClone(card) as Record<string, any>;
      mutate(c);
      return feishuCardSchema.safeParse(c).success;
    };
    expect(bad(() => undefined)).toBe(true);
    expect(bad((c) => (c.schema = '1.0'))).toBe(false);
    expect(bad((c) => delete c.config.update_multi)).toBe(false);
    expect(bad((c) => (c.body.elements.at(-1).elements[1].columns[1].elements[0].name = 'approve'))).toBe(false); // duplicate names in a form
    expect(bad((c) => delete c.body.elements.at(-1).elements[1].columns[0].elements[0].name)).toBe(false);
    expect(bad((c) => (c.body.elements.at(-1).elements[1].columns[0].elements[0].behaviors[0].value.requester = 'alice'))).toBe(false);
    expect(bad((c) => (c.body.elements[0].text.tag = 'lark_md'))).toBe(false);
    expect(bad((c) => (c.body.elements[0].txt = c.body.elements[0].text))).toBe(false);
  });
});
