/**
 * Every copy of an approval card is redrawn from the approval row, the single source of its state,
 * each for the reader it was sent to (their language; buttons only for an approver).
 */
import type { Channel, ChannelName } from '../../chat/channel.js';
import type { Db } from '../../store/db.js';
import type { Directory } from '../../store/directory.js';
import { approvalMessages, getApproval } from '../../store/approvals-repo.js';
import { approvalView } from '../approval-view.js';

export async function refreshApprovalCards(
  deps: { db: Db; directory: Directory; channels: { get(name: ChannelName): Channel | undefined }; warn(msg: string, data: Record<string, unknown>): void },
  approvalId: string,
): Promise<void> {
  const row = await getApproval(deps.db, approvalId);
  if (!row) return;
  for (const ref of await approvalMessages(deps.db, approvalId)) {
    const channel = deps.channels.get(ref.channel as ChannelName);
    if (!channel) continue;
    try {
      const view = approvalView(row, deps.directory, ref.reader_id);
      await channel.update({ channel: ref.channel as ChannelName, conversationId: ref.conversation_id, messageId: ref.message_id }, { kind: 'card', card: view });
    } catch (err) {
      deps.warn('card update failed', { approvalId, error: (err as Error).message });
    }
  }
}
