/**
 * Bulk approval (issue 13): one card listing the pending items of one kind waiting for one
 * approver, where the policy opts the kind in (`approvals.tools.<tool>.bulk.maxItems`). Only items
 * that need exactly one approval and no fresh sign-in are listed; the others keep their own cards.
 *
 * The card is a snapshot (store/bulk-approvals-repo.ts): its opaque id names the stored list and
 * a hash of its ids, the click is decided once, and each listed item then goes through the same
 * `decide` as a single click (every check, its own records, its card copies redrawn, its requester
 * told by its run). Who clicked comes from the verified envelope only, and must be the approver the
 * snapshot was drawn for.
 */
import { randomUUID } from 'node:crypto';
import type { ApprovalCardView, BulkItemView, CardLine } from '../../chat/approval-card.js';
import type { CardAction, ChannelName } from '../../chat/channel.js';
import type { Lang } from '../../chat/lang.js';
import { t } from '../../chat/locale.js';
import type { Principal } from '../../policies/principals.js';
import { approvalRuleFor } from '../../policies/policy.js';
import { mayDecide } from '../../policies/approval-rules.js';
import { maskText } from '../../policies/masking.js';
import { appendAudit } from '../../store/audit.js';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import { getApproval, pendingForApproverPage, type ApprovalRow } from '../../store/approvals-repo.js';
import { scopeFilterOf } from '../../policies/access.js';
import {
  bulkCardId,
  claimBulk,
  createBulk,
  getBulk,
  parseBulkCardId,
  setBulkMessage,
  setBulkOutcomes,
  type BulkItemOutcome,
  type BulkRow,
} from '../../store/bulk-approvals-repo.js';
import type { BulkKind, BulkOffer } from '../../skills/contract.js';
import type { ChannelDirectory, Send } from '../outbound.js';
import { approvalView } from '../approval-view.js';
import { actionName } from './card-content.js';
import type { DecisionResult } from './lifecycle.js';

export interface BulkDeps {
  db: Db;
  directory: Directory;
  channels: ChannelDirectory;
  send: Send;
  /** The single decision path (ApprovalLifecycle.decide): every listed item goes through it. */
  decide(action: CardAction): Promise<DecisionResult>;
  track(p: Promise<unknown>): void;
  log(level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void;
}

/** An item qualifies for a bulk card when it needs one approval and no fresh sign-in. */
const qualifies = (r: ApprovalRow) => r.required_approvals === 1 && !r.reauth_within_seconds && r.approved_by.length === 0;

/** The most pending rows a bulk offer looks through for one approver. */
const WAITING_CAP = 1000;

export class BulkApprovals {
  constructor(private readonly deps: BulkDeps) {}

  /**
   * What waits for `approver` now and may be decided by them (the same filter as 待我审批), read a
   * page at a time and at most WAITING_CAP rows: a bulk card lists at most 50 of one kind.
   */
  private async waiting(approver: Principal): Promise<ApprovalRow[]> {
    const rows: ApprovalRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await pendingForApproverPage(this.deps.db, approver.id, scopeFilterOf(approver), { limit: 200, cursor });
      rows.push(...page.items);
      cursor = page.next ?? undefined;
    } while (cursor && rows.length < WAITING_CAP);
    return rows.filter(
      (r) => mayDecide(approver, { requesterId: r.requester_id, approverIds: r.approver_ids, targetScope: r.target_scope }).allowed && !r.approved_by.includes(approver.id),
    );
  }

  /** The kinds the approver could approve in bulk now (at least two qualifying items), for suggestions. */
  async kinds(approver: Principal): Promise<BulkKind[]> {
    const counts = new Map<string, number>();
    for (const r of await this.waiting(approver)) if (approvalRuleFor(r.tool).bulk && qualifies(r)) counts.set(r.tool, (counts.get(r.tool) ?? 0) + 1);
    return [...counts].filter(([, n]) => n >= 2).map(([tool, count]) => ({ tool, count: Math.min(count, approvalRuleFor(tool).bulk!.maxItems) }));
  }

