/**
 * ApprovalCardView -> Feishu card JSON 2.0. The same facts as the Adaptive Card (title, status,
 * requester, operation, approvers, expiry, the exact lines to be written, decision, outcome);
 * `update_multi` so one patch redraws the card for everyone who sees it.
 *
 * The reason input and the two buttons sit in one form, so a click submits the typed reason
 * (action.form_value.comment) and names its button (action.name = approve | reject). The callback
 * value carries the opaque approval id only; who clicked comes from the callback's operator.
 */
import { changeText, formatCardTime, relativeTime, requesterText } from '../cards/adaptive.js';
import { cardState, type ApprovalCardView, type CardLine, type CardState } from '../../chat/approval-card.js';
import { CARD_TEXT } from '../cards/texts.js';

export const FORM_NAME = 'approval_form';
export const COMMENT_FIELD = 'comment';
export const COMMENT_MAX_LENGTH = 500;
export type ButtonName = 'approve' | 'reject' | 'withdraw';

type Json = Record<string, unknown>;
export type FeishuCardJson = {
  schema: '2.0';
  config: Json & { update_multi: true };
  header: Json;
  body: { elements: Json[] };
};

const TEXT = CARD_TEXT;

/**
 * Header colour per state a reader sees: orange while someone must act, blue while the write runs,
 * green only once it is verified, red for a refusal or a failed write, grey lapsed or withdrawn.
 */
const TEMPLATE: Record<CardState, 'orange' | 'blue' | 'green' | 'red' | 'grey'> = {
  pending: 'orange',
  executing: 'blue',
  written: 'green',
  failed: 'red',
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

/**
 * One field of the write: the label on its own line (a label never wraps mid-word beside a long
 * value), current → new under it, and where the new value was read and when.
 */
function writeLines(view: ApprovalCardView): Json[] {
  const t = TEXT[view.lang];
  return view.lines.flatMap((l) => [
    { tag: 'div', text: { ...plain(l.label), text_color: 'grey', text_size: 'notation' } },
    { tag: 'div', text: plain(changeText(l, view.lang)) },
    ...(l.source ? [{ tag: 'div', text: { ...plain(t.source(l.source, view.requester.name)), text_color: 'grey', text_size: 'notation' } }] : []),
  ]);
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
  const state = cardState(view);
  if (state === 'expired') return [{ tag: 'hr' }, note(t.expired, 'grey')];
  if (state === 'withdrawn') return [{ tag: 'hr' }, note(t.withdrawnBy(view.requester.name, view.decision ? formatCardTime(view.decision.at) : ''), 'grey')];
  if (view.status === 'pending' || !view.decision) return [];
  const approved = view.status === 'approved';
  const at = formatCardTime(view.decision.at);
  // Approval alone is not success: green is kept for the verified write (outcomeElements).
  const out: Json[] = [
    { tag: 'hr' },
    approved ? { tag: 'div', text: plain(t.approvedBy(view.decision.by.name, at)) } : note(t.rejectedBy(view.decision.by.name, at), 'red'),
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
    outcome.state === 'executing' ? note(t.executing, 'grey') : outcome.state === 'verified' ? note(t.verified, 'green') : note(t.failedAfterApproval, 'red');
  // A failure's reason in red, so it is read as the reason the write did not happen.
  const body = outcome.state === 'failed' ? outcome.lines.map((l) => line(l.label, l.value, t.sep, { text_color: 'red' })) : lines(outcome.lines, t.sep);
  return [head, ...body];
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
  if (view.bulk) return renderBulkFeishuCard(view, view.bulk);
  const now = opts.now ?? new Date();
  const t = TEXT[view.lang];
  const state = cardState(view);
  const status = t.state[state];
  const approverNames = view.approvers.map((a) => a.name).join(t.listSep) || t.none;
  const elements: Json[] = [
    line(t.tool, view.action ?? view.tool, t.sep),
    ...(view.target
      ? [
          line(view.target.label, view.target.value, t.sep),
          ...(view.target.source ? [{ tag: 'div', text: { ...plain(t.source(view.target.source, view.requester.name)), text_color: 'grey', text_size: 'notation' } }] : []),
        ]
      : []),
    line(t.requester, requesterText(view), t.sep),
    line(t.approvers, approverNames, t.sep),
    line(t.expires, expiryValue(view, now), t.sep),
    { tag: 'hr' },
    { tag: 'div', text: { ...plain(t.willWrite), text_color: 'grey' } },
    ...(view.lines.length > 0 ? writeLines(view) : [note(t.none, 'grey')]),
    ...decisionElements(view),
    ...outcomeElements(view),
  ];
  // Buttons for an approver's copy only: the requester and onlookers see whom it waits for.
  const approverCopy = !view.reader || view.reader.role === 'approver';
  if (view.status === 'pending' && approverCopy) elements.push({ tag: 'hr' }, decisionForm(view));
  else if (view.status === 'pending') {
    elements.push({ tag: 'hr' }, { tag: 'div', text: { ...plain(t.waitingFor(approverNames)), text_color: 'orange' } });
    // The requester's own copy may withdraw it (the callback's operator must be the requester).
    if (view.reader?.role === 'requester') {
      elements.push({ tag: 'button', name: 'withdraw', text: plain(t.withdraw), type: 'default', width: 'default', behaviors: [{ type: 'callback', value: { approvalId: view.approvalId } }] });
    }
  }
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
      template: TEMPLATE[state],
      text_tag_list: [{ tag: 'text_tag', text: plain(status), color: TEMPLATE[state] === 'grey' ? 'neutral' : TEMPLATE[state] }],
    },
    body: { elements },
  };
}

