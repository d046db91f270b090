-- Shared across replicas (issue 14).
-- 1. What an inbox event's handling sent back (the message ids of its replies; never the words), so a
--    replica that did not run the turn can hand it back to a waiting request (POST
--    /console/api/messages?wait=1): it hears the completion by NOTIFY and reads this column.
ALTER TABLE inbox ADD COLUMN IF NOT EXISTS outcome jsonb;
-- 2. Feishu's per-key send rate (5 per second per chat, per message for patches) kept across replicas
--    (src/bot/feishu/send-slots.ts). One row per key holding its recent operations as marks
--    {t: token, r: reserved at, a: answered at} (ms since the epoch, database clock). An operation
--    counts against the window from its answer (as in the in-process queue: the platform had the
--    request before it answered), and while in flight counts as "now"; one whose replica died
--    before the answer counts as answered flight_ms after it was reserved.
CREATE TABLE IF NOT EXISTS send_slots (
  key        text PRIMARY KEY,
  marks      jsonb NOT NULL DEFAULT '[]',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS send_slots_updated ON send_slots (updated_at);

-- One statement per reservation, under the key's row lock: a token (go now) or how long to wait.
CREATE OR REPLACE FUNCTION send_slot_reserve(p_key text, p_limit int, p_window_ms float8, p_flight_ms float8)
RETURNS TABLE (token text, wait_ms float8) LANGUAGE plpgsql AS $$
DECLARE
  v_now float8 := extract(epoch FROM clock_timestamp()) * 1000;
  v_marks jsonb;
  v_kept jsonb := '[]';
  v_m jsonb;
  v_until float8;
  v_untils float8[] := '{}';
  v_token text;
BEGIN
  INSERT INTO send_slots (key) VALUES (p_key) ON CONFLICT (key) DO NOTHING;
  SELECT s.marks INTO v_marks FROM send_slots s WHERE s.key = p_key FOR UPDATE;
  FOR v_m IN SELECT * FROM jsonb_array_elements(v_marks) LOOP
    -- When this mark stops counting: its answer + window; in flight, not before now + window.
    IF v_m->>'a' IS NOT NULL THEN
      v_until := (v_m->>'a')::float8 + p_window_ms;
    ELSIF (v_m->>'r')::float8 + p_flight_ms <= v_now THEN
      v_until := (v_m->>'r')::float8 + p_flight_ms + p_window_ms;
    ELSE
      v_until := v_now + p_window_ms;
    END IF;
    CONTINUE WHEN v_until <= v_now;
    v_kept := v_kept || jsonb_build_array(v_m);
    v_untils := v_untils || v_until;
  END LOOP;
  IF jsonb_array_length(v_kept) < p_limit THEN
    v_token := md5(random()::text || clock_timestamp()::text);
    v_kept := v_kept || jsonb_build_array(jsonb_build_object('t', v_token, 'r', v_now, 'a', NULL));
    UPDATE send_slots SET marks = v_kept, updated_at = now() WHERE key = p_key;
    -- Keys idle for an hour (one per patched message) go now and then.
    IF random() < 0.01 THEN DELETE FROM send_slots WHERE updated_at < now() - interval '1 hour'; END IF;
    RETURN QUERY SELECT v_token, 0::float8;
  ELSE
    UPDATE send_slots SET marks = v_kept, updated_at = now() WHERE key = p_key;
    -- Enough marks must stop counting to leave one free: the (n - limit + 1)-th to end.
    RETURN QUERY SELECT NULL::text, GREATEST(1, (SELECT u FROM unnest(v_untils) u ORDER BY u OFFSET jsonb_array_length(v_kept) - p_limit LIMIT 1) - v_now);
  END IF;
END $$;

-- The operation was answered: from now its mark counts for the window.
CREATE OR REPLACE FUNCTION send_slot_answered(p_key text, p_token text) RETURNS void LANGUAGE sql AS $$
  UPDATE send_slots SET updated_at = now(), marks = (
    SELECT COALESCE(jsonb_agg(CASE WHEN m->>'t' = p_token THEN jsonb_set(m, '{a}', to_jsonb(extract(epoch FROM clock_timestamp()) * 1000)) ELSE m END), '[]')
      FROM jsonb_array_elements(marks) m)
   WHERE key = p_key
$$;
