-- Escalation (policy approvals.*.escalateAfterMinutes): when an approval still waits at
-- escalate_at, the card also goes to the next person on the roster (added to approver_ids);
-- escalated_at claims that step once, whichever process sweeps first.
ALTER TABLE approvals ADD COLUMN escalate_at timestamptz;
ALTER TABLE approvals ADD COLUMN escalated_at timestamptz;
CREATE INDEX approvals_escalation_due ON approvals (escalate_at) WHERE status = 'pending' AND escalated_at IS NULL;
