-- Delegation (issue 12): an approver names a delegate for a period; while it holds, the delegate
-- is added to the approvers of new approvals that would go to the delegator.
CREATE TABLE delegations (
  id            bigserial PRIMARY KEY,
  delegator_id  text NOT NULL,
  delegate_id   text NOT NULL CHECK (delegate_id <> delegator_id),
  starts_at     timestamptz NOT NULL DEFAULT now(),
  ends_at       timestamptz NOT NULL CHECK (ends_at > starts_at),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);
CREATE INDEX delegations_active ON delegations (delegator_id, ends_at) WHERE revoked_at IS NULL;
