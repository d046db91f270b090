-- Re-authentication for the top risk tier (policy approvals.*.reauthWithinMinutes): an approval
-- records how fresh its approver's sign-in must be, and a console session when its person last
-- signed in at the provider (the ID token's auth_time).
ALTER TABLE approvals ADD COLUMN IF NOT EXISTS reauth_within_seconds integer;
ALTER TABLE console_sessions ADD COLUMN IF NOT EXISTS authenticated_at timestamptz NOT NULL DEFAULT now();
