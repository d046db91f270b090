/**
 * What a skill is: one thing a person can ask for, with everything it needs in one folder — its
 * plan schema, its command grammar, the flow that reads and answers or proposes a write, its
 * help line, and (for a write) the one proposal guard the LLM path shares with the command path.
 *
 * The central planner, router, help and LLM proposal list are loops over the registry
 * (skills/index.ts); nothing outside a skill's folder names its flow.
 */
import type { z } from 'zod';
import type { Lang } from '../chat/lang.js';
import type { Text } from '../chat/locale.js';
import type { DelegationStart, DelegationView } from '../policies/delegation-rules.js';
import type { ValueSource } from '../chat/approval-card.js';

/** Every plan carries the flow that runs it and the language of the request. */
export interface BasePlan {
  flow: string;
  lang: Lang;
}

/** A full command offered to the user, shown as a button where the channel has them. */
export interface Suggestion {
  /** The command text, sent as the user's own message when clicked. */
  text: string;
  /** The tool the command would call, so only commands the user's role may use are offered. */
  tool: string;
  effect: 'read' | 'write';
}

/** Understood what was wanted, but an argument is missing or malformed: ask for it. */
export interface ClarifyPlan {
  flow: 'clarify';
  lang: Lang;
  question: string;
  /** "Did you mean …": the corrected command(s). */
  suggestions?: Suggestion[];
}

/** The tools a flow may call: authorized, recorded and scope-checked by the agent, one by one. */
export interface FlowTools {
  call<S extends z.ZodType>(tool: string, input: Record<string, unknown>, output: S): Promise<z.infer<S>>;
  /**
   * Tell the requester how a long flow is getting on (the agent sends one message and updates it).
   * Optional: flows run without it. A failure to report never fails the flow.
   */
  progress?(text: string): Promise<void>;
  /** Most tool calls a batch flow keeps in flight at once (default BATCH_CONCURRENCY). */
  concurrency?: number;
  /**
   * The requester's own delegation of approvals (policies/delegation-rules.ts), bound by the agent
   * to the verified sender. Optional: absent where no desk is wired (the skill says so).
   */
  delegation?: {
    start(delegate: string, until: Date | undefined): Promise<DelegationStart>;
    end(): Promise<boolean>;
    current(): Promise<DelegationView | null>;
  };
  /**
   * Whether the requester's data scope covers every region (bound by the agent; absent: assume not).
   * A flow asks before a read that would otherwise be refused for scope and audited as theirs.
   */
  seesEveryRegion?(): boolean;
  /** The clock a guard checks a time against (an appointment window); default the real one. */
  now?(): Date;
  /**
   * The requester's own approvals and the ones waiting for them, for the status and withdrawal
   * skills: given by the agent (skills never read the store), bound to the verified requester.
   */
  requests?: RequestDesk;
}

/** One approval as the status skills show it: no input, only what the card shows. */
export interface RequestSummary {
  /** Short id (what a person types to withdraw). */
  id: string;
  title: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'withdrawn';
  /** After approval: executing, verified (written) or failed. */
  outcome: 'executing' | 'verified' | 'failed' | null;
  requester: string;
  approvers: string[];
  /** Who decided (or withdrew), with the reason given on a rejection. */
  decidedBy: string | null;
  comment: string | null;
  /** Operator-local times. */
  createdAt: string;
  expiresAt: string;
  requiredApprovals: number;
  approvedBy: string[];
}

export type WithdrawResult =
  | { kind: 'withdrawn'; request: RequestSummary }
  | { kind: 'not_found' }
  | { kind: 'ambiguous'; ids: string[] }
  /** Not pending any more: approved, rejected, expired or already withdrawn. */
  | { kind: 'not_pending'; request: RequestSummary };

