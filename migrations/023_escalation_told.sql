-- An escalation is claimed (escalated_at) before its copies are sent: a process killed in between
-- left the new approver without a card and the requester untold. escalated_to records whom the
-- claim added and escalation_told_at when both were told; a later sweep finishes what is missing.
ALTER TABLE approvals ADD COLUMN IF NOT EXISTS escalated_to text;
ALTER TABLE approvals ADD COLUMN IF NOT EXISTS escalation_told_at timestamptz;
-- Escalations from before this column were told in the same step that claimed them.
UPDATE approvals SET escalation_told_at = escalated_at WHERE escalated_at IS NOT NULL AND escalation_told_at IS NULL;
