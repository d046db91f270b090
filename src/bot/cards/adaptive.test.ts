import { describe, expect, it } from 'vitest';
import { formatCardTime, relativeTime, renderAdaptiveCard, renderTextCard } from './adaptive.js';
import { validateAdaptiveCard } from './validate-adaptive.js';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import type { Lang } from '../../chat/lang.js';

const NOW = new Date('2026-11-24T06:00:00Z'); // 14:00 in Beijing

function view(lang: Lang, patch: Partial<ApprovalCardView> = {}): ApprovalCardView {
  return {
    approvalId: 'apv_7f3c2a',
    lang,
    title: lang === 'zh' ? '补全工单 T20261124-0012' : 'Complete ticket T20261124-0012',
    tool: 'ticket.updateFields',
    action: lang === 'zh' ? '补全工单' : 'Complete ticket',
    requester: { id: 'alice', name: 'Alice' },
    lines: [
      { label: lang === 'zh' ? '故障类型' : 'Fault type', value: 'LOS / 光信号丢失' },
      { label: lang === 'zh' ? '宽带账号' : 'Broadband account', value: 'hz_0571_88**_x <b>&amp;</b>' },
      { label: lang === 'zh' ? '备注' : 'Notes', value: 'Rx -28.4 dBm\n第二行 line 2' },
    ],
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

const decidedAt = '2026-11-24T06:03:00Z'; // 14:03 in Beijing

const cases: Record<string, (lang: Lang) => ApprovalCardView> = {
  pending: (lang) => view(lang),
  approved: (lang) => view(lang, { status: 'approved', decision: { by: { id: 'carol', name: 'Carol' }, at: decidedAt } }),
  rejected: (lang) =>
    view(lang, {
      status: 'rejected',
      decision: { by: { id: 'carol', name: 'Carol' }, at: decidedAt, comment: '地址与 CRM 不一致 / address mismatch' },
    }),
  expired: (lang) => view(lang, { status: 'expired' }),
  withdrawn: (lang) => view(lang, { status: 'withdrawn', decision: { by: { id: 'alice', name: 'Alice' }, at: decidedAt } }),
  executing: (lang) =>
    view(lang, {
      status: 'approved',
      decision: { by: { id: 'dave', name: 'Dave' }, at: decidedAt },
      outcome: { state: 'executing', lines: [] },
    }),
  verified: (lang) =>
    view(lang, {
      status: 'approved',
      decision: { by: { id: 'dave', name: 'Dave' }, at: decidedAt },
      outcome: { state: 'verified', lines: [{ label: 'status', value: 'IN_PROGRESS (read back 14:04)' }] },
    }),
  failed: (lang) =>
    view(lang, {
      status: 'approved',
      decision: { by: { id: 'dave', name: 'Dave' }, at: decidedAt },
      outcome: { state: 'failed', lines: [{ label: 'error', value: 'SystemError: ticket portal timeout' }] },
    }),
};

/** Every object in the card tree, depth first. */
function walk(node: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) node.forEach((n) => walk(n, out));
  else if (node && typeof node === 'object') {
    out.push(node as Record<string, unknown>);
    Object.values(node).forEach((v) => walk(v, out));
  }
  return out;
}

type Obj = Record<string, unknown>;
const items = (o: unknown): Obj[] => ((o as Obj | undefined)?.items as Obj[] | undefined) ?? [];

/** A label beside its value: a two-column set whose first column is as wide as its label. */
function isLabeled(o: Obj): boolean {
  const cols = o.columns as Obj[] | undefined;
  return o.type === 'ColumnSet' && cols?.length === 2 && cols[0]!.width === 'auto' && items(cols[0])[0]?.type === 'TextBlock';
}

function texts(card: unknown): string[] {
  return walk(card).flatMap((o) => {
    if (isLabeled(o)) {
      const cols = o.columns as Obj[];
      return [`${items(cols[0])[0]!.text as string}: ${items(cols[1])[0]!.text as string}`];
    }
    if (o.type === 'TextBlock' && typeof o.text === 'string') return [o.text];
    return [];
  });
}

/** Label-beside-value pairs (the card's facts and the outcome's read-back). */
function facts(card: unknown): { title: string; value: string }[] {
  return walk(card)
    .filter(isLabeled)
    .map((o) => {
      const cols = o.columns as Obj[];
      return { title: items(cols[0])[0]!.text as string, value: items(cols[1])[0]!.text as string };
    });
}

/** The write's fields: label above value, then (optional) where the value came from. */
function fields(card: unknown): { label: string; value: string; source?: string }[] {
  return walk(card)
    .filter((o) => o.type === 'Container' && items(o).length >= 2 && items(o).every((i) => i.type === 'TextBlock') && items(o)[0]!.size === 'small')
    .map((o) => {
      const [label, value, source] = items(o);
      return { label: label!.text as string, value: value!.text as string, ...(source ? { source: source.text as string } : {}) };
    });
}

function actions(card: unknown): Record<string, unknown>[] {
  return walk(card).filter((o) => typeof o.type === 'string' && o.type.startsWith('Action.'));
}

function inputs(card: unknown): Record<string, unknown>[] {
  return walk(card).filter((o) => typeof o.type === 'string' && o.type.startsWith('Input.'));
}

describe('renderAdaptiveCard', () => {
  for (const lang of ['zh', 'en'] as const) {
    for (const [name, make] of Object.entries(cases)) {
      it(`${name} (${lang}) is a clean Adaptive Card 1.5 for the official parser`, () => {
        const card = renderAdaptiveCard(make(lang), { now: NOW });
        expect(card.version).toBe('1.5');
        expect(card.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
        expect(typeof card.fallbackText).toBe('string');
        expect(JSON.stringify(card)).not.toContain('"speak"');
        expect(validateAdaptiveCard(card)).toEqual([]);
      });

      it(`${name} (${lang}) shows the lines that would be written verbatim`, () => {
        const v = make(lang);
        const shown = fields(renderAdaptiveCard(v, { now: NOW }));
        for (const line of v.lines) expect(shown).toContainEqual({ label: line.label, value: line.value });
      });
    }
  }

  it('pending: two Action.Execute buttons that carry nothing but the approval id', () => {
    const card = renderAdaptiveCard(view('zh'), { now: NOW });
    const acts = actions(card);
    expect(acts).toHaveLength(2);
    expect(acts.map((a) => [a.type, a.verb, a.style, a.title])).toEqual([
      ['Action.Execute', 'approve', 'positive', '批准'],
      ['Action.Execute', 'reject', 'destructive', '驳回'],
    ]);
    for (const a of acts) expect(a.data).toStrictEqual({ approvalId: 'apv_7f3c2a' });
    // Identity must never ride in the card: no approver or requester id anywhere in the actions.
    expect(JSON.stringify(acts)).not.toMatch(/carol|dave|alice/i);
  });

  it('pending: the reject reason is a multiline input in the body, so both buttons submit it', () => {
    for (const [lang, placeholder] of [
      ['zh', '驳回原因（驳回时必填）'],
      ['en', 'Reason (required to reject)'],
    ] as const) {
      const card = renderAdaptiveCard(view(lang), { now: NOW });
      const body = card.body as Record<string, unknown>[];
      const input = body.find((e) => e.type === 'Input.Text');
      expect(input).toMatchObject({ id: 'comment', isMultiline: true, maxLength: 500, placeholder });
      expect(inputs(card)).toHaveLength(1);
    }
  });

  it('pending: says who must approve and when it expires, in Beijing time with a countdown', () => {
    expect(texts(renderAdaptiveCard(view('zh'), { now: NOW }))).toEqual(
      expect.arrayContaining(['审批人: Carol、Dave', '过期时间: 2026-11-24 14:30（30 分钟后）', '待审批', '申请人: Alice']),
    );
    expect(texts(renderAdaptiveCard(view('en'), { now: NOW }))).toEqual(
      expect.arrayContaining([
        'Approvers: Carol, Dave',
        'Expires: 2026-11-24 14:30 (in 30 min)',
        'Pending',
        'Requested by: Alice',
        'Operation: Complete ticket',
      ]),
    );
    // The business name, never the tool's name (issue 13).
    expect(JSON.stringify(renderAdaptiveCard(view('zh'), { now: NOW }))).not.toContain('ticket.updateFields');
    expect(texts(renderAdaptiveCard(view('zh'), { now: NOW }))).toContain('操作: 补全工单');
  });

  it('decided and expired cards have no buttons and no inputs', () => {
    for (const name of ['approved', 'rejected', 'expired', 'withdrawn', 'executing', 'verified', 'failed']) {
      for (const lang of ['zh', 'en'] as const) {
        const card = renderAdaptiveCard(cases[name]!(lang), { now: NOW });
        expect(actions(card), `${name} ${lang}`).toEqual([]);
        expect(inputs(card), `${name} ${lang}`).toEqual([]);
        expect(card.actions).toBeUndefined();
      }
    }
  });

  it('approved with a comment: shows it as a comment, not as a reason', () => {
    const v = cases.approved!('zh');
    v.decision!.comment = '字段核对无误';
    expect(texts(renderAdaptiveCard(v, { now: NOW }))).toContain('意见: 字段核对无误');
    const en = cases.approved!('en');
    en.decision!.comment = 'checked';
    expect(texts(renderAdaptiveCard(en, { now: NOW }))).toContain('Comment: checked');
  });

  it('approved: names the approver and the time', () => {
    expect(texts(renderAdaptiveCard(cases.approved!('zh'), { now: NOW }))).toContain('已由 Carol 于 2026-11-24 14:03 批准');
    expect(texts(renderAdaptiveCard(cases.approved!('en'), { now: NOW }))).toContain('Approved by Carol at 2026-11-24 14:03');
  });

  it('rejected: names the approver and shows the reason', () => {
    const zh = texts(renderAdaptiveCard(cases.rejected!('zh'), { now: NOW }));
    expect(zh).toContain('已由 Carol 于 2026-11-24 14:03 驳回');
    expect(zh).toContain('原因: 地址与 CRM 不一致 / address mismatch');
    expect(zh).toContain('已驳回');
    const en = texts(renderAdaptiveCard(cases.rejected!('en'), { now: NOW }));
    expect(en).toContain('Rejected by Carol at 2026-11-24 14:03');
    expect(en).toContain('Reason: 地址与 CRM 不一致 / address mismatch');
  });

  it('expired: says nothing was executed, and no countdown remains', () => {
    const zh = texts(renderAdaptiveCard(cases.expired!('zh'), { now: new Date('2026-11-24T07:00:00Z') }));
    expect(zh).toContain('已过期，未执行');
    expect(zh).toContain('过期时间: 2026-11-24 14:30');
    const en = texts(renderAdaptiveCard(cases.expired!('en'), { now: NOW }));
    expect(en).toContain('Expired, nothing was executed');
    expect(en).toContain('Expired');
  });

  it('withdrawn: says the requester withdrew it, when, and that nothing ran (issue 13)', () => {
    const zh = texts(renderAdaptiveCard(cases.withdrawn!('zh'), { now: NOW }));
    expect(zh).toContain('已撤回');
    expect(zh).toContain('已由申请人 Alice 于 2026-11-24 14:03 撤回，未执行');
    const en = texts(renderAdaptiveCard(cases.withdrawn!('en'), { now: NOW }));
    expect(en).toContain('Withdrawn by the requester Alice at 2026-11-24 14:03; nothing was executed');
  });

  it('outcome: executing, verified with read-back lines, failed in the attention colour with its reason', () => {
    expect(texts(renderAdaptiveCard(cases.executing!('zh'), { now: NOW }))).toContain('正在执行…');
    expect(texts(renderAdaptiveCard(cases.executing!('en'), { now: NOW }))).toContain('Executing…');

    const verified = renderAdaptiveCard(cases.verified!('zh'), { now: NOW });
    expect(texts(verified)).toContain('已写入并核验');
    expect(facts(verified)).toContainEqual({ title: 'status', value: 'IN_PROGRESS (read back 14:04)' });
    expect(texts(renderAdaptiveCard(cases.verified!('en'), { now: NOW }))).toContain('Written and verified');

    const failed = renderAdaptiveCard(cases.failed!('en'), { now: NOW });
    const heading = walk(failed).find((o) => o.text === 'Approved, but the write failed: nothing was written');
    expect(heading?.color).toBe('attention');
    expect(facts(failed)).toContainEqual({ title: 'error', value: 'SystemError: ticket portal timeout' });
    expect(failed.fallbackText).toContain('[Failed]');
    expect(failed.fallbackText).toContain('SystemError: ticket portal timeout');
    const zh = renderAdaptiveCard(cases.failed!('zh'), { now: NOW });
    expect(texts(zh)).toContain('已批准，但执行失败，未写入');
    // Not a green "已批准" anywhere on a failed write: the badge says it failed, in red.
    expect(walk(zh).some((o) => o.color === 'good')).toBe(false);
    expect(texts(zh)).not.toContain('已批准');
  });

  it('the status badge has its own word and colour for every state, in both languages', () => {
    const badge = (name: string, lang: Lang) => (((renderAdaptiveCard(cases[name]!(lang), { now: NOW }).body as Obj[])[0]!.columns as Obj[])[1]!);
    const expectations: [string, string, string, string | undefined][] = [
      ['pending', '待审批', 'Pending', 'warning'],
      ['approved', '执行中', 'Executing', 'accent'],
      ['executing', '执行中', 'Executing', 'accent'],
      ['verified', '已写入', 'Written', 'good'],
      ['failed', '执行失败', 'Failed', 'attention'],
      ['rejected', '已驳回', 'Rejected', 'attention'],
      ['expired', '已过期', 'Expired', undefined],
    ];
    for (const [name, zh, en, color] of expectations) {
      for (const [lang, word] of [['zh', zh], ['en', en]] as const) {
        const text = items(badge(name, lang))[0]!;
        expect(text.text, `${name} ${lang}`).toBe(word);
        if (color) expect(text.color, `${name} ${lang}`).toBe(color);
        else expect(text.isSubtle, `${name} ${lang}`).toBe(true);
      }
    }
  });

  it('an English card carries no Chinese labels and a Chinese card no English button titles', () => {
    const en = JSON.stringify(renderAdaptiveCard(view('en'), { now: NOW }));
    for (const zh of ['批准', '驳回', '审批人', '待审批']) expect(en).not.toContain(zh);
    const zhCard = renderAdaptiveCard(view('zh'), { now: NOW });
    expect(actions(zhCard).map((a) => a.title)).toEqual(['批准', '驳回']);
  });

  it('fallback text names the status, title and lines for hosts that cannot draw cards', () => {
    const card = renderAdaptiveCard(view('en'), { now: NOW });
    expect(card.fallbackText).toContain('[Pending] Complete ticket T20261124-0012');
    expect(card.fallbackText).toContain('Fault type: LOS / 光信号丢失');
  });
});

describe('validateAdaptiveCard', () => {
  const clean = renderAdaptiveCard(view('en'), { now: NOW });

  it('reports an unknown element type', () => {
    const bad = { ...clean, body: [...(clean.body as unknown[]), { type: 'Carousel', pages: [] }] };
    const problems = validateAdaptiveCard(bad);
    expect(problems.join('\n')).toMatch(/Unknown element type "Carousel"/);
  });

  it('reports an unknown property, even after a dropped element', () => {
    const bad = {
      ...clean,
      body: [{ type: 'Bogus' }, { type: 'TextBlock', text: 'x', msteamsWidth: 'Full' }],
    };
    const problems = validateAdaptiveCard(bad).join('\n');
    expect(problems).toMatch(/\$\.body\[0\] \(Bogus\): dropped/);
    expect(problems).toMatch(/\$\.body\[1\]\.msteamsWidth \(TextBlock\): property not supported/);
  });

  it('reports invalid enum values, duplicate ids and unknown actions', () => {
    const problems = validateAdaptiveCard({
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: 'x', color: 'purple' },
        { type: 'Input.Text', id: 'comment' },
        { type: 'Input.Text', id: 'comment' },
      ],
      actions: [{ type: 'Action.Teleport', title: 'go' }],
    }).join('\n');
    expect(problems).toMatch(/Invalid value "purple" for property "color"/);
    expect(problems).toMatch(/Duplicate Id "comment"/);
    expect(problems).toMatch(/Unknown action type "Action.Teleport"/);
  });

  it("accepts Teams' own msteams extension at the card root only", () => {
    expect(validateAdaptiveCard({ ...clean, msteams: { width: 'Full' } })).toEqual([]);
    const nested = { ...clean, body: [{ type: 'TextBlock', text: 'x', msteams: { width: 'Full' } }] };
    expect(validateAdaptiveCard(nested).join('\n')).toMatch(/msteams \(TextBlock\): property not supported/);
  });

  it('refuses any version other than 1.5, since Teams renders nothing newer', () => {
    expect(validateAdaptiveCard({ ...clean, version: '1.6' }).join('\n')).toMatch(/version must be "1.5"/);
    expect(validateAdaptiveCard('not a card')).toEqual(['card is not a JSON object']);
  });
});