  /**
   * Draw a bulk card of `tool` for the verified approver and send it where they asked. Oldest
   * first, capped by the policy's maxItems; items that do not qualify are named as keeping their own card.
   */
  async offer(approver: Principal, tool: string, where: { channel: ChannelName; conversationId: string; runId: string; lang: Lang }): Promise<BulkOffer> {
    const { db, directory } = this.deps;
    const rule = approvalRuleFor(tool);
    const action = actionName(tool, where.lang);
    if (!rule.bulk) return { kind: 'not_enabled', action };
    const mine = (await this.waiting(approver)).filter((r) => r.tool === tool);
    const listed = mine.filter(qualifies);
    const own = mine.filter((r) => !qualifies(r));
    const items = listed.slice(0, rule.bulk.maxItems);
    const ownCards = own.map((r) => ({ id: shortId(r.id), title: approvalView(r, directory, approver.id).title }));
    if (items.length === 0) return { kind: 'none', action, ownCards };
    const row = await createBulk(db, {
      id: randomUUID(),
      approverId: approver.id,
      tool,
      approvalIds: items.map((r) => r.id),
      ownCardIds: own.map((r) => r.id),
      beyondCap: listed.length - items.length,
      lang: where.lang,
    });
    await appendAudit(db, { actor: approver.id, action: 'approval.bulk_offered', subject: row.id, runId: where.runId, details: { tool, ids: row.approval_ids, idsHash: row.ids_hash, ownCards: row.own_card_ids, beyondCap: row.beyond_cap, channel: where.channel } });
    const ref = await this.deps.send(where.channel, where.conversationId, { kind: 'card', card: await this.view(row, approver.id) }, where.runId);
    if (ref) await setBulkMessage(db, row.id, ref);
    return { kind: 'sent', action, count: items.length, ownCards, beyondCap: row.beyond_cap };
  }

  /** The card for a snapshot as `readerId` sees it: the items' current state and what the click did. */
  async view(row: BulkRow, readerId?: string | null): Promise<ApprovalCardView> {
    const { db, directory } = this.deps;
    const lang: Lang = readerId && readerId !== row.approver_id ? (directory.get(readerId)?.language ?? row.lang) : row.lang;
    const person = (id: string) => ({ id, name: directory.get(id)?.name ?? id });
    const items: BulkItemView[] = [];
    const requesters = new Set<string>();
    let earliestExpiry = '';
    for (const id of row.approval_ids) {
      const a = await getApproval(db, id);
      if (!a) continue;
      const v = approvalView(a, directory, row.approver_id);
      requesters.add(v.requester.name);
      const exp = new Date(a.expires_at).toISOString();
      if (!earliestExpiry || exp < earliestExpiry) earliestExpiry = exp;
      const result = resultOf(lang, a, row.outcomes[id], directory);
      items.push({
        id: shortId(a.id),
        title: approvalView(a, directory, readerId === row.approver_id ? row.approver_id : null).title,
        requester: v.requester.name,
        ...(v.target ? { target: v.target.value } : {}),
        change: changeSummary(v.lines, lang),
        ...(result ? { result } : {}),
      });
    }
    const ownCards: { id: string; title: string }[] = [];
    for (const id of row.own_card_ids) {
      const a = await getApproval(db, id);
      if (a) ownCards.push({ id: shortId(a.id), title: approvalView(a, directory, row.approver_id).title });
    }
    const action = actionName(row.tool, lang);
    const status: ApprovalCardView['status'] = row.status === 'open' ? 'pending' : row.decision === 'approve' ? 'approved' : 'rejected';
    return {
      approvalId: bulkCardId(row),
      lang,
      reader: { id: readerId ?? row.approver_id, role: !readerId || readerId === row.approver_id ? 'approver' : 'viewer' },
      action,
      title: t(lang, { zh: `批量审批：${action}（${items.length} 项）`, en: `Bulk approval: ${action} (${items.length} items)` }),
      tool: row.tool,
      // Not one requester: the names of everyone whose items are listed (never the approver).
      requester: { id: '', name: [...requesters].join(lang === 'zh' ? '、' : ', ') },
      lines: [],
      approvers: [person(row.approver_id)],
      createdAt: new Date(row.created_at).toISOString(),
      expiresAt: earliestExpiry || new Date(row.created_at).toISOString(),
      status,
      ...(row.decided_at ? { decision: { by: person(row.approver_id), at: new Date(row.decided_at).toISOString(), ...(row.comment ? { comment: row.comment } : {}) } } : {}),
      bulk: { action, items, ownCards, beyondCap: row.beyond_cap },
    };
  }

  /** The card of a click's id, as `readerId` sees it; undefined when it is not a bulk card's. */
  async viewOf(cardId: string, readerId?: string | null): Promise<ApprovalCardView | undefined> {
    const parsed = parseBulkCardId(cardId);
    const row = parsed && (await getBulk(this.deps.db, parsed.id));
    return row ? this.view(row, readerId) : undefined;
  }

