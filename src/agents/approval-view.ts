/** Builds the channel-neutral card from an approval row: one source for every copy of the card. */
import type { ApprovalCardView } from '../chat/approval-card.js';
import { seatOf, seats, type ApprovalRow } from '../store/approvals-repo.js';
import type { Directory } from '../store/directory.js';

export function approvalView(row: ApprovalRow, directory: Directory): ApprovalCardView {
  const person = (id: string) => ({ id, name: directory.get(id)?.name ?? id });
  const view: ApprovalCardView = {
    approvalId: row.id,
    lang: row.lang,
    title: row.title,
    tool: row.tool,
    requester: person(row.requester_id),
    lines: row.required_approvals > 1 ? [...row.lines, progressLine(row, person)] : row.lines,
    approvers: row.approver_ids.map(person),
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    status: row.status,
  };
  if (row.decided_by && row.decided_at) {
    view.decision = { by: person(row.decided_by), at: new Date(row.decided_at).toISOString(), ...(row.comment ? { comment: row.comment } : {}) };
  }
  if (row.outcome) view.outcome = row.outcome;
  return view;
}

/** Who has approved a tiered write and how many are still needed, as one line of the card. */
function progressLine(row: ApprovalRow, person: (id: string) => { name: string }) {
  const zh = row.lang === 'zh';
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
