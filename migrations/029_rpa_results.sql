-- The answer of an RPA job (jobs/rpa-worker.ts), sealed with the data keys, kept until the bot
-- replica that asked reads it (it deletes the row as it reads) or, if that replica died, swept
-- after an hour. Its id is announced on NOTIFY switchboard_rpa_done, so the asker waits for no poll.
CREATE TABLE IF NOT EXISTS rpa_results (
  job_id uuid PRIMARY KEY,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS rpa_results_created ON rpa_results (created_at);
