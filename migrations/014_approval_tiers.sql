-- Risk tiers (policy approvals.*.tiers): how many distinct approvers a write needs, in order or in
-- parallel, and who has approved so far. A vote and the final approval are taken under the row
-- lock (SELECT … FOR UPDATE), so concurrent clicks count once each and approve once.
ALTER TABLE approvals ADD COLUMN required_approvals integer NOT NULL DEFAULT 1 CHECK (required_approvals BETWEEN 1 AND 5);
ALTER TABLE approvals ADD COLUMN approval_order text NOT NULL DEFAULT 'parallel' CHECK (approval_order IN ('parallel', 'sequential'));
ALTER TABLE approvals ADD COLUMN approved_by text[] NOT NULL DEFAULT '{}';
