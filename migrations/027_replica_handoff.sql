-- Shared across replicas (issue 14).
-- 1. What an inbox event's handling sent back (the message ids of its replies; never the words), so a
--    replica that did not run the turn can hand it back to a waiting request (POST
--    /console/api/messages?wait=1): it hears the completion by NOTIFY and reads this column.
ALTER TABLE inbox ADD COLUMN IF NOT EXISTS outcome jsonb;
-- 2. Feishu's per-chat send rate (5 per second) kept across replicas (src/bot/feishu/send-slots.ts):
--    one row per chat key holding the departure times of its recent sends; a replica reserves the
--    next free departure in one statement under the row's lock.
CREATE TABLE IF NOT EXISTS send_slots (
  key        text PRIMARY KEY,
  departures timestamptz[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS send_slots_updated ON send_slots (updated_at);
