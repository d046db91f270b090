-- Personal data at rest (src/store/data-keys.ts, src/store/data-at-rest.ts): one sealed probe per
-- data key id, so a start with the wrong key for a known id refuses to start (a clear error)
-- instead of failing later on every read.
CREATE TABLE data_key_checks (
  kid         text PRIMARY KEY,
  probe       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
