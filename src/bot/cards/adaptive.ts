/**
 * ApprovalCardView -> Adaptive Card 1.5: the card Teams shows and the console renders with
 * Microsoft's own library. Teams draws nothing newer than 1.5, so nothing newer is used here
 * (validate-adaptive.ts checks every card against the library's 1.5 parser).
 *
 * The buttons carry only the opaque approval id: who clicked comes from the platform envelope.
 */
import type { ApprovalCardView, ApprovalStatus, CardLine } from '../../chat/approval-card.js';
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

/** Adaptive Card colours: amber while someone must act, green done, red refused, grey lapsed. */
const STATUS_COLOR: Record<ApprovalStatus, 'warning' | 'good' | 'attention' | 'default'> = {
  pending: 'warning',
  approved: 'good',
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

function factSet(lines: readonly CardLine[], extra: Element = {}): Element {
  return { type: 'FactSet', facts: lines.map((l) => ({ title: l.label, value: l.value })), ...extra };
}

function header(view: ApprovalCardView): Element {
  const t = TEXT[view.lang];
  const color = STATUS_COLOR[view.status];
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
          textBlock(t.status[view.status], {
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
  if (view.status === 'expired') {
    return [textBlock(t.expired, { weight: 'bolder', isSubtle: true, separator: true, spacing: 'medium' })];
  }
  if (view.status === 'withdrawn') {
    const at = view.decision ? formatCardTime(view.decision.at) : '';
    return [textBlock(t.withdrawnBy(view.requester.name, at), { weight: 'bolder', isSubtle: true, separator: true, spacing: 'medium' })];
  }
  if (view.status === 'pending' || !view.decision) return [];
  const by = view.decision.by.name;
  const at = formatCardTime(view.decision.at);
  const approved = view.status === 'approved';
  const blocks: Element[] = [
    textBlock(approved ? t.approvedBy(by, at) : t.rejectedBy(by, at), {
      weight: 'bolder',
      color: approved ? 'good' : 'attention',
      separator: true,
      spacing: 'medium',
    }),
  ];
  const comment = view.decision.comment?.trim();
  if (comment) blocks.push(factSet([{ label: approved ? t.comment : t.reason, value: comment }], { spacing: 'small' }));
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
      blocks.push(textBlock(t.failed, { weight: 'bolder', color: 'attention', separator: true, spacing: 'medium' }));
      break;
  }
  if (outcome.lines.length > 0) blocks.push(factSet(outcome.lines, { spacing: 'small' }));
  return blocks;
}

function fallbackText(view: ApprovalCardView): string {
  const t = TEXT[view.lang];
  const sep = view.lang === 'zh' ? '：' : ': ';
  const parts = [
    `[${t.status[view.status]}] ${view.title}`,
    `${t.requester}${sep}${view.requester.name}`,
    ...view.lines.map((l) => `${l.label}${sep}${l.value}`),
    `${t.approvers}${sep}${view.approvers.map((a) => a.name).join(t.listSep) || t.none}`,
  ];
  return parts.join('\n');
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
  const now = opts.now ?? new Date();
  const t = TEXT[view.lang];
  const approverNames = view.approvers.map((a) => a.name).join(t.listSep) || t.none;

  const body: Element[] = [
    header(view),
    factSet(
      [
        { label: t.requester, value: view.requester.name },
        { label: t.tool, value: view.tool },
        { label: t.approvers, value: approverNames },
        { label: t.expires, value: expiryValue(view, now) },
      ],
      { spacing: 'small' },
    ),
    {
      type: 'Container',
      style: 'emphasis',
      spacing: 'medium',
      items: [
        textBlock(t.willWrite, { weight: 'bolder', size: 'small' }),
        view.lines.length > 0 ? factSet(view.lines, { spacing: 'small' }) : textBlock(t.none, { isSubtle: true }),
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
      action: { type: 'Action.Execute', verb: REFRESH_VERB, title: t.status.pending, data: { approvalId: view.approvalId } },
      userIds: [...new Set(opts.refreshUserIds)].slice(0, MAX_REFRESH_USER_IDS),
    };
  }

  if (view.status === 'pending' && opts.audience === 'viewer') {
    body.push(textBlock(t.waitingFor(approverNames), { weight: 'bolder', color: 'warning', separator: true, spacing: 'medium' }));
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
      ...(facts.length > 0 ? [factSet(facts, { spacing: 'small' })] : []),
    ],
  };
}
