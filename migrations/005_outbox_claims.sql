-- issue 10 §8: the outbox drives recovery. A claim names its executor and carries a lease that a
-- live executor renews; a row left 'running' with a lapsed lease belongs to a dead process and is
-- verified in the target system before anything is written again.
ALTER TABLE outbox ADD COLUMN claimed_by text;
ALTER TABLE outbox ADD COLUMN claim_expires_at timestamptz;
CREATE INDEX outbox_unfinished ON outbox (created_at) WHERE status IN ('pending', 'running');
