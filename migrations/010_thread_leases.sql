-- Per-thread serialization across processes (src/agents/thread-lock.ts). A lease is a row, not a
-- held connection: taken with one INSERT .. ON CONFLICT .. WHERE expired, renewed by its holder's
-- heartbeat, given back with a DELETE (which NOTIFYs 'switchboard_thread_lease' with the thread id).
-- A holder that dies stops renewing; its lease lapses at expires_at and the next waiter takes over.
-- Expiry is judged by the database clock only, so replicas' clocks need not agree.
CREATE TABLE IF NOT EXISTS thread_leases (
  thread_id   text PRIMARY KEY,
  owner       text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
