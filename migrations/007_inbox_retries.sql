-- Inbox retries and dead letters (issue 10, sections 6 and 9; src/bot/inbox.ts).
-- A failed event is retried in the running process with backoff: `next_attempt_at` says when.
-- An event that keeps failing ends `dead` (answered in its chat, audited, counted), never silently
-- `pending` until the next start. `unreadable` rows are events an adapter could tie to a chat but
-- not read (an image, a null field, malformed content): they are answered and audited like the rest.
ALTER TABLE inbox ADD COLUMN next_attempt_at timestamptz;

ALTER TABLE inbox DROP CONSTRAINT inbox_status_check;
UPDATE inbox SET status = 'dead' WHERE status = 'failed';
ALTER TABLE inbox ADD CONSTRAINT inbox_status_check CHECK (status IN ('pending', 'processing', 'done', 'dead'));

ALTER TABLE inbox DROP CONSTRAINT inbox_kind_check;
ALTER TABLE inbox ADD CONSTRAINT inbox_kind_check CHECK (kind IN ('message', 'action', 'unreadable'));

CREATE INDEX inbox_retry_due ON inbox (next_attempt_at) WHERE status = 'pending' AND next_attempt_at IS NOT NULL;
CREATE INDEX inbox_dead ON inbox (id) WHERE status = 'dead';
