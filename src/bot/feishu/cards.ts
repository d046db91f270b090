/**
 * ApprovalCardView -> Feishu card JSON 2.0. The same facts as the Adaptive Card (title, status,
 * requester, operation, approvers, expiry, the exact lines to be written, decision, outcome);
 * `update_multi` so one patch redraws the card for everyone who sees it.
 *
 * The reason input and the two buttons sit in one form, so a click submits the typed reason
 * (action.form_value.comment) and names its button (action.name = approve | reject). The callback
 * value carries the opaque approval id only; who clicked comes from the callback's operator.
 */
import { formatCardTime, relativeTime } from '../cards/adaptive.js';
import type { ApprovalCardView, ApprovalStatus, CardLine } from '../../chat/approval-card.js';
import { CARD_TEXT } from '../cards/texts.js';

export const FORM_NAME = 'approval_form';
export const COMMENT_FIELD = 'comment';
export const COMMENT_MAX_LENGTH = 500;
export type ButtonName = 'approve' | 'reject';

type Json = Record<string, unknown>;
export type FeishuCardJson = {
  schema: '2.0';
  config: Json & { update_multi: true };
  header: Json;
  body: { elements: Json[] };
};

const TEXT = CARD_TEXT;

/** Header colour: orange while someone must act, green done, red refused, grey lapsed. */
const TEMPLATE: Record<ApprovalStatus, 'orange' | 'green' | 'red' | 'grey'> = {
  pending: 'orange',
  approved: 'green',
  rejected: 'red',
  expired: 'grey',
  withdrawn: 'grey',
};

const plain = (content: string): Json => ({ tag: 'plain_text', content });

/** Values are shown as plain text: a value that looks like markdown is still shown exactly. */
function line(label: string, value: string, sep: string, extra: Json = {}): Json {
  return { tag: 'div', text: { ...plain(`${label}${sep}${value}`), ...extra } };
}

function lines(items: readonly CardLine[], sep: string): Json[] {
  return items.map((l) => line(l.label, l.value, sep));
}

function expiryValue(view: ApprovalCardView, now: Date): string {
  const at = formatCardTime(view.expiresAt);
  const expires = new Date(view.expiresAt);
  if (view.status !== 'pending' || Number.isNaN(expires.getTime())) return at;
  const rel = relativeTime(expires, now, view.lang);
  return view.lang === 'zh' ? `${at}（${rel}）` : `${at} (${rel})`;
}

function note(content: string, color: 'green' | 'red' | 'grey'): Json {
  return { tag: 'div', text: { ...plain(content), text_color: color } };
}

function decisionElements(view: ApprovalCardView): Json[] {
  const t = TEXT[view.lang];
  if (view.status === 'expired') return [{ tag: 'hr' }, note(t.expired, 'grey')];
  if (view.status === 'withdrawn') return [{ tag: 'hr' }, note(t.withdrawnBy(view.requester.name, view.decision ? formatCardTime(view.decision.at) : ''), 'grey')];
  if (view.status === 'pending' || !view.decision) return [];
  const approved = view.status === 'approved';
  const at = formatCardTime(view.decision.at);
  const out: Json[] = [
    { tag: 'hr' },
    note(approved ? t.approvedBy(view.decision.by.name, at) : t.rejectedBy(view.decision.by.name, at), approved ? 'green' : 'red'),
  ];
  const comment = view.decision.comment?.trim();
  if (comment) out.push(line(approved ? t.comment : t.reason, comment, t.sep));
  return out;
}

function outcomeElements(view: ApprovalCardView): Json[] {
  const outcome = view.outcome;
  if (!outcome) return [];
  const t = TEXT[view.lang];
  const head =
    outcome.state === 'executing' ? note(t.executing, 'grey') : outcome.state === 'verified' ? note(t.verified, 'green') : note(t.failed, 'red');
  return [head, ...lines(outcome.lines, t.sep)];
}

function button(name: ButtonName, title: string, type: 'primary_filled' | 'danger', approvalId: string): Json {
  return {
    tag: 'button',
    name,
    text: plain(title),
    type,
    width: 'default',
    form_action_type: 'submit',
    behaviors: [{ type: 'callback', value: { approvalId } }],
  };
}

function decisionForm(view: ApprovalCardView): Json {
  const t = TEXT[view.lang];
  return {
    tag: 'form',
    name: FORM_NAME,
    elements: [
      {
        tag: 'input',
        name: COMMENT_FIELD,
        label: plain(t.commentLabel),
        label_position: 'top',
        placeholder: plain(t.commentPlaceholder),
        max_length: COMMENT_MAX_LENGTH,
        required: false,
        width: 'fill',
      },
      {
        tag: 'column_set',
        horizontal_spacing: 'small',
        columns: [
          { tag: 'column', width: 'auto', elements: [button('approve', t.approve, 'primary_filled', view.approvalId)] },
          { tag: 'column', width: 'auto', elements: [button('reject', t.reject, 'danger', view.approvalId)] },
        ],
      },
    ],
  };
}

export function renderFeishuCard(view: ApprovalCardView, opts: { now?: Date } = {}): FeishuCardJson {
  const now = opts.now ?? new Date();
  const t = TEXT[view.lang];
  const status = t.status[view.status];
  const approverNames = view.approvers.map((a) => a.name).join(t.listSep) || t.none;
  const elements: Json[] = [
    line(t.requester, view.requester.name, t.sep),
    line(t.tool, view.tool, t.sep),
    line(t.approvers, approverNames, t.sep),
    line(t.expires, expiryValue(view, now), t.sep),
    { tag: 'hr' },
    { tag: 'div', text: { ...plain(t.willWrite), text_color: 'grey' } },
    ...(view.lines.length > 0 ? lines(view.lines, t.sep) : [note(t.none, 'grey')]),
    ...decisionElements(view),
    ...outcomeElements(view),
  ];
  if (view.status === 'pending') elements.push({ tag: 'hr' }, decisionForm(view));
  return {
    schema: '2.0',
    config: {
      update_multi: true,
      width_mode: 'fill',
      // What the chat list and notifications show instead of "[card]".
      summary: { content: `[${status}] ${view.title}` },
    },
    header: {
      title: plain(view.title),
      subtitle: plain(`${t.requester}${t.sep}${view.requester.name}`),
      template: TEMPLATE[view.status],
      text_tag_list: [{ tag: 'text_tag', text: plain(status), color: TEMPLATE[view.status] === 'grey' ? 'neutral' : TEMPLATE[view.status] }],
    },
    body: { elements },
  };
}
