-- The facts a write's guard read (policy risk tiers), kept on the approval: anti-splitting sums
-- them over the requester's recent approvals of the same tool.
ALTER TABLE approvals ADD COLUMN facts jsonb NOT NULL DEFAULT '{}';
CREATE INDEX approvals_requester_tool_created ON approvals (requester_id, tool, created_at);
