-- Switchboard schema, first cut. Applied once, in a transaction, under the migration lock.

CREATE TABLE departments (
  id        text PRIMARY KEY,
  name_zh   text NOT NULL,
  name_en   text NOT NULL
);

CREATE TABLE principals (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  roles       text[] NOT NULL,
  department  text NOT NULL REFERENCES departments (id),
  regions     text[] NOT NULL,
  active      boolean NOT NULL DEFAULT true
);

-- The identity a platform signs (Teams aadObjectId, Feishu open_id, console persona) -> principal.
CREATE TABLE platform_identities (
  channel           text NOT NULL,
  platform_user_id  text NOT NULL,
  principal_id      text NOT NULL REFERENCES principals (id),
  PRIMARY KEY (channel, platform_user_id)
);

-- Every inbound event lands here before the platform is acknowledged; unique per platform event.
CREATE TABLE inbox (
  id               bigserial PRIMARY KEY,
  channel          text NOT NULL,
  event_id         text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('message', 'action')),
  conversation_id  text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'done', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  error            text,
  received_at      timestamptz NOT NULL DEFAULT now(),
  processed_at     timestamptz,
  UNIQUE (channel, event_id)
);
CREATE INDEX inbox_unfinished ON inbox (id) WHERE status IN ('pending', 'processing');

-- One run per request; the LangGraph thread of the run has the same id.
CREATE TABLE runs (
  id                uuid PRIMARY KEY,
  inbox_id          bigint REFERENCES inbox (id),
  channel           text NOT NULL,
  conversation_id   text NOT NULL,
  requester_id      text NOT NULL,
  department        text NOT NULL,
  flow              text,
  lang              text NOT NULL DEFAULT 'zh',
  status            text NOT NULL CHECK (status IN (
                      'running', 'awaiting_approval', 'succeeded', 'failed', 'business_error',
                      'denied', 'rejected', 'expired', 'not_understood')),
  started_at        timestamptz NOT NULL DEFAULT now(),
  ended_at          timestamptz,
  approval_wait_ms  bigint NOT NULL DEFAULT 0,
  system_errors     integer NOT NULL DEFAULT 0,
  needed_human      boolean NOT NULL DEFAULT false,
  error             text
);
CREATE INDEX runs_started ON runs (started_at);

CREATE TABLE tool_calls (
  id           uuid PRIMARY KEY,
  run_id       uuid REFERENCES runs (id),
  tool         text NOT NULL,
  effect       text NOT NULL CHECK (effect IN ('read', 'write')),
  input        jsonb NOT NULL,
  output       jsonb,
  status       text NOT NULL CHECK (status IN ('ok', 'business_error', 'system_error')),
  error        jsonb,
  attempts     integer NOT NULL DEFAULT 1,
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz NOT NULL,
  duration_ms  integer NOT NULL,
  evidence     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX tool_calls_run ON tool_calls (run_id);

CREATE TABLE approvals (
  id             uuid PRIMARY KEY,
  run_id         uuid NOT NULL REFERENCES runs (id),
  thread_id      text NOT NULL,
  tool           text NOT NULL,
  input          jsonb NOT NULL,
  -- SHA-256 of canonical JSON of tool + input + requester + thread: what is executed must match.
  action_hash    text NOT NULL,
  requester_id   text NOT NULL REFERENCES principals (id),
  department     text NOT NULL,
  approver_ids   text[] NOT NULL,
  title          text NOT NULL,
  lines          jsonb NOT NULL,
  lang           text NOT NULL,
  status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  decided_by     text REFERENCES principals (id),
  decided_at     timestamptz,
  comment        text,
  outcome        jsonb,
  UNIQUE (run_id, tool)
);
CREATE INDEX approvals_pending ON approvals (expires_at) WHERE status = 'pending';

-- Every copy of an approval card, on every platform, so a decision can update them all.
CREATE TABLE approval_messages (
  approval_id      uuid NOT NULL REFERENCES approvals (id),
  channel          text NOT NULL,
  conversation_id  text NOT NULL,
  message_id       text NOT NULL,
  PRIMARY KEY (approval_id, channel, message_id)
);

-- Approved writes, inserted in the decision's transaction; executed once with key = approval id.
CREATE TABLE outbox (
  id               bigserial PRIMARY KEY,
  approval_id      uuid NOT NULL UNIQUE REFERENCES approvals (id),
  tool             text NOT NULL,
  input            jsonb NOT NULL,
  idempotency_key  text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  result           jsonb,
  error            text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  finished_at      timestamptz
);

-- Append-only, hash-chained audit trail.
CREATE TABLE audit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL,
  actor      text NOT NULL,
  action     text NOT NULL,
  subject    text,
  run_id     uuid,
  details    jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash  text NOT NULL,
  hash       text NOT NULL UNIQUE
);
CREATE INDEX audit_log_run ON audit_log (run_id);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- The local console's transcripts (the console is a channel like any other; this is its storage).
CREATE TABLE console_messages (
  id               bigserial PRIMARY KEY,
  conversation_id  text NOT NULL,
  sender           text NOT NULL CHECK (sender IN ('user', 'bot')),
  user_id          text,
  kind             text NOT NULL CHECK (kind IN ('text', 'card')),
  text             text,
  card             jsonb,
  approval_id      uuid,
  inbox_id         bigint,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_messages_conv ON console_messages (conversation_id, id);
