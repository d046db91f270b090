-- The LLM planner (issue 4): what each turn cost, and per-conversation memory for multi-turn requests.

ALTER TABLE runs
  ADD COLUMN llm_calls             integer NOT NULL DEFAULT 0,
  ADD COLUMN llm_prompt_tokens     integer NOT NULL DEFAULT 0,
  ADD COLUMN llm_completion_tokens integer NOT NULL DEFAULT 0,
  ADD COLUMN llm_cost              numeric(12, 6) NOT NULL DEFAULT 0;

-- Every request to the provider, including failed attempts and retries.
CREATE TABLE llm_calls (
  id                bigserial PRIMARY KEY,
  run_id            uuid REFERENCES runs (id),
  model             text NOT NULL,
  status            text NOT NULL CHECK (status IN ('ok', 'rate_limited', 'server', 'timeout', 'connection', 'malformed', 'refused')),
  prompt_tokens     integer NOT NULL DEFAULT 0,
  completion_tokens integer NOT NULL DEFAULT 0,
  duration_ms       integer NOT NULL,
  error             text,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX llm_calls_run ON llm_calls (run_id);

-- What the LLM remembers of a conversation: placeholder-redacted messages, trimmed to a token
-- budget, and the placeholder vault that maps them back (server-side only, like the inbox's raw text).
CREATE TABLE conversation_memory (
  channel          text NOT NULL,
  conversation_id  text NOT NULL,
  messages         jsonb NOT NULL DEFAULT '[]',
  vault            jsonb NOT NULL DEFAULT '{"entries": []}',
  llm_notice_sent  boolean NOT NULL DEFAULT false,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, conversation_id)
);
