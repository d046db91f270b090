-- Rate limits (policy rateLimits): one counter per key (user:<id>, dept:<id>) and minute, taken
-- atomically (INSERT … ON CONFLICT DO UPDATE … RETURNING), so turns on many processes at once
-- cannot all slip under a limit. Old windows are deleted as new ones are taken.
CREATE TABLE rate_counters (
  key           text NOT NULL,
  window_start  timestamptz NOT NULL,
  count         integer NOT NULL,
  PRIMARY KEY (key, window_start)
);

-- Pending approvals per requester and per department, counted before a new card is sent.
CREATE INDEX approvals_pending_requester ON approvals (requester_id) WHERE status = 'pending';
CREATE INDEX approvals_pending_department ON approvals (department) WHERE status = 'pending';
