-- Evidence of tool calls in the database (issue 14): every replica serves every call's screenshot,
-- page HTML and trace (GET /console/api/evidence/<callId>/<name>), not only the one whose disk
-- holds it. Masked before capture (tools/evidence-masking.ts) and sealed with the data keys
-- (store/data-keys.ts, binary envelope; the row's call id and name are the associated data): a
-- name typed into a portal has no shape to mask by. `owners`: the data owners of the call
-- (region / department, as the data-scope check found them), what a viewer must have in scope;
-- `complete` false when they could not all be known (then only a viewer who sees every region).
CREATE TABLE IF NOT EXISTS evidence_files (
  call_id    text NOT NULL,
  name       text NOT NULL,
  content    bytea NOT NULL,
  size       integer NOT NULL,
  owners     jsonb NOT NULL DEFAULT '[]',
  complete   boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (call_id, name)
);
CREATE INDEX IF NOT EXISTS evidence_files_created ON evidence_files (created_at DESC);
