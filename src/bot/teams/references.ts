/**
 * Stored Teams conversation references: a bot can only write into a Teams conversation it has
 * a reference for (service URL, conversation id, tenant), so every activity we receive refreshes
 * its conversation's row, and every user's MRI and 1:1 chat are remembered for proactive cards.
 */
import type { ConversationReference } from 'botbuilder';
import type { Queryable } from '../../store/db.js';
import { storable } from '../../lib/storable.js';

export interface StoredConversation {
  conversationId: string;
  conversationType: string | null;
  tenantId: string | null;
  serviceUrl: string;
  reference: Partial<ConversationReference>;
}

export interface TeamsUser {
  aadObjectId: string;
  userMri: string;
  name: string | null;
  personalConversationId: string | null;
}

export async function saveConversation(db: Queryable, raw: StoredConversation): Promise<void> {
  const c = storable(raw);
  await db.query(
    `INSERT INTO teams_conversations (conversation_id, conversation_type, tenant_id, service_url, reference)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (conversation_id) DO UPDATE SET conversation_type = EXCLUDED.conversation_type,
       tenant_id = EXCLUDED.tenant_id, service_url = EXCLUDED.service_url, reference = EXCLUDED.reference, updated_at = now()`,
    [c.conversationId, c.conversationType, c.tenantId, c.serviceUrl, JSON.stringify(c.reference)],
  );
}

export async function saveUser(db: Queryable, raw: TeamsUser): Promise<void> {
  const u = storable(raw);
  // A group-chat message must not erase the 1:1 chat learnt earlier.
  await db.query(
    `INSERT INTO teams_users (aad_object_id, user_mri, name, personal_conversation_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (aad_object_id) DO UPDATE SET user_mri = EXCLUDED.user_mri, name = COALESCE(EXCLUDED.name, teams_users.name),
       personal_conversation_id = COALESCE(EXCLUDED.personal_conversation_id, teams_users.personal_conversation_id), updated_at = now()`,
    [u.aadObjectId, u.userMri, u.name, u.personalConversationId],
  );
}

interface ConversationRow {
  conversation_id: string;
  conversation_type: string | null;
  tenant_id: string | null;
  service_url: string;
  reference: Partial<ConversationReference>;
}

const toConversation = (r: ConversationRow): StoredConversation => ({
  conversationId: r.conversation_id,
  conversationType: r.conversation_type,
  tenantId: r.tenant_id,
  serviceUrl: r.service_url,
  reference: r.reference,
});

export async function getConversation(db: Queryable, conversationId: string): Promise<StoredConversation | undefined> {
  const res = await db.query<ConversationRow>('SELECT * FROM teams_conversations WHERE conversation_id = $1', [conversationId]);
  return res.rows[0] ? toConversation(res.rows[0]) : undefined;
}

/**
 * A Teams channel (team) conversation: its posts have ids "19:…@thread.tacv2;messageid=…", the
 * channel itself "19:…@thread.tacv2". Any stored reference inside the channel will do.
 */
export async function findChannelConversation(db: Queryable, channelId: string): Promise<StoredConversation | undefined> {
  const res = await db.query<ConversationRow>(
    `SELECT * FROM teams_conversations WHERE conversation_id = $1 OR starts_with(conversation_id, $2)
     ORDER BY (conversation_id = $1) DESC, updated_at DESC LIMIT 1`,
    [channelId, `${channelId};`],
  );
  return res.rows[0] ? toConversation(res.rows[0]) : undefined;
}

export async function getUser(db: Queryable, aadObjectId: string): Promise<TeamsUser | undefined> {
  const res = await db.query<{ aad_object_id: string; user_mri: string; name: string | null; personal_conversation_id: string | null }>(
    'SELECT * FROM teams_users WHERE aad_object_id = $1',
    [aadObjectId],
  );
  const r = res.rows[0];
  return r ? { aadObjectId: r.aad_object_id, userMri: r.user_mri, name: r.name, personalConversationId: r.personal_conversation_id } : undefined;
}

/** The user whose 1:1 chat this is, if it is one. */
export async function userOfPersonalConversation(db: Queryable, conversationId: string): Promise<string | undefined> {
  const res = await db.query<{ aad_object_id: string }>('SELECT aad_object_id FROM teams_users WHERE personal_conversation_id = $1', [conversationId]);
  return res.rows[0]?.aad_object_id;
}
