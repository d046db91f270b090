-- Keyed audit chain (invariant 12): each new row carries its position in the chain and the id of
-- the HMAC key that signed it. Rows from before stay as they were (both NULL, plain SHA-256); the
-- first keyed row seals them (store/audit.ts). Adding columns fires no row trigger.
ALTER TABLE audit_log ADD COLUMN seq bigint, ADD COLUMN key_id text;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_keyed_has_seq CHECK ((key_id IS NULL) = (seq IS NULL));
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq) WHERE seq IS NOT NULL;
CREATE INDEX audit_log_prev_hash ON audit_log (prev_hash);