  /**
   * A click on a bulk card: decided once, then each listed item through the single decision path,
   * oldest first. Answers at once with the counts; the card is redrawn now and again once every
   * approved write has run (written and verified / failed).
   */
  async decide(action: CardAction): Promise<DecisionResult> {
    const { db, directory } = this.deps;
    const parsed = parseBulkCardId(action.approvalId);
    const row = parsed && (await getBulk(db, parsed.id));
    const actor = directory.byPlatformUser(action.channel, action.actor.id);
    const lang: Lang = row?.lang ?? 'zh';
    const refuse = async (reason: string, message: string): Promise<DecisionResult> => {
      await appendAudit(db, { actor: actor?.id ?? `${action.channel}:${action.actor.id}`, action: 'approval.bulk_refused', subject: parsed?.id ?? maskText(action.approvalId).slice(0, 64), runId: null, details: { reason, decision: action.decision, channel: action.channel, eventId: action.messageId } });
      return { status: 'refused', approvalId: action.approvalId, reason, message };
    };
    if (!actor) return refuse('not_enrolled', t(lang, { zh: '你尚未开通 Switchboard，请联系管理员。', en: 'You are not enrolled in Switchboard; please contact your administrator.' }));
    // A card whose list does not hash to what it says was not drawn by us for this snapshot.
    if (!row || row.ids_hash.slice(0, 16) !== parsed.hash16) return refuse('not_found', t(lang, { zh: '找不到这张批量审批卡片。', en: 'This bulk approval card does not exist.' }));
    // Drawn for one approver: what waited for them. Anyone else decides each item on its own card.
    if (actor.id !== row.approver_id) return refuse('not_yours', t(lang, { zh: `这张批量审批卡片是为 ${directory.get(row.approver_id)?.name ?? row.approver_id} 生成的，请在各申请自己的卡片上审批，或发送「批量批准」生成你自己的。`, en: `This bulk card was drawn for ${directory.get(row.approver_id)?.name ?? row.approver_id}; decide each request on its own card, or ask for your own bulk card.` }));
    if (action.decision === 'withdraw') return refuse('not_a_decision', t(lang, { zh: '批量卡片只能全部批准或全部驳回。', en: 'A bulk card approves all or rejects all.' }));
    const comment = action.comment?.trim() ? maskText(action.comment.trim()).slice(0, 500) : null;
    if (action.decision === 'reject' && !comment && row.status === 'open') return refuse('comment_required', t(lang, { zh: '全部驳回时请填写原因。', en: 'Please give a reason to reject them all.' }));
    const claimed = await claimBulk(db, row.id, action.decision, comment);
    if (!claimed) {
      const at = row.decided_at ? new Date(row.decided_at) : undefined;
      return refuse('already_decided', t(lang, { zh: `这张批量审批卡片已处理过${at ? `（${formatAt(at)}）` : ''}，不会重复执行。`, en: `This bulk card was already decided${at ? ` (${formatAt(at)})` : ''}; nothing runs twice.` }));
    }
    const outcomes: Record<string, BulkItemOutcome> = {};
    const dones: Promise<void>[] = [];
    for (const [i, id] of claimed.approval_ids.entries()) {
      let r: DecisionResult;
      try {
        // The same path as a click on the item's own card: identity and sign-in time from this envelope.
        r = await this.deps.decide({ ...action, approvalId: id, messageId: `${action.messageId}#${i}`, ...(comment ? { comment } : {}) });
      } catch (err) {
        this.deps.log('error', 'bulk item decision failed', { bulkId: row.id, approvalId: id, error: (err as Error).message });
        outcomes[id] = { result: 'refused', reason: 'error' };
        continue;
      }
      if (r.status === 'approved' || r.status === 'rejected') {
        outcomes[id] = { result: r.status };
        dones.push(r.done);
      } else if (r.status === 'refused') {
        const skipped = r.reason === 'withdrawn' || r.reason === 'expired' || r.reason === 'already_decided';
        const by = r.reason === 'already_decided' ? (await getApproval(db, id))?.decided_by ?? undefined : undefined;
        outcomes[id] = { result: skipped ? 'skipped' : 'refused', reason: r.reason, ...(by ? { by } : {}) };
      } else {
        // A vote counted (a tier appeared since the snapshot) or a withdrawal: not decided by this click.
        outcomes[id] = { result: 'refused', reason: r.status };
      }
    }
    await setBulkOutcomes(db, row.id, outcomes);
    const count = (k: BulkItemOutcome['result']) => Object.values(outcomes).filter((o) => o.result === k).length;
    await appendAudit(db, {
      actor: actor.id,
      action: 'approval.bulk_decided',
      subject: row.id,
      runId: null,
      details: { tool: row.tool, decision: action.decision, ids: claimed.approval_ids, idsHash: row.ids_hash, outcomes, channel: action.channel, eventId: action.messageId, comment },
    });
    await this.redraw(row.id);
    // Once every approved write has run, the card says how each went.
    const done = Promise.allSettled(dones).then(() => this.redraw(row.id));
    this.deps.track(done);
    const decided = count(action.decision === 'approve' ? 'approved' : 'rejected');
    const message =
      action.decision === 'approve'
        ? t(lang, { zh: `批量批准：已批准 ${decided} 项，跳过 ${count('skipped')} 项，未处理 ${count('refused')} 项；每项结果见卡片。`, en: `Bulk approval: ${decided} approved, ${count('skipped')} skipped, ${count('refused')} not done; each item's result is on the card.` })
        : t(lang, { zh: `批量驳回：已驳回 ${decided} 项，跳过 ${count('skipped')} 项，未处理 ${count('refused')} 项。`, en: `Bulk rejection: ${decided} rejected, ${count('skipped')} skipped, ${count('refused')} not done.` });
    return { status: action.decision === 'approve' ? 'approved' : 'rejected', approvalId: action.approvalId, message, done: done.then(() => undefined) };
  }