describe('times on the card', () => {
  it('formats in Asia/Shanghai whatever the server time zone', () => {
    expect(formatCardTime('2026-11-24T16:05:00Z')).toBe('2026-11-25 00:05');
    expect(formatCardTime('not a date')).toBe('not a date');
  });

  it('gives a relative hint in both languages, future and past', () => {
    const at = (min: number) => new Date(NOW.getTime() + min * 60_000);
    expect(relativeTime(at(30), NOW, 'zh')).toBe('30 分钟后');
    expect(relativeTime(at(30), NOW, 'en')).toBe('in 30 min');
    expect(relativeTime(at(-5), NOW, 'zh')).toBe('5 分钟前');
    expect(relativeTime(at(-5), NOW, 'en')).toBe('5 min ago');
    expect(relativeTime(at(90), NOW, 'en')).toBe('in 1 h 30 min');
    expect(relativeTime(at(120), NOW, 'zh')).toBe('2 小时后');
    expect(relativeTime(at(3 * 24 * 60), NOW, 'en')).toBe('in 3 days');
    expect(relativeTime(at(0.2), NOW, 'en')).toBe('now');
  });
});

describe('renderTextCard', () => {
  it('is a clean 1.5 card with the facts and no actions', () => {
    const card = renderTextCard('端口 OLT-HZ-01 0/1/3', [{ label: '收光', value: '-21.3 dBm' }], 'zh');
    expect(validateAdaptiveCard(card)).toEqual([]);
    expect(facts(card)).toEqual([{ title: '收光', value: '-21.3 dBm' }]);
    expect(walk(card).some((o) => o.type === 'FactSet')).toBe(false);
    expect(actions(card)).toEqual([]);
  });
});

