/**
 * The local console as a Channel: transcripts live in PostgreSQL like any other state, so a
 * restart keeps them and every replica sees the same conversation.
 */
import type { Channel, MessageRef, OutboundMessage, PlatformUser } from '../../chat/channel.js';
import type { Db } from '../../store/db.js';
import { insertConsoleMessage, updateConsoleCard, updateConsoleText } from '../../store/console-repo.js';

export const personalConversationId = (userId: string) => `console-${userId}`;

export class ConsoleChannel implements Channel {
  readonly name = 'console' as const;

  constructor(private readonly db: Db) {}

  async send(conversationId: string, message: OutboundMessage): Promise<MessageRef> {
    const row = await insertConsoleMessage(this.db, {
      conversationId,
      sender: 'bot',
      kind: message.kind,
      ...(message.kind === 'text' ? { text: message.text, ...(message.suggestions ? { suggestions: message.suggestions } : {}) } : { card: message.card }),
    });
    return { channel: 'console', conversationId, messageId: row.id };
  }

  async update(ref: MessageRef, message: OutboundMessage): Promise<void> {
    if (message.kind === 'text') await updateConsoleText(this.db, ref.messageId, message.text);
    else await updateConsoleCard(this.db, ref.messageId, message.card);
  }

  async personalConversation(user: PlatformUser): Promise<string> {
    return personalConversationId(user.id);
  }
}
