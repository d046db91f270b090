/**
 * Builds the channel-neutral card from an approval row: one source for every copy of the card.
 * Each copy is drawn for its reader: the requester reads it in the language of the request and
 * without buttons, an approver in their own language from the directory (issue 13: an English
 * request must not give a Chinese manager an English card).
 */
import type { ApprovalCardView, CardLine } from '../chat/approval-card.js';
import type { Lang } from '../chat/lang.js';
import { seatOf, seats, type ApprovalRow } from '../store/approvals-repo.js';
import type { Directory } from '../store/directory.js';

/** The language a person reads cards in: their directory language, Chinese where none is set. */
export function readerLang(row: Pick<ApprovalRow, 'requester_id' | 'lang'>, readerId: string | null | undefined, directory: Directory): Lang {
  if (!readerId) return row.lang;
  if (readerId === row.requester_id) return row.lang;
  return directory.get(readerId)?.language ?? 'zh';
}

/**
 * The card as `readerId` (a principal id) sees it. Without a reader: the request's language and an
 * approver's view, as every copy was drawn before readers were recorded.
 */
export function approvalView(row: ApprovalRow, directory: Directory, readerId?: string | null): ApprovalCardView {
  const person = (id: string) => ({ id, name: directory.get(id)?.name ?? id });
  // Older rows carry their words in the request's language only: those are shown to everyone.
  const wanted = readerLang(row, readerId, directory);
  const content = row.card?.[wanted];
  const lang: Lang = content ? wanted : row.lang;
  const requester = directory.get(row.requester_id);
  const dept = requester ? directory.department(requester.department)?.name[lang] ?? requester.department : undefined;
  const lines: CardLine[] = content?.lines ?? row.lines;
  const view: ApprovalCardView = {
    approvalId: row.id,
    lang,
    title: content?.title ?? row.title,
    tool: row.tool,
    ...(content ? { action: content.action } : {}),
    ...(content?.target ? { target: content.target } : {}),
    requester: { ...person(row.requester_id), ...(dept ? { department: dept } : {}) },
    lines: row.required_approvals > 1 ? [...lines, progressLine(row, person, lang)] : lines,
    approvers: row.approver_ids.map(person),
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    status: row.status,
  };
  if (readerId) {
    const role = readerId === row.requester_id ? 'requester' : row.approver_ids.includes(readerId) ? 'approver' : 'viewer';
    view.reader = { id: readerId, role };
  }
  if (row.decided_by && row.decided_at) {
    view.decision = { by: person(row.decided_by), at: new Date(row.decided_at).toISOString(), ...(row.comment ? { comment: row.comment } : {}) };
  }
  if (row.outcome) view.outcome = { state: row.outcome.state, lines: row.outcome.byLang?.[lang] ?? row.outcome.lines };
  return view;
}

/** Who has approved a tiered write and how many are still needed, as one line of the card. */
function progressLine(row: ApprovalRow, person: (id: string) => { name: string }, lang: Lang) {
  const zh = lang === 'zh';
  // A delegate's approval fills the seat of the approver they stand in for: shown as theirs, counted once.
  const have = row.approved_by.map((id) => {
    const seat = seatOf(row, id);
    return seat === id ? person(id).name : zh ? `${person(id).name}（代 ${person(seat).name}）` : `${person(id).name} (for ${person(seat).name})`;
  });
  const { order: seatOrder, filled } = seats(row);
  const still = Math.max(0, row.required_approvals - filled.size);
  const order = row.approval_order === 'sequential' ? (zh ? '，按顺序' : ', in order') : '';
  const who = have.length ? have.join(zh ? '、' : ', ') : zh ? '尚无' : 'nobody yet';
  // Who is still needed: in order, the next seat by name; in parallel, the seats any of whom may give it.
  const open = seatOrder.filter((a) => !filled.has(a)).map((a) => person(a).name);
  const from = row.approval_order === 'sequential' ? open.slice(0, 1) : open;
  const needed = still === 0 || from.length === 0 ? '' : zh ? `；还需 ${still} 人（${row.approval_order === 'sequential' ? '下一位：' : ''}${from.join('、')}${row.approval_order === 'sequential' || from.length === still ? '' : ` 中 ${still} 人`}）` : `; ${still} more needed (${row.approval_order === 'sequential' ? 'next: ' : ''}${from.join(', ')}${row.approval_order === 'sequential' || from.length === still ? '' : `: any ${still}`})`;
  return {
    label: zh ? '审批进度' : 'Approvals',
    value: zh ? `需 ${row.required_approvals} 人${order}；已批准：${who}${needed || (still ? `；还需 ${still} 人` : '')}` : `${row.required_approvals} needed${order}; approved: ${who}${needed || (still ? `; ${still} more needed` : '')}`,
  };
}
