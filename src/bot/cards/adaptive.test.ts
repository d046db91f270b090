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

function texts(card: unknown): string[] {
  return walk(card).flatMap((o) => {
    if (o.type === 'TextBlock' && typeof o.text === 'string') return [o.text];
    if (typeof o.title === 'string' && typeof o.value === 'string') return [`${o.title}: ${o.value}`];
    return [];
  });
}

function facts(card: unknown): { title: string; value: string }[] {
  return walk(card)
    .filter((o) => o.type === 'FactSet')
    .flatMap((o) => o.facts as { title: string; value: string }[]);
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
        const shown = facts(renderAdaptiveCard(v, { now: NOW }));
        for (const line of v.lines) expect(shown).toContainEqual({ title: line.label, value: line.value });
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
        'Operation: ticket.updateFields',
      ]),
    );
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

  it('outcome: executing, verified with read-back lines, failed in the attention colour', () => {
    expect(texts(renderAdaptiveCard(cases.executing!('zh'), { now: NOW }))).toContain('正在执行…');
    expect(texts(renderAdaptiveCard(cases.executing!('en'), { now: NOW }))).toContain('Executing…');

    const verified = renderAdaptiveCard(cases.verified!('zh'), { now: NOW });
    expect(texts(verified)).toContain('已写入并核验');
    expect(facts(verified)).toContainEqual({ title: 'status', value: 'IN_PROGRESS (read back 14:04)' });
    expect(texts(renderAdaptiveCard(cases.verified!('en'), { now: NOW }))).toContain('Written and verified');

    const failed = renderAdaptiveCard(cases.failed!('en'), { now: NOW });
    const heading = walk(failed).find((o) => o.text === 'Execution failed');
    expect(heading?.color).toBe('attention');
    expect(facts(failed)).toContainEqual({ title: 'error', value: 'SystemError: ticket portal timeout' });
    expect(texts(renderAdaptiveCard(cases.failed!('zh'), { now: NOW }))).toContain('执行失败');
  });

  it('the status badge is coloured by state', () => {
    const badge = (name: string) => walk(renderAdaptiveCard(cases[name]!('en'), { now: NOW })).find(
      (o) => o.type === 'TextBlock' && ['Pending', 'Approved', 'Rejected', 'Expired'].includes(o.text as string),
    );
    expect(badge('pending')?.color).toBe('warning');
    expect(badge('approved')?.color).toBe('good');
    expect(badge('rejected')?.color).toBe('attention');
    expect(badge('expired')?.isSubtle).toBe(true);
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
    expect(actions(card)).toEqual([]);
  });
});
