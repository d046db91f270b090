/**
 * ApprovalCardView -> Adaptive Card 1.5: the card Teams shows and the console renders with
 * Microsoft's own library. Teams draws nothing newer than 1.5, so nothing newer is used here
 * (validate-adaptive.ts checks every card against the library's 1.5 parser).
 *
 * The buttons carry only the opaque approval id: who clicked comes from the platform envelope.
 */
import { cardState, type ApprovalCardView, type CardLine, type CardState } from '../../chat/approval-card.js';
import type { Lang } from '../../chat/lang.js';
import { CARD_TEXT } from './texts.js';

export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: '1.5' };

type Element = Record<string, unknown>;

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/** Operations staff read times in Beijing time wherever the server runs. */
const DISPLAY_TIME_ZONE = 'Asia/Shanghai';

/** The id of the reject-reason input; Action.Execute merges it into the action data as `comment`. */
export const COMMENT_INPUT_ID = 'comment';
export const COMMENT_MAX_LENGTH = 500;

const TEXT = CARD_TEXT;

/**
 * Adaptive Card colours, one per state a reader can see: amber while someone must act, green only
 * once the write is verified, red for a refusal or a failed write, grey for what lapsed or was
 * withdrawn. An approved write that failed is never green.
 */
const STATE_COLOR: Record<CardState, 'warning' | 'good' | 'attention' | 'accent' | 'default'> = {
  pending: 'warning',
  executing: 'accent',
  written: 'good',
  failed: 'attention',
  rejected: 'attention',
  expired: 'default',
  withdrawn: 'default',
};

/** "2026-11-24 14:30" in Beijing time; the raw string back if it is not a date. */
export function formatCardTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: DISPLAY_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** "30 分钟后" / "in 30 min", "5 分钟前" / "5 min ago". */
export function relativeTime(target: Date, now: Date, lang: Lang): string {
  const diffMin = Math.round((target.getTime() - now.getTime()) / 60_000);
  const future = diffMin >= 0;
  const mins = Math.abs(diffMin);
  if (mins < 1) return lang === 'zh' ? '即将' : 'now';
  let amount: string;
  if (mins < 60) {
    amount = lang === 'zh' ? `${mins} 分钟` : `${mins} min`;
  } else if (mins < 48 * 60) {
    const h = Math.floor(mins / 60);
    const m = mins % 60;
    amount =
      lang === 'zh'
        ? `${h} 小时${m ? ` ${m} 分钟` : ''}`
        : `${h} h${m ? ` ${m} min` : ''}`;
  } else {
    const days = Math.round(mins / (24 * 60));
    amount = lang === 'zh' ? `${days} 天` : `${days} day${days === 1 ? '' : 's'}`;
  }
  if (lang === 'zh') return future ? `${amount}后` : `${amount}前`;
  return future ? `in ${amount}` : `${amount} ago`;
}

function textBlock(text: string, extra: Element = {}): Element {
  return { type: 'TextBlock', text, wrap: true, ...extra };
}

/**
 * A short label beside its value. The label's column is as wide as the label ("auto") and the
 * label does not wrap, so "宽带账号" never breaks as "宽带账/号" the way a FactSet's narrow title
 * column did; the value takes the rest and wraps.
 */
function labeled(label: string, value: string, extra: Element = {}, note?: string): Element {
  return {
    type: 'ColumnSet',
    spacing: 'small',
    ...extra,
    columns: [
      { type: 'Column', width: 'auto', items: [textBlock(label, { wrap: false, weight: 'bolder', isSubtle: true })] },
      { type: 'Column', width: 'stretch', items: [textBlock(value), ...(note ? [textBlock(note, { size: 'small', isSubtle: true, spacing: 'none' })] : [])] },
    ],
  };
}

function labeledLines(lines: readonly CardLine[], extra: Element = {}): Element[] {
  return lines.map((l, i) => labeled(l.label, l.value, i === 0 ? extra : {}));
}

/** "（空） → 36 号" where the field has a current value to replace; the value alone otherwise. */
export function changeText(line: CardLine, lang: Lang): string {
  if (line.current === undefined) return line.value;
  const now = line.current === null || line.current === '' ? TEXT[lang].empty : line.current;
  return `${now} → ${line.value}`;
}

/**
 * One field of the write, label above value, so neither a long label nor a long value is cut:
 * current → new, then where the new value came from and when it was read (operator-local time).
 */
