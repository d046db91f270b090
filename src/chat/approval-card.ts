/**
 * The channel-neutral approval card. Renderers (Adaptive Card 1.5 for Teams and the console,
 * Feishu card 2.0) draw exactly this and nothing else, so every platform shows the same facts.
 */
import type { Lang } from './lang.js';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'withdrawn';

/** Where a proposed value came from: a legacy system read at a time, or the requester's words. */
export type ValueSource = { system: string; readAt: string } | { system: 'requester' };

export interface CardLine {
  label: string;
  /** The value to be written (or, for a fact line, the value). */
  value: string;
  /** The value now, shown as current → new; null: empty now. Absent: not a changed field. */
  current?: string | null;
  /** Where the new value came from (system and read time), shown under the value. */
  source?: ValueSource;
}

/** The card's words in one language, as the proposal wrote them (store: approvals.card). */
export interface CardContent {
  title: string;
  /** The business name of the action: "补全工单" / "Complete ticket", never the tool's name. */
  action: string;
  /** The customer or record the write concerns, e.g. "工单 T… · 客户 C10023". */
  target?: CardLine;
  lines: CardLine[];
}

/**
 * What the reader of a copy sees, one state per way an approval can end, each with its own look:
 * an approved write that failed is not "approved" to anyone reading the card.
 */
export type CardState = 'pending' | 'executing' | 'written' | 'failed' | 'rejected' | 'expired' | 'withdrawn';

/** The state a card shows: the approval's status, and once approved, how the write went. */
export function cardState(view: Pick<ApprovalCardView, 'status' | 'outcome'>): CardState {
  const status: string = view.status;
  if (status === 'withdrawn') return 'withdrawn';
  if (status === 'approved') {
    if (view.outcome?.state === 'verified') return 'written';
    if (view.outcome?.state === 'failed') return 'failed';
    return 'executing';
  }
  return status === 'rejected' || status === 'expired' ? status : 'pending';
}

export interface ApprovalCardView {
  approvalId: string;
  /** The reader's language: an approver's from the directory, the requester's the request's. */
  lang: Lang;
  /**
   * Who reads this copy: the requester (never buttons), an approver (buttons while pending), or
   * anyone else (a "waiting for" line). Absent: an approver, as before readers were recorded.
   */
  reader?: { id: string; role: 'requester' | 'approver' | 'viewer' };
  /** The business name of the action in the reader's language. */
  action?: string;
  /** The customer or record the write concerns. */
  target?: CardLine;
  /** e.g. "补全工单 T20261124-0012" / "Complete ticket T20261124-0012" */
  title: string;
  /** The write tool, e.g. ticket.updateFields */
  tool: string;
  requester: { id: string; name: string; department?: string };
  /** Exact, human-readable values that would be written (tool.summarize output). */
  lines: CardLine[];
  /** Who may decide; shown so everyone knows whom they are waiting for. */
  approvers: { id: string; name: string }[];
  createdAt: string;
  expiresAt: string;
  status: ApprovalStatus;
  decision?: {
    by: { id: string; name: string };
    at: string;
    comment?: string;
  };
  /** After execution: what the read-back found. */
  outcome?: {
    state: 'executing' | 'verified' | 'failed';
    lines: CardLine[];
  };
  /**
   * A bulk card (issue 13): one card listing pending items of one kind for one approver. Its
   * `approvalId` is the snapshot's opaque id (`bulk:<id>:<hash of the listed approval ids>`); the
   * buttons approve or reject exactly the listed items, each through the single decision path.
   */
  bulk?: BulkSection;
}

/** One listed item of a bulk card, in the reader's language. */
export interface BulkItemView {
  /** The short request id (first 8 hex digits). */
  id: string;
  title: string;
  requester: string;
  target?: string;
  /** "field: current → new; …" */
  change: string;
  /** After the click: what became of this item ("已写入并核实" / "skipped: withdrawn"). */
  result?: { text: string; tone: 'good' | 'bad' | 'neutral' | 'pending' };
}

export interface BulkSection {
  /** The business name of the kind ("补全工单"). */
  action: string;
  items: BulkItemView[];
  /** Waiting for this approver but not on this card (a tier, a fresh sign-in): each keeps its own card. */
  ownCards: { id: string; title: string }[];
  /** Qualifying items beyond the policy's maxItems, left for another card. */
  beyondCap: number;
}

/** An outcome as stored: lines in the request's language, and (since issue 13) in each language. */
export interface StoredOutcome {
  state: 'executing' | 'verified' | 'failed';
  lines: CardLine[];
  byLang?: Partial<Record<Lang, CardLine[]>>;
}
