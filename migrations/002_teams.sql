-- Microsoft Teams: conversation references for proactive messages (src/bot/teams/references.ts).
-- One row per conversation the bot has seen (1:1, group chat, channel thread).
CREATE TABLE teams_conversations (
  conversation_id    text PRIMARY KEY,
  conversation_type  text,            -- personal | groupChat | channel
  tenant_id          text,
  service_url        text NOT NULL,
  reference          jsonb NOT NULL,  -- TurnContext.getConversationReference(activity)
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- One row per Teams user the bot has seen: their MRI (for card refresh) and their 1:1 chat.
CREATE TABLE teams_users (
  aad_object_id             text PRIMARY KEY,
  user_mri                  text NOT NULL,   -- from.id, e.g. 29:1abc…
  name                      text,
  personal_conversation_id  text REFERENCES teams_conversations (conversation_id),
  updated_at                timestamptz NOT NULL DEFAULT now()
);
