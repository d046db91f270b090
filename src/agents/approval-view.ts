/** Builds the channel-neutral card from an approval row: one source for every copy of the card. */
import type { ApprovalCardView } from '../chat/approval-card.js';
import type { ApprovalRow } from '../store/approvals-repo.js';
import type { Directory } from '../store/directory.js';

export function approvalView(row: ApprovalRow, directory: Directory): ApprovalCardView {
  const person = (id: string) => ({ id, name: directory.get(id)?.name ?? id });
  const view: ApprovalCardView = {
    approvalId: row.id,
    lang: row.lang,
    title: row.title,
    tool: row.tool,
    requester: person(row.requester_id),
    lines: row.lines,
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