const TONE_TEXT = { good: 'green', bad: 'red', neutral: 'grey', pending: 'blue' } as const;

/**
 * A bulk card: each listed request (title, requester, target, current → new) and, after the
 * click, what became of it; approve-all and reject-all in one form with the reason input.
 */
function renderBulkFeishuCard(view: ApprovalCardView, bulk: NonNullable<ApprovalCardView['bulk']>): FeishuCardJson {
  const t = TEXT[view.lang];
  const state = cardState(view);
  const status = t.state[state];
  const elements: Json[] = [
    line(t.tool, bulk.action, t.sep),
    { tag: 'hr' },
    { tag: 'div', text: { ...plain(t.bulkItems), text_color: 'grey' } },
    ...bulk.items.flatMap((it, i) => [
      { tag: 'div', text: plain(`${i + 1}. ${it.title}`) },
      { tag: 'div', text: { ...plain(`${t.requester}${t.sep}${it.requester}${it.target ? ` · ${it.target}` : ''} · #${it.id}`), text_color: 'grey', text_size: 'notation' } },
      { tag: 'div', text: plain(it.change) },
      ...(it.result ? [{ tag: 'div', text: { ...plain(it.result.text), text_color: TONE_TEXT[it.result.tone] } }] : []),
    ]),
    ...(bulk.ownCards.length ? [{ tag: 'hr' }, note(`${t.bulkOwnCards} ${bulk.ownCards.map((o) => `#${o.id} ${o.title}`).join(t.listSep)}`, 'grey')] : []),
    ...(bulk.beyondCap ? [note(t.bulkBeyond(bulk.beyondCap), 'grey')] : []),
    ...decisionElements(view),
  ];
  if (view.status === 'pending' && (!view.reader || view.reader.role === 'approver')) {
    elements.push({ tag: 'hr' }, {
      tag: 'form',
      name: FORM_NAME,
      elements: [
        { tag: 'input', name: COMMENT_FIELD, label: plain(t.commentLabel), label_position: 'top', placeholder: plain(t.bulkComment), max_length: COMMENT_MAX_LENGTH, required: false, width: 'fill' },
        {
          tag: 'column_set',
          horizontal_spacing: 'small',
          columns: [
            { tag: 'column', width: 'auto', elements: [button('approve', t.approveAll(bulk.items.length), 'primary_filled', view.approvalId)] },
            { tag: 'column', width: 'auto', elements: [button('reject', t.rejectAll, 'danger', view.approvalId)] },
          ],
        },
      ],
    });
  }
  return {
    schema: '2.0',
    config: { update_multi: true, width_mode: 'fill', summary: { content: `[${status}] ${view.title}` } },
    header: { title: plain(view.title), template: TEMPLATE[state], text_tag_list: [{ tag: 'text_tag', text: plain(status), color: TEMPLATE[state] === 'grey' ? 'neutral' : TEMPLATE[state] }] },
    body: { elements },
  };
}

/**
 * A reply with suggested commands (OutboundMessage.suggestions): the text, then one button per
 * command. A click comes back as card.action.trigger with the command in its value; the
 * dispatcher runs it as the operator's own message (identity from the callback, not the value).
 */
export function renderSuggestionCard(text: string, suggestions: readonly string[]): FeishuCardJson {
  const lang = /[\u3400-\u9fff]/.test(text) ? 'zh' : 'en';
  return {
    schema: '2.0',
    config: { update_multi: true, width_mode: 'fill', summary: { content: text.split('\n')[0]!.slice(0, 60) } },
    header: { title: plain('Switchboard'), template: 'grey' },
    body: {
      elements: [
        { tag: 'div', text: plain(text) },
        {
          tag: 'column_set',
          horizontal_spacing: 'small',
          columns: suggestions.slice(0, 6).map((command) => ({
            tag: 'column',
            width: 'auto',
            elements: [{ tag: 'button', name: 'suggestion', text: plain(command), type: 'default', width: 'default', behaviors: [{ type: 'callback', value: { command } }] }],
          })),
        },
        { tag: 'div', text: { ...plain(lang === 'zh' ? '点击即以你的名义发送该命令。' : 'A click sends the command as your own message.'), text_color: 'grey' } },
      ],
    },
  };
}
