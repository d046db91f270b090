/**
 * The channel-neutral approval card. Renderers (Adaptive Card 1.5 for Teams and the console,
 * Feishu card 2.0) draw exactly this and nothing else, so every platform shows the same facts.
 */
import type { Lang } from './lang.js';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'withdrawn';

export interface CardLine {
  label: string;
  value: string;
}

export interface ApprovalCardView {
  approvalId: string;
  lang: Lang;
  /** e.g. "补全工单 T20261124-0012" / "Complete ticket T20261124-0012" */
  title: string;
  /** The write tool, e.g. ticket.updateFields */
  tool: string;
  requester: { id: string; name: string };
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
}
