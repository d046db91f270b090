-- Data scope of a write (invariant 10): the owners (region / department) of what the write
-- changes, resolved from the tool's input declarations when it was proposed. Approvers must have
-- all of it in scope; the requester is checked again at execution. NULL on rows made before this
-- column existed: only an all-region approver may decide those.
ALTER TABLE approvals ADD COLUMN target_scope jsonb;
