import { describe, expect, it } from 'vitest';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import { renderFeishuCard, renderSuggestionCard } from './cards.js';
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
    // Each field's label on its own line, above its value: a label never wraps mid-word.
    expect(t.indexOf('hz_**_3311')).toBe(t.indexOf('宽带账号') + 1);
    expect(t.indexOf('杭州市西湖区*文三路 *1 号')).toBe(t.indexOf('地址') + 1);
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
    expect(texts(approved)).toEqual(expect.arrayContaining(['Written', 'Approved by Carol at 2026-11-24 14:12', 'Written and verified', 'ticket: T20261124-0012 updated']));
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
    expect(texts(card)).toContain('**<at id=all></at>** [x](http://e)');
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

  it('a write that failed after approval is red with its reason, not a green "approved" (zh and en)', () => {
    for (const [lang, badge, head] of [
      ['zh', '执行失败', '已批准，但执行失败，未写入'],
      ['en', 'Failed', 'Approved, but the write failed: nothing was written'],
    ] as const) {
      const card = renderFeishuCard({
        ...base,
        lang,
        status: 'approved',
        decision: { by: { id: 'carol', name: 'Carol' }, at: '2026-11-24T06:12:00.000Z' },
        outcome: { state: 'failed', lines: [{ label: lang === 'zh' ? '原因' : 'Reason', value: lang === 'zh' ? '预约开始时间已过' : 'the appointment start has passed' }] },
      });
      expect(feishuCardSchema.safeParse(card).error?.issues ?? []).toEqual([]);
      expect(card.header.template).toBe('red');
      const t = texts(card);
      expect(t).toEqual(expect.arrayContaining([badge, head, lang === 'zh' ? '原因：预约开始时间已过' : 'Reason: the appointment start has passed']));
      expect(t).not.toContain(lang === 'zh' ? '已批准' : 'Approved');
      expect(JSON.stringify(card)).not.toContain('"green"');
      expect(buttons(card)).toEqual([]);
    }
  });

  it('every state has its own header colour and word', () => {
    const decided = { by: { id: 'carol', name: 'Carol' }, at: '2026-11-24T06:12:00.000Z' };
    const cases: [Partial<ApprovalCardView>, string, string][] = [
      [{}, 'orange', '待审批'],
      [{ status: 'approved', decision: decided }, 'blue', '执行中'],
      [{ status: 'approved', decision: decided, outcome: { state: 'verified', lines: [] } }, 'green', '已写入'],
      [{ status: 'approved', decision: decided, outcome: { state: 'failed', lines: [] } }, 'red', '执行失败'],
      [{ status: 'rejected', decision: { ...decided, comment: 'x' } }, 'red', '已驳回'],
      [{ status: 'expired' }, 'grey', '已过期'],
    ];
    for (const [patch, template, word] of cases) {
      const card = renderFeishuCard({ ...base, ...patch });
      expect(card.header.template, word).toBe(template);
      expect(texts(card), word).toContain(word);
    }
  });

  it("current → new, the value's source and read time, the business name and the target; the requester's copy has no buttons", () => {
    const readAt = '2026-11-24T06:02:00.000Z';
    const card = renderFeishuCard({
      ...base,
      action: '补全工单',
      reader: { id: 'alice', role: 'requester' },
      target: { label: '工单 · 客户', value: 'T20261124-0012 · C000123 · 138****1234', source: { system: 'ticket', readAt } },
      lines: [{ label: '宽带账号', value: 'hz81000123', current: null, source: { system: 'crm', readAt } }],
    });
    expect(feishuCardSchema.safeParse(card).error?.issues ?? []).toEqual([]);
    const t = texts(card);
    expect(t).toEqual(expect.arrayContaining(['操作：补全工单', '工单 · 客户：T20261124-0012 · C000123 · 138****1234', '来源：工单系统，2026-11-24 14:02 读取', '宽带账号', '（空） → hz81000123', '来源：CRM 系统，2026-11-24 14:02 读取', '等待 Carol、Zoe 审批']));
    expect(JSON.stringify(card)).not.toContain('ticket.updateFields');
    // The requester's copy: only Withdraw, carrying the opaque id (who clicked comes from the callback).
    expect(buttons(card).map((b) => [b.name, (b.behaviors as { value: unknown }[])[0]!.value])).toEqual([['withdraw', { approvalId: base.approvalId }]]);
    expect(buttons(renderFeishuCard({ ...base, reader: { id: 'carol', role: 'approver' } }))).toHaveLength(2);
  });
});

describe('suggestion card', () => {
  it('is valid card JSON 2.0: the reply text, then one button per command carrying only the command', () => {
    const card = renderSuggestionCard('抱歉，我没有理解这个请求。\n你可能想要：', ['查工单 T20261124-0012', '补全工单 T20261124-0012']);
    expect(feishuCardSchema.safeParse(card).error?.issues ?? []).toEqual([]);
    expect(cardPlainTexts(card)).toEqual(['Switchboard', '抱歉，我没有理解这个请求。\n你可能想要：', '查工单 T20261124-0012', '补全工单 T20261124-0012', '点击即以你的名义发送该命令。']);
    const buttons = (card.body.elements[1] as { columns: { elements: { name: string; behaviors: { value: unknown }[] }[] }[] }).columns.map((c) => c.elements[0]!);
    expect(buttons.map((b) => [b.name, b.behaviors[0]!.value])).toEqual([
      ['suggestion', { command: '查工单 T20261124-0012' }],
      ['suggestion', { command: '补全工单 T20261124-0012' }],
    ]);
  });
});
