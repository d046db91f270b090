/**
 * Typed refusals. A flow that must react to a refusal (a batch stops at the first role denial)
 * branches on the class and its kind, never on the localized text it carries for the user.
 */
/** role: the role may not; rollout: not enabled for the department yet; scope: the data is not theirs; limit: a rate limit. */
export type DenialKind = 'role' | 'rollout' | 'scope' | 'limit';

export class PolicyDenied extends Error {
  constructor(
    readonly kind: DenialKind,
    readonly tool: string,
    /** What the requester is told, already in their language. */
    readonly reply: string,
  ) {
    super(reply);
    this.name = 'PolicyDenied';
  }
}

export const isPolicyDenied = (err: unknown): err is PolicyDenied => err instanceof PolicyDenied;