describe('the card a manager approves (issue 13)', () => {
  const readAt = '2026-11-24T06:02:00Z'; // 14:02 in Beijing
  const completion = (lang: Lang, patch: Partial<ApprovalCardView> = {}) =>
    view(lang, {
      target: { label: lang === 'zh' ? '工单 · 客户' : 'Ticket · customer', value: 'T20261124-0012 · C000123 · 138****1234', source: { system: 'ticket', readAt } },
      lines: [
        { label: lang === 'zh' ? '工单' : 'Ticket', value: 'T20261124-0012' },
        { label: lang === 'zh' ? '宽带账号' : 'Broadband account', value: 'hz81000123', current: null, source: { system: 'crm', readAt } },
        { label: lang === 'zh' ? '装机地址' : 'Address', value: '文三路 90 号', current: '文三路 1 号', source: { system: 'requester' } },
        { label: lang === 'zh' ? '接入端口' : 'Access port', value: 'OLT-HZ-01 0/1/3', current: null, source: { system: 'resource', readAt } },
      ],
      ...patch,
    });

  it('shows every field as current → new, with the source system and its read time in Beijing time (zh)', () => {
    const shown = fields(renderAdaptiveCard(completion('zh'), { now: NOW }));
    expect(shown).toContainEqual({ label: '宽带账号', value: '（空） → hz81000123', source: '来源：CRM 系统，2026-11-24 14:02 读取' });
    expect(shown).toContainEqual({ label: '装机地址', value: '文三路 1 号 → 文三路 90 号', source: '来源：Alice 提供' });
    expect(shown).toContainEqual({ label: '接入端口', value: '（空） → OLT-HZ-01 0/1/3', source: '来源：资源管理系统，2026-11-24 14:02 读取' });
    // The record it concerns, and where that was read.
    const card = renderAdaptiveCard(completion('zh'), { now: NOW });
    expect(texts(card)).toContain('工单 · 客户: T20261124-0012 · C000123 · 138****1234');
    expect(texts(card)).toContain('来源：工单系统，2026-11-24 14:02 读取');
    expect(validateAdaptiveCard(card)).toEqual([]);
  });

  it('the same in English', () => {
    const card = renderAdaptiveCard(completion('en'), { now: NOW });
    const shown = fields(card);
    expect(shown).toContainEqual({ label: 'Broadband account', value: '(empty) → hz81000123', source: 'Source: CRM system, read 2026-11-24 14:02' });
    expect(shown).toContainEqual({ label: 'Address', value: '文三路 1 号 → 文三路 90 号', source: 'Source: given by Alice' });
    expect(texts(card)).toContain('Operation: Complete ticket');
    expect(texts(card)).toContain('Ticket · customer: T20261124-0012 · C000123 · 138****1234');
    // No Chinese word of the card's own (the values are data and stay as read).
    for (const zh of ['来源', '（空）', '宽带', '操作', '读取', '提供']) expect(JSON.stringify(card)).not.toContain(zh);
    expect(validateAdaptiveCard(card)).toEqual([]);
  });

  it('labels never wrap mid-word: no FactSet, every label beside a value sits in an auto-width column and does not wrap, write labels sit above their values', () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const make of [...Object.values(cases), completion]) {
        const card = renderAdaptiveCard(make(lang), { now: NOW });
        expect(walk(card).some((o) => o.type === 'FactSet')).toBe(false);
        const labeled = walk(card).filter((o) => o.type === 'ColumnSet' && (o.columns as Obj[]).length === 2 && (o.columns as Obj[])[1]!.width === 'stretch' && items((o.columns as Obj[])[0])[0]?.weight === 'bolder');
        for (const set of labeled) {
          const [label] = set.columns as Obj[];
          expect(label!.width).toBe('auto');
          expect(items(label)[0]!.wrap).toBe(false);
        }
      }
      // "宽带账号" is a label above its value, in a column of its own width.
      const broadband = fields(renderAdaptiveCard(completion(lang), { now: NOW }))[1]!;
      expect(broadband.label).toBe(lang === 'zh' ? '宽带账号' : 'Broadband account');
    }
  });

  it("the requester's own copy has only a Withdraw button (no approve, no input), and says whom it waits for", () => {
    for (const lang of ['zh', 'en'] as const) {
      const card = renderAdaptiveCard(completion(lang, { reader: { id: 'alice', role: 'requester' } }), { now: NOW });
      expect(actions(card).map((a) => [a.verb, a.title, a.data])).toEqual([['withdraw', lang === 'zh' ? '撤回' : 'Withdraw', { approvalId: expect.any(String) }]]);
      expect(inputs(card)).toEqual([]);
      expect(texts(card)).toContain(lang === 'zh' ? '等待 Carol、Dave 审批' : 'Waiting for Carol, Dave to decide');
      expect(validateAdaptiveCard(card)).toEqual([]);
      // Even a renderer asked for an approver's view does not give the requester approve buttons.
      expect(actions(renderAdaptiveCard(completion(lang, { reader: { id: 'alice', role: 'requester' } }), { now: NOW, audience: 'approver' })).map((a) => a.verb)).toEqual(['withdraw']);
      // Once decided or withdrawn, nothing to click.
      expect(actions(renderAdaptiveCard(completion(lang, { reader: { id: 'alice', role: 'requester' }, status: 'withdrawn' }), { now: NOW }))).toEqual([]);
    }
    expect(actions(renderAdaptiveCard(completion('zh', { reader: { id: 'dave', role: 'approver' } }), { now: NOW }))).toHaveLength(2);
  });

  it("the requester's copy shows the failure too, with the reason", () => {
    const failed = completion('en', {
      reader: { id: 'alice', role: 'requester' },
      status: 'approved',
      decision: { by: { id: 'dave', name: 'Dave' }, at: decidedAt },
      outcome: { state: 'failed', lines: [{ label: 'Reason', value: 'Appointment start is in the past' }] },
    });
    const card = renderAdaptiveCard(failed, { now: NOW });
    expect(texts(card)).toEqual(expect.arrayContaining(['Failed', 'Approved, but the write failed: nothing was written', 'Reason: Appointment start is in the past']));
    expect(actions(card)).toEqual([]);
  });

  it('the requester is named with their department', () => {
    const card = renderAdaptiveCard(completion('zh', { requester: { id: 'bob', name: 'Bob', department: '杭州装维班组' } }), { now: NOW });
    expect(texts(card)).toContain('申请人: Bob（杭州装维班组）');
  });
});
