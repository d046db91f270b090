/**
 * Microsoft Teams as a Channel. Every outbound message is proactive: the agent answers after the
 * HTTP turn has ended, so send() and update() open the stored conversation reference again
 * (continueConversationAsync) and post or PUT the activity through the Bot Connector.
 */
import type { Activity } from 'botbuilder';
import type { Channel, MessageRef, OutboundMessage, PlatformUser } from '../../chat/channel.js';
import type { ApprovalCardView } from '../../chat/approval-card.js';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import type { SwitchboardAdapter } from './adapter.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, mriOf, renderTeamsCard } from './cards.js';
import { findChannelConversation, getConversation, getUser, saveConversation, userOfPersonalConversation, type StoredConversation } from './references.js';

export interface TeamsChannelDeps {
  db: Db;
  adapter: SwitchboardAdapter;
  directory: Directory;
  /** department id -> Teams channel conversation id, where that department's approval cards go. */
  approvalChannels?: Record<string, string>;
}

export class TeamsChannelError extends Error {
  override readonly name = 'TeamsChannelError';
}

export class TeamsChannel implements Channel {
  readonly name = 'teams' as const;

  constructor(private readonly deps: TeamsChannelDeps) {}

  async send(conversationId: string, message: OutboundMessage): Promise<MessageRef> {
    const conv = await this.conversation(conversationId);
    const activity = await this.activityFor(conv, message);
    let id: string | undefined;
    await this.deps.adapter.continueIn(conv.reference, async (context) => {
      id = (await context.sendActivity(activity))?.id;
    });
    if (!id) throw new TeamsChannelError(`the Bot Connector returned no activity id for a message to ${conversationId}`);
    return { channel: 'teams', conversationId, messageId: id };
  }

  async update(ref: MessageRef, message: OutboundMessage): Promise<void> {
    const conv = await this.conversation(ref.conversationId);
    const activity = { ...(await this.activityFor(conv, message)), id: ref.messageId };
    await this.deps.adapter.continueIn(conv.reference, async (context) => {
      await context.updateActivity(activity);
    });
  }

  /**
   * The user's 1:1 chat with the bot (known once they have written to it or installed it), or,
   * when TEAMS_APPROVAL_CHANNELS names their department, that department's approval channel.
   */
  async personalConversation(user: PlatformUser): Promise<string | undefined> {
    const principal = this.deps.directory.byPlatformUser('teams', user.id);
    const channelId = principal ? this.deps.approvalChannels?.[principal.department] : undefined;
    if (channelId) {
      const known = await findChannelConversation(this.deps.db, channelId);
      if (known) {
        if (known.conversationId !== channelId) {
          // A new post in the channel, not a reply in someone's thread.
          const reference = { ...known.reference, activityId: undefined, conversation: { ...known.reference.conversation!, id: channelId } };
          await saveConversation(this.deps.db, { ...known, conversationId: channelId, reference });
        }
        return channelId;
      }
    }
    return (await getUser(this.deps.db, user.id))?.personalConversationId ?? undefined;
  }

  /** A typing indicator in a stored conversation (while the agent works). */
  async typing(conversationId: string): Promise<void> {
    const conv = await this.conversation(conversationId);
    await this.deps.adapter.continueIn(conv.reference, async (context) => {
      await context.sendActivity({ type: 'typing' });
    });
  }

  /** Whether the directory knows this Teams user (enrolled). */
  isEnrolled(aadObjectId: string | undefined): boolean {
    return !!aadObjectId && !!this.deps.directory.byPlatformUser('teams', aadObjectId);
  }

  /** The card as `aadObjectId` should see it: with buttons only for an eligible approver of a pending card. */
  async cardFor(view: ApprovalCardView, aadObjectId: string | undefined): Promise<Record<string, unknown>> {
    return renderTeamsCard(view, { audience: this.audienceOf(view, aadObjectId), refreshUserIds: await this.approverMris(view) });
  }

  private async activityFor(conv: StoredConversation, message: OutboundMessage): Promise<Partial<Activity>> {
    if (message.kind === 'text') {
      // Suggested commands as imBack buttons: a click is the user's own message, signed by Teams.
      // Teams shows suggested actions in 1:1 chats only (to their one reader, so no recipient list).
      const actions = conv.conversationType === 'personal' ? (message.suggestions ?? []).slice(0, 6).map((s) => ({ type: 'imBack', title: s, value: s })) : [];
      return { type: 'message', text: message.text, textFormat: 'plain', ...(actions.length ? { suggestedActions: { to: [], actions } } : {}) };
    }
    // A 1:1 chat has one human reader: if that is an approver, the buttons go on the card itself.
    const reader = conv.conversationType === 'personal' ? await userOfPersonalConversation(this.deps.db, conv.conversationId) : undefined;
    const card = await this.cardFor(message.card, reader);
    return {
      type: 'message',
      attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }],
      summary: message.card.title,
    };
  }

  private audienceOf(view: ApprovalCardView, aadObjectId: string | undefined): 'approver' | 'viewer' {
    if (!aadObjectId || view.status !== 'pending') return 'viewer';
    const principal = this.deps.directory.byPlatformUser('teams', aadObjectId);
    return principal && view.approvers.some((a) => a.id === principal.id) && principal.id !== view.requester.id ? 'approver' : 'viewer';
  }

  private async approverMris(view: ApprovalCardView): Promise<string[]> {
    if (view.status !== 'pending') return [];
    const out: string[] = [];
    for (const approver of view.approvers) {
      for (const aad of this.deps.directory.platformIdsOf('teams', approver.id)) {
        out.push(mriOf(aad, (await getUser(this.deps.db, aad))?.userMri));
      }
    }
    return out;
  }

  private async conversation(conversationId: string): Promise<StoredConversation> {
    const conv = await getConversation(this.deps.db, conversationId);
    if (!conv) throw new TeamsChannelError(`no stored Teams conversation reference for ${conversationId}: the bot can only write where it was addressed or installed`);
    return conv;
  }
}