export interface RequestDesk {
  /** The requester's own requests, newest first: one page of at most `limit`; `total` counts all of them (up to a cap: `totalAtLeast`). */
  mine(limit: number): Promise<{ items: RequestSummary[]; total: number; totalAtLeast?: boolean }>;
  /** Pending approvals the requester may decide, riskiest then oldest first: one page of at most `limit`; `total` counts all of them (up to a cap: `totalAtLeast`); kinds they may approve together. */
  waitingForMe(limit: number): Promise<{ items: RequestSummary[]; total: number; totalAtLeast?: boolean; bulkKinds?: BulkKind[] }>;
  /** Withdraw the requester's own pending request by its (short) id. */
  withdraw(id: string): Promise<WithdrawResult>;
  /** One bulk card of this write tool's pending items for the sender (an approver), sent to this chat. */
  bulk?(tool: string): Promise<BulkOffer>;
}

/** A kind of write the sender could approve in bulk now, and how many items one card would list. */
export interface BulkKind {
  tool: string;
  count: number;
}

export type BulkOffer =
  | { kind: 'sent'; action: string; count: number; ownCards: { id: string; title: string }[]; beyondCap: number }
  /** Nothing of the kind qualifies (ownCards: waiting, but each needs its own card). */
  | { kind: 'none'; action: string; ownCards: { id: string; title: string }[] }
  /** The policy does not allow bulk approval of this kind. */
  | { kind: 'not_enabled'; action: string };

export interface WriteProposal {
  tool: string;
  input: Record<string, unknown>;
  title: string;
  /**
   * The values were looked up in the legacy systems by the flow, not given by the requester: the
   * proposal message says where they came from.
   */
  lookedUp?: boolean;
  /**
   * What the guard read about the write, for the policy's risk tiers (an alarm's severity): from the
   * legacy system, never from the model.
   */
  facts?: Record<string, string | number | boolean>;
  /**
   * The approval card in both languages (each approver reads their own, issue 13): the title, the
   * business name of the action ("补全工单" / "Complete ticket") and the record or customer it concerns.
   */
  card?: {
    title: Text;
    action: Text;
    target?: { label: Text; value: string; source?: ValueSource };
  };
  /** Where each proposed value came from, by the summarize() line's key; absent: the requester gave it. */
  sources?: Record<string, ValueSource>;
  /**
   * What the guard's read found that the approver must weigh (a work order already dispatched for
   * the ticket), in the request's language: shown on the card as "⚠ 冲突 / Conflict".
   */
  warnings?: string[];
}

export type FlowResult =
  /** suggestions: full commands offered as buttons (e.g. "批量批准 补全工单" after 待我审批). */
  | { kind: 'reply'; text: string; status: 'succeeded' | 'not_understood'; suggestions?: string[] }
  /** A write the guard knows would fail (a window already started, a template parameter missing): no card. */
  | { kind: 'reply'; text: string; status: 'business_error'; refused: { tool: string; reason: string } }
  /**
   * The proposing node writes the message, since only it knows who the approvers are. `unresolved`
   * names what the flow looked for and could not find, in the request's language.
   */
  | { kind: 'propose'; proposal: WriteProposal; unresolved: string[] };

/** A planned argument the tool's schema refuses: told to the user (or the model), not an internal error. */
export class InvalidInput extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'InvalidInput';
  }
}

/**
 * A write that is certain to fail, found by the guard from what it can know (the tool's rules, the
 * template's parameters, the clock, a read of the target): answered with the reason, no card.
 * Both planners end the turn with it (the command path's router, the LLM path's responder).
 */
export class WouldFail extends Error {
  constructor(
    readonly tool: string,
    readonly reason: string,
    readonly text: Text,
  ) {
    super(text.en);
    this.name = 'WouldFail';
  }
}