function writeLine(line: CardLine, view: ApprovalCardView): Element {
  const t = TEXT[view.lang];
  const items: Element[] = [
    textBlock(line.label, { size: 'small', weight: 'bolder', isSubtle: true }),
    textBlock(changeText(line, view.lang), { spacing: 'none' }),
  ];
  if (line.source) items.push(textBlock(t.source(line.source, view.requester.name), { size: 'small', isSubtle: true, spacing: 'none' }));
  return { type: 'Container', spacing: 'small', items };
}

function header(view: ApprovalCardView): Element {
  const t = TEXT[view.lang];
  const state = cardState(view);
  const color = STATE_COLOR[state];
  return {
    type: 'ColumnSet',
    columns: [
      {
        type: 'Column',
        width: 'stretch',
        verticalContentAlignment: 'center',
        items: [textBlock(view.title, { size: 'medium', weight: 'bolder', style: 'heading' })],
      },
      {
        // A styled column draws a tinted, padded badge in Teams and in the console alike.
        type: 'Column',
        width: 'auto',
        verticalContentAlignment: 'center',
        style: color === 'default' ? 'emphasis' : color,
        items: [
          textBlock(t.state[state], {
            weight: 'bolder',
            size: 'small',
            ...(color === 'default' ? { isSubtle: true } : { color }),
          }),
        ],
      },
    ],
  };
}

function expiryValue(view: ApprovalCardView, now: Date): string {
  const at = formatCardTime(view.expiresAt);
  const expires = new Date(view.expiresAt);
  // After a decision the countdown no longer means anything.
  if (view.status !== 'pending' || Number.isNaN(expires.getTime())) return at;
  const rel = relativeTime(expires, now, view.lang);
  return view.lang === 'zh' ? `${at}（${rel}）` : `${at} (${rel})`;
}

function decisionBlocks(view: ApprovalCardView): Element[] {
  const t = TEXT[view.lang];
  const state = cardState(view);
  if (state === 'expired') {
    return [textBlock(t.expired, { weight: 'bolder', isSubtle: true, separator: true, spacing: 'medium' })];
  }
  if (state === 'withdrawn') {
    const at = view.decision ? formatCardTime(view.decision.at) : '';
    return [textBlock(t.withdrawnBy(view.requester.name, at), { weight: 'bolder', isSubtle: true, separator: true, spacing: 'medium' })];
  }
  if (view.status === 'pending' || !view.decision) return [];
  const by = view.decision.by.name;
  const at = formatCardTime(view.decision.at);
  const approved = view.status === 'approved';
  // Approval alone is not success: green is kept for the verified write (outcomeBlocks).
  const blocks: Element[] = [
    textBlock(approved ? t.approvedBy(by, at) : t.rejectedBy(by, at), {
      weight: 'bolder',
      ...(approved ? {} : { color: 'attention' }),
      separator: true,
      spacing: 'medium',
    }),
  ];
  const comment = view.decision.comment?.trim();
  if (comment) blocks.push(labeled(approved ? t.comment : t.reason, comment));
  return blocks;
}

function outcomeBlocks(view: ApprovalCardView): Element[] {
  const outcome = view.outcome;
  if (!outcome) return [];
  const t = TEXT[view.lang];
  const blocks: Element[] = [];
  switch (outcome.state) {
    case 'executing':
      blocks.push(textBlock(t.executing, { isSubtle: true, separator: true, spacing: 'medium' }));
      break;
    case 'verified':
      blocks.push(textBlock(t.verified, { weight: 'bolder', color: 'good', separator: true, spacing: 'medium' }));
      break;
    case 'failed':
      blocks.push(textBlock(t.failedAfterApproval, { weight: 'bolder', color: 'attention', separator: true, spacing: 'medium' }));
      break;
  }
  const lines = labeledLines(outcome.lines);
  if (lines.length > 0) {
    // A failure's reason sits in a red-tinted box, so it is read as the reason, not as data.
    blocks.push(outcome.state === 'failed' ? { type: 'Container', style: 'attention', spacing: 'small', items: lines } : { type: 'Container', spacing: 'small', items: lines });
  }
  return blocks;
}

function fallbackText(view: ApprovalCardView): string {
  const t = TEXT[view.lang];
  const sep = view.lang === 'zh' ? '：' : ': ';
  const parts = [
    `[${t.state[cardState(view)]}] ${view.title}`,
    `${t.requester}${sep}${requesterText(view)}`,
    ...(view.target ? [`${view.target.label}${sep}${view.target.value}`] : []),
    ...view.lines.map((l) => `${l.label}${sep}${changeText(l, view.lang)}`),
    ...(view.outcome?.state === 'failed' ? [t.failedAfterApproval, ...view.outcome.lines.map((l) => `${l.label}${sep}${l.value}`)] : []),
    `${t.approvers}${sep}${view.approvers.map((a) => a.name).join(t.listSep) || t.none}`,
  ];
  return parts.join('\n');
}

