-- Delegates on an approval stand in for an approver (delegate id -> delegator id): a delegator and
-- their delegate fill one seat of a multi-approver tier, and in a sequential tier the delegate may
-- take the delegator's turn.
ALTER TABLE approvals ADD COLUMN IF NOT EXISTS stand_ins jsonb NOT NULL DEFAULT '{}'::jsonb;
