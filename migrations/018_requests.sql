-- Issue 13 "Duplicates, conflicts, withdrawal": a requester may withdraw a pending approval
-- (status 'withdrawn', a run outcome of its own); the same request (requester + tool + the
-- parameters the requester chose, without the guard's `expected`) while one is pending points to
-- that card instead of making another; a write on the same target as a pending or recent one says
-- so on its card.
ALTER TABLE approvals DROP CONSTRAINT IF EXISTS approvals_status_check;
ALTER TABLE approvals ADD CONSTRAINT approvals_status_check CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'withdrawn'));
ALTER TABLE runs DROP CONSTRAINT IF EXISTS runs_status_check;
ALTER TABLE runs ADD CONSTRAINT runs_status_check CHECK (status IN (
  'running', 'awaiting_approval', 'succeeded', 'failed', 'business_error',
  'denied', 'rejected', 'expired', 'withdrawn', 'not_understood'));
-- SHA-256 of canonical JSON of tool + input without `expected` + requester (policies/action-hash.ts requestHash),
-- stored as a keyed digest (store/data-keys.ts digest) like target_key, whose target may be a mobile.
ALTER TABLE approvals ADD COLUMN request_hash text;
-- tool|target (ticket, alarm, mobile+template): what two writes conflict on (policies/action-hash.ts targetKey),
-- as a keyed digest only: never the number in clear at rest.
ALTER TABLE approvals ADD COLUMN target_key text;
CREATE INDEX approvals_request_hash ON approvals (requester_id, request_hash, created_at);
CREATE INDEX approvals_target_key ON approvals (target_key, created_at);
