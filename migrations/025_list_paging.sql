-- Every list is paged by keyset (src/lib/paging.ts); these indexes serve the pages without
-- reading a person's whole history (checked with EXPLAIN on PostgreSQL, 10,000 pending).
-- "Waiting for me": the pending rows in page order (riskiest, oldest, id), which an approver listed
-- on most of them reads one page of; and the pending rows listing an approver (GIN on the array,
-- `approver_ids @> ARRAY[$1]`), for one listed on few. "My requests": newest first per requester.
-- Dead letters (inbox_dead, 007) and transcripts (console_messages_conv, 001) had theirs already.
CREATE INDEX IF NOT EXISTS approvals_pending_page ON approvals ((-required_approvals), created_at, id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS approvals_pending_approvers ON approvals USING gin (approver_ids) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS approvals_requester_created ON approvals (requester_id, created_at DESC, id DESC);