/** "Bob（杭州装维班组）" / "Bob (Hangzhou Field Operations)". */
export function requesterText(view: ApprovalCardView): string {
  const d = view.requester.department;
  if (!d) return view.requester.name;
  return view.lang === 'zh' ? `${view.requester.name}（${d}）` : `${view.requester.name} (${d})`;
}

/** Who looks at a copy when the renderer is not told: the view's reader, else an approver. */
function audienceOf(view: ApprovalCardView, asked: 'approver' | 'viewer' | undefined): 'approver' | 'viewer' | 'requester' {
  if (view.reader?.role === 'requester') return 'requester';
  return asked ?? (view.reader?.role === 'viewer' ? 'viewer' : 'approver');
}

/** Teams sends a user-specific refresh to at most this many users per card. */
export const MAX_REFRESH_USER_IDS = 60;

export interface AdaptiveRenderOptions {
  now?: Date;
  /**
   * Who looks at this copy of a pending card: 'approver' (the default, as in the console) gets the
   * reason input and the buttons; 'viewer' gets a "waiting for <names>" line instead.
   */
  audience?: 'approver' | 'viewer';
  /**
   * Teams user-specific views (Universal Actions): these users' clients ask the bot for their own
   * view with an Action.Execute of verb "refresh" while the card is pending. At most 60 are kept.
   */
  refreshUserIds?: readonly string[];
  /** Give each Action.Execute an Action.Submit fallback (data + verb) for clients without Universal Actions. */
  submitFallback?: boolean;
}

/** The verb of the refresh action a Teams client sends for a user-specific view. */
export const REFRESH_VERB = 'refresh';

export function renderAdaptiveCard(view: ApprovalCardView, opts: AdaptiveRenderOptions = {}): AdaptiveCardJson {
  if (view.bulk) return renderBulkAdaptiveCard(view, view.bulk, opts);
  const now = opts.now ?? new Date();
  const t = TEXT[view.lang];
  const approverNames = view.approvers.map((a) => a.name).join(t.listSep) || t.none;

  const audience = audienceOf(view, opts.audience);
  const body: Element[] = [
    header(view),
    labeled(t.tool, view.action ?? view.tool),
    // What the write concerns, and where and when that record was read.
    ...(view.target ? [labeled(view.target.label, view.target.value, {}, view.target.source ? t.source(view.target.source, view.requester.name) : undefined)] : []),
    ...labeledLines([
      { label: t.requester, value: requesterText(view) },
      { label: t.approvers, value: approverNames },
      { label: t.expires, value: expiryValue(view, now) },
    ]),
    {
      type: 'Container',
      style: 'emphasis',
      spacing: 'medium',
      items: [
        textBlock(t.willWrite, { weight: 'bolder', size: 'small' }),
        ...(view.lines.length > 0 ? view.lines.map((l) => writeLine(l, view)) : [textBlock(t.none, { isSubtle: true })]),
      ],
    },
    ...decisionBlocks(view),
    ...outcomeBlocks(view),
  ];

  const card: AdaptiveCardJson = {
    type: 'AdaptiveCard',
    $schema: SCHEMA,
    version: '1.5',
    fallbackText: fallbackText(view),
    body,
  };

  if (view.status === 'pending' && opts.refreshUserIds && opts.refreshUserIds.length > 0) {
    card.refresh = {
      action: { type: 'Action.Execute', verb: REFRESH_VERB, title: t.state.pending, data: { approvalId: view.approvalId } },
      userIds: [...new Set(opts.refreshUserIds)].slice(0, MAX_REFRESH_USER_IDS),
    };
  }

  if (view.status === 'pending' && audience !== 'approver') {
    // The requester and onlookers see where it stands, never the approve buttons.
    body.push(textBlock(t.waitingFor(approverNames), { weight: 'bolder', color: 'warning', separator: true, spacing: 'medium' }));
    // The requester's own copy may withdraw it (who clicked is checked against the requester).
    if (audience === 'requester') card.actions = [executeAction('withdraw', t.withdraw, undefined, view.approvalId, opts)];
  } else if (view.status === 'pending') {
    // Inside the body, not in an Action.ShowCard, so both buttons submit it with the click.
    body.push({
      type: 'Input.Text',
      id: COMMENT_INPUT_ID,
      label: t.commentLabel,
      placeholder: t.commentPlaceholder,
      isMultiline: true,
      maxLength: COMMENT_MAX_LENGTH,
      spacing: 'medium',
    });
    const execute = (verb: 'approve' | 'reject', title: string, style: string): Element => ({
      type: 'Action.Execute',
      verb,
      title,
      style,
      data: { approvalId: view.approvalId },
      // Action.Submit has no verb: it travels in the data, next to the approval id.
      ...(opts.submitFallback ? { fallback: { type: 'Action.Submit', title, style, data: { approvalId: view.approvalId, verb } } } : {}),
    });
    card.actions = [execute('approve', t.approve, 'positive'), execute('reject', t.reject, 'destructive')];
  }
  return card;
}

