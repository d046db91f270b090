-- Bulk approval cards (issue 13): a snapshot of the pending approvals of one kind listed for one
-- approver. The click decides exactly these ids (ids_hash is also in the card's opaque id), each
-- through the single decision path; status moves open -> decided once, so a double click or a
-- retried webhook decides the snapshot once. outcomes: per approval id, what the click did.
CREATE TABLE IF NOT EXISTS bulk_approvals (
  id uuid PRIMARY KEY,
  approver_id text NOT NULL,
  tool text NOT NULL,
  approval_ids uuid[] NOT NULL,
  ids_hash text NOT NULL,
  own_card_ids uuid[] NOT NULL DEFAULT '{}',
  beyond_cap integer NOT NULL DEFAULT 0,
  lang text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided')),
  decision text CHECK (decision IN ('approve', 'reject')),
  comment text,
  decided_at timestamptz,
  outcomes jsonb NOT NULL DEFAULT '{}',
  channel text,
  conversation_id text,
  message_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS bulk_approvals_approver ON bulk_approvals (approver_id, created_at);
