/**
 * The Channel contract: every chat platform adapter turns its traffic into these shapes and back.
 * Nothing here names a platform SDK type or a store row, so agents/, policies/ and store/ use it
 * without learning which platform spoke (chat/ imports no SDK and no store).
 */
import type { ApprovalCardView } from './approval-card.js';

export type ChannelName = 'console' | 'teams' | 'feishu';

/** The identity the platform vouched for (Teams aadObjectId, Feishu open_id, console persona). */
export interface PlatformUser {
  channel: ChannelName;
  /** The platform-signed id: never taken from message text or card data. */
  id: string;
  displayName?: string;
}

export interface InboundMessage {
  channel: ChannelName;
  conversationId: string;
  /** The platform's event/message id: the inbox deduplicates on (channel, messageId). */
  messageId: string;
  sender: PlatformUser;
  text: string;
  receivedAt: Date;
}

/** `withdraw`: the requester's own button on their copy (only the requester may; checked by identity). */
export type Decision = 'approve' | 'reject' | 'withdraw';

export interface CardAction {
  channel: ChannelName;
  conversationId: string;
  /** The event id of the click; retried webhooks repeat it. */
  messageId: string;
  /** From the platform-verified envelope, never from the card payload. */
  actor: PlatformUser;
  /** The only thing a card carries: an opaque id. */
  approvalId: string;
  decision: Decision;
  comment?: string;
  /**
   * When the actor last signed in at an identity provider (ISO), where the adapter knows it from a
   * verified session (the console's OpenID Connect login); absent elsewhere. The top risk tier
   * refuses an approval without a fresh one.
   */
  authenticatedAt?: string;
}

export type OutboundMessage =
  /**
   * `suggestions`: full commands the reader may send next, shown as buttons where the channel has
   * them; a click sends the command as the user's own message (through the platform's signed
   * envelope, like anything they type). Never personal data: a command holding a mobile or an ID
   * number is listed, masked, in the text instead.
   */
  | { kind: 'text'; text: string; suggestions?: string[] }
  | { kind: 'card'; card: ApprovalCardView };

export interface MessageRef {
  channel: ChannelName;
  conversationId: string;
  messageId: string;
}

export interface Channel {
  readonly name: ChannelName;
  send(conversationId: string, message: OutboundMessage): Promise<MessageRef>;
  update(ref: MessageRef, message: OutboundMessage): Promise<void>;
  /** Where a proactive message to this user goes (their 1:1 chat), if the channel knows one. */
  personalConversation(user: PlatformUser): Promise<string | undefined>;
}