/** The value as the schema makes it, or InvalidInput naming each problem by its field. */
export function valid<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new InvalidInput(r.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`));
}

/** A request as the command grammar sees it. */
export interface CommandText {
  /** As typed (free text such as a note is taken from here, punctuation intact). */
  raw: string;
  /** NFKC (full-width to half-width), one space between words, trimmed. */
  text: string;
  /** The language of the whole request. */
  lang: Lang;
  /** The word after a leading '/', lower case ("/complete T…" -> "complete"). */
  slash: string | undefined;
  /** The clock relative dates are resolved against ("明天上午9点" is a day after this). */
  now: Date;
}

/**
 * One way of asking for a skill. Rules of all skills run in priority order (lowest first) and the
 * first that answers wins, so a command whose free text may hold any word (a note) is placed
 * before the keyword reads. Bands: 100 anchored write commands, 200 keyword reads, 300 the port,
 * alarm and ticket grammar, 900 fallback clarifications.
 */
export interface CommandRule<P extends BasePlan> {
  priority: number;
  /**
   * A message is a command only when it IS the command: with a word list, the planner takes the
   * rule's plan only if the message is made of nothing but these words, identifiers, dates and
   * the shared filler (grammar.ts whole()); anything more is free text for the LLM. 'own': the
   * rule takes free text itself (a note, an address) and checks what precedes it.
   */
  words: RegExp | 'own';
  parse(cmd: CommandText): P | ClarifyPlan | undefined;
}

/** A line of the help text: what to type, and what it does. */
export interface HelpLine {
  /** Reads are listed first; writes under "run after a manager approves". */
  section: 'read' | 'write';
  /** Place within the section (lower first). */
  order: number;
  text: Text;
}

/** How a write's target is matched in the requester's words: a whole identifier, or a mobile number. */
export type TargetKind = 'id' | 'mobile';

/**
 * How a propose_* call from the model becomes a proposal. The model fills only what a person
 * would decide; the guard shared with the command path fills what protects the write.
 */
export interface ProposalAdapter {
  /** The write tool this proposes. */
  tool: string;
  /** What the model fills. */
  input: z.ZodType;
  /** The record the write targets, for the taint rule. */
  target(args: Record<string, unknown>): string;
  /** How the target is matched in the requester's words: a whole identifier, or a mobile number. */
  targetKind: TargetKind;
  /** Words with which a person asks for this kind of write; without them nothing is proposed. */
  intent: RegExp;
  /** A proposal, or a reply when there is nothing to do (the same reply the command path gives). */
  build(args: Record<string, unknown>, tools: FlowTools, lang: Lang): Promise<FlowResult>;
}

export interface Skill<P extends BasePlan = BasePlan> {
  /** The plan's flow name (recorded on the run). */
  flow: P['flow'];
  /** The plan this skill runs, as both planners produce it. */
  plan: z.ZodType<P>;
  commands: readonly CommandRule<P>[];
  /**
   * The tool the request calls (the write, for a write skill): a suggested command is offered only
   * to a role that may use it. A skill without a tool of its own (delegation) is never suggested.
   */
  uses?: { tool: string; effect: 'read' | 'write' };
  help: readonly HelpLine[];
  run(plan: P, tools: FlowTools): Promise<FlowResult>;
  /** Write skills: how the LLM proposes this write. */
  proposal?: ProposalAdapter;
}

/** The plan type is taken from the plan schema alone, so each skill's rules and run() see its own plan's fields. */
export function defineSkill<S extends z.ZodType<BasePlan>>(skill: Omit<Skill<z.output<S>>, 'plan'> & { plan: S }): Skill<z.output<S>> & { plan: S } {
  return skill as Skill<z.output<S>> & { plan: S };
}

/** A text made in each language by the same function (a card title for every reader). */
export const inBoth = (f: (lang: Lang) => string): Text => ({ zh: f('zh'), en: f('en') });

/** A clarify plan in the request's language. */
export const clarify = (lang: Lang, question: Text): ClarifyPlan => ({ flow: 'clarify', lang, question: question[lang] });

/** A reply that answers the request. */
export const answered = (text: string): FlowResult => ({ kind: 'reply', text, status: 'succeeded' });