/** One button carrying only the card's opaque id (plus, for the Action.Submit fallback, its verb). */
function executeAction(verb: 'approve' | 'reject' | 'withdraw', title: string, style: 'positive' | 'destructive' | undefined, approvalId: string, opts: AdaptiveRenderOptions): Element {
  const styled = style ? { style } : {};
  return {
    type: 'Action.Execute',
    verb,
    title,
    ...styled,
    data: { approvalId },
    ...(opts.submitFallback ? { fallback: { type: 'Action.Submit', title, ...styled, data: { approvalId, verb } } } : {}),
  };
}

const TONE_COLOR = { good: 'good', bad: 'attention', neutral: 'default', pending: 'accent' } as const;

/**
 * A bulk card: every listed request as one block (title, requester, target, current → new), what
 * became of each after the click, the ones that keep their own card, and approve-all / reject-all.
 */
function renderBulkAdaptiveCard(view: ApprovalCardView, bulk: NonNullable<ApprovalCardView['bulk']>, opts: AdaptiveRenderOptions): AdaptiveCardJson {
  const t = TEXT[view.lang];
  const sep = view.lang === 'zh' ? '：' : ': ';
  const items: Element[] = bulk.items.map((it, i) => ({
    type: 'Container',
    spacing: 'small',
    separator: i > 0,
    items: [
      textBlock(`${i + 1}. ${it.title}`, { weight: 'bolder' }),
      textBlock(`${t.requester}${sep}${it.requester}${it.target ? ` · ${it.target}` : ''} · #${it.id}`, { size: 'small', isSubtle: true, spacing: 'none' }),
      textBlock(it.change, { spacing: 'none' }),
      ...(it.result ? [textBlock(it.result.text, { weight: 'bolder', spacing: 'none', ...(it.result.tone === 'neutral' ? { isSubtle: true } : { color: TONE_COLOR[it.result.tone] }) })] : []),
    ],
  }));
  const body: Element[] = [
    header(view),
    labeled(t.tool, bulk.action),
    { type: 'Container', style: 'emphasis', spacing: 'medium', items: [textBlock(t.bulkItems, { weight: 'bolder', size: 'small' }), ...items] },
    ...(bulk.ownCards.length ? [textBlock(`${t.bulkOwnCards} ${bulk.ownCards.map((o) => `#${o.id} ${o.title}`).join(t.listSep)}`, { isSubtle: true, spacing: 'medium' })] : []),
    ...(bulk.beyondCap ? [textBlock(t.bulkBeyond(bulk.beyondCap), { isSubtle: true })] : []),
    ...decisionBlocks(view),
  ];
  const card: AdaptiveCardJson = {
    type: 'AdaptiveCard',
    $schema: SCHEMA,
    version: '1.5',
    fallbackText: [view.title, ...bulk.items.map((it, i) => `${i + 1}. ${it.title} — ${it.requester} — ${it.change}${it.result ? ` [${it.result.text}]` : ''}`)].join('\n'),
    body,
  };
  if (view.status === 'pending' && audienceOf(view, opts.audience) === 'approver') {
    body.push({ type: 'Input.Text', id: COMMENT_INPUT_ID, label: t.commentLabel, placeholder: t.bulkComment, isMultiline: true, maxLength: COMMENT_MAX_LENGTH, spacing: 'medium' });
    card.actions = [executeAction('approve', t.approveAll(bulk.items.length), 'positive', view.approvalId, opts), executeAction('reject', t.rejectAll, 'destructive', view.approvalId, opts)];
  }
  return card;
}

/** A plain informational card (no inputs, no actions), e.g. a query result. */
export function renderTextCard(title: string, facts: readonly CardLine[], lang: Lang): AdaptiveCardJson {
  const sep = lang === 'zh' ? '：' : ': ';
  return {
    type: 'AdaptiveCard',
    $schema: SCHEMA,
    version: '1.5',
    fallbackText: [title, ...facts.map((f) => `${f.label}${sep}${f.value}`)].join('\n'),
    body: [
      textBlock(title, { size: 'medium', weight: 'bolder', style: 'heading' }),
      ...labeledLines(facts),
    ],
  };
}
