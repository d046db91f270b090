-- Console access (src/bot/console/auth.ts): who owns a console conversation, and login sessions.

-- A console conversation belongs to the person who opened it; a personal conversation
-- (console-<principal id>) belongs to its person without a row here.
CREATE TABLE console_conversations (
  conversation_id  text PRIMARY KEY,
  owner_id         text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
-- Conversations written before this table existed belong to whoever spoke first in them.
INSERT INTO console_conversations (conversation_id, owner_id, created_at)
SELECT DISTINCT ON (conversation_id) conversation_id, user_id, created_at
  FROM console_messages
 WHERE sender = 'user' AND user_id IS NOT NULL AND conversation_id NOT LIKE 'console-%'
 ORDER BY conversation_id, id
ON CONFLICT DO NOTHING;

-- Login sessions: the cookie holds a random token, only its SHA-256 is stored, so a copy of this
-- table does not let anyone in. Logout sets ended_at; a session ends at expires_at at the latest.
CREATE TABLE console_sessions (
  token_hash    text PRIMARY KEY,
  principal_id  text NOT NULL,
  subject       text NOT NULL,
  csrf_token    text NOT NULL,
  id_token      text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  ended_at      timestamptz
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