  /** Redraw the bulk card where it was sent. */
  async redraw(bulkId: string): Promise<void> {
    const row = await getBulk(this.deps.db, bulkId);
    if (!row?.channel || !row.conversation_id || !row.message_id) return;
    const channel = this.deps.channels.get(row.channel as ChannelName);
    try {
      await channel?.update({ channel: row.channel as ChannelName, conversationId: row.conversation_id, messageId: row.message_id }, { kind: 'card', card: await this.view(row, row.approver_id) });
    } catch (err) {
      this.deps.log('warn', 'bulk card update failed', { bulkId, error: (err as Error).message });
    }
  }
}

const shortId = (id: string) => id.slice(0, 8);

function formatAt(d: Date): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' }).format(d);
}

/** "field: current → new; …" for one listed item (the first three fields). */
function changeSummary(lines: readonly CardLine[], lang: Lang): string {
  const empty = lang === 'zh' ? '（空）' : '(empty)';
  const sep = lang === 'zh' ? '：' : ': ';
  const shown = lines.slice(0, 3).map((l) => (l.current === undefined ? `${l.label}${sep}${l.value}` : `${l.label}${sep}${l.current ?? empty} → ${l.value}`));
  return shown.join(lang === 'zh' ? '；' : '; ') + (lines.length > 3 ? (lang === 'zh' ? ` 等 ${lines.length} 项` : `, ${lines.length} fields in all`) : '');
}

/** What became of one listed item, in the reader's language; undefined before the click. */
function resultOf(lang: Lang, a: ApprovalRow, o: BulkItemOutcome | undefined, directory: Directory): BulkItemView['result'] | undefined {
  if (!o) return undefined;
  const name = (id: string | undefined) => (id ? directory.get(id)?.name ?? id : '?');
  if (o.result === 'approved') {
    if (a.outcome?.state === 'verified') return { text: t(lang, { zh: '已写入并核实', en: 'written and verified' }), tone: 'good' };
    if (a.outcome?.state === 'failed') {
      const why = (a.outcome.byLang?.[lang] ?? a.outcome.lines).map((l) => l.value).join('; ').slice(0, 200);
      return { text: t(lang, { zh: `写入失败：${why}`, en: `failed: ${why}` }), tone: 'bad' };
    }
    return { text: t(lang, { zh: '已批准，正在执行', en: 'approved, executing' }), tone: 'pending' };
  }
  if (o.result === 'rejected') return { text: t(lang, { zh: '已驳回', en: 'rejected' }), tone: 'neutral' };
  if (o.result === 'skipped') {
    if (o.reason === 'withdrawn') return { text: t(lang, { zh: '已跳过：申请人已撤回', en: 'skipped: withdrawn by the requester' }), tone: 'neutral' };
    if (o.reason === 'expired') return { text: t(lang, { zh: '已跳过：已过期', en: 'skipped: expired' }), tone: 'neutral' };
    const verb = a.status === 'rejected' ? { zh: '驳回', en: 'rejected' } : { zh: '批准', en: 'approved' };
    return { text: t(lang, { zh: `已跳过：已由 ${name(o.by)} ${verb.zh}`, en: `skipped: already ${verb.en} by ${name(o.by)}` }), tone: 'neutral' };
  }
  const reasons: Record<string, { zh: string; en: string }> = {
    out_of_scope: { zh: '不在你的数据范围内', en: 'outside your data scope' },
    not_approver: { zh: '你已不是审批人', en: 'you are no longer an approver' },
    self_approval: { zh: '不能审批自己的申请', en: 'your own request' },
    circuit_open: { zh: '目标系统暂不可用，仍待审批', en: 'the target system is unavailable; still pending' },
    reauth_required: { zh: '需要重新登录后单独审批', en: 'needs a fresh sign-in on its own card' },
    voted: { zh: '需要多人审批，已记为一票', en: 'needs more approvers; counted as one vote' },
  };
  const r = reasons[o.reason ?? ''] ?? { zh: o.reason ?? '未知原因', en: o.reason ?? 'unknown reason' };
  return { text: t(lang, { zh: `未处理：${r.zh}`, en: `not done: ${r.en}` }), tone: 'bad' };
}
