-- Inbox owners and leases (src/bot/inbox.ts): the process that accepted or claimed an event holds
-- it while its lease is renewed; another replica takes it over only after the lease has run out
-- (its holder died), never while a live one is working on it.
ALTER TABLE inbox ADD COLUMN IF NOT EXISTS owner text;
ALTER TABLE inbox ADD COLUMN IF NOT EXISTS lease_until timestamptz;
CREATE INDEX IF NOT EXISTS inbox_lease ON inbox (lease_until) WHERE status IN ('pending', 'processing');
CREATE INDEX IF NOT EXISTS inbox_conversation_unfinished ON inbox (channel, conversation_id, id) WHERE status IN ('pending', 'processing');
