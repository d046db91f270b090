-- The directory as operators maintain it (src/store/directory.ts, `npm run directory`): what a
-- principal needs beyond roles and scope, how a leaver is disabled, and one version number that
-- every process watches so a change is seen everywhere within seconds without a restart.

-- language: the person's reply language where the text does not say (zh | en).
-- manager: the person they report to (escalation walks this; a principal id, checked on import).
-- on_duty: the weekly roster, {"timezone": "Asia/Shanghai", "windows": [{"days": [1..7], "from": "09:00", "to": "18:00"}]}
--          (ISO weekdays, 1 = Monday; from > to runs past midnight); NULL = on no roster.
-- disabled_at / disabled_reason: set when active turns false (a leaver); the reason is stored masked.
ALTER TABLE principals
  ADD COLUMN IF NOT EXISTS language        text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
  ADD COLUMN IF NOT EXISTS manager         text REFERENCES principals (id) DEFERRABLE INITIALLY DEFERRED,
  ADD COLUMN IF NOT EXISTS on_duty         jsonb,
  ADD COLUMN IF NOT EXISTS disabled_at     timestamptz,
  ADD COLUMN IF NOT EXISTS disabled_reason text,
  ADD COLUMN IF NOT EXISTS updated_at      timestamptz NOT NULL DEFAULT now();

-- Which kind of id a row holds (a Feishu open_id and union_id share the channel 'feishu'): shown by
-- `directory list`; NULL on rows written before this migration.
ALTER TABLE platform_identities
  ADD COLUMN IF NOT EXISTS kind text CHECK (kind IN ('teams_object_id', 'feishu_open_id', 'feishu_union_id', 'oidc_subject', 'console'));
CREATE INDEX IF NOT EXISTS platform_identities_principal ON platform_identities (principal_id);

-- One row. Every directory write bumps `version` in its own transaction (the row lock also
-- serializes writers across processes) and NOTIFYs 'switchboard_directory'; processes reload on
-- the notification, and poll `version` every few seconds in case one was missed.
CREATE TABLE IF NOT EXISTS directory_state (
  id          int PRIMARY KEY CHECK (id = 1),
  version     bigint NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO directory_state (id, version) VALUES (1, 1) ON CONFLICT (id) DO NOTHING;

-- Any write to the directory tables, by the CLI, at start-up or by hand in psql, bumps the version
-- once per transaction and NOTIFYs it (delivered at commit), so no write path can be missed.
CREATE OR REPLACE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
  IF current_setting('switchboard.directory_bumped', true) IS DISTINCT FROM txid_current()::text THEN
    UPDATE directory_state SET version = version + 1, changed_at = now() WHERE id = 1 RETURNING version INTO v;
    PERFORM set_config('switchboard.directory_bumped', txid_current()::text, true);
    PERFORM pg_notify('switchboard_directory', v::text);
  END IF;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS principals_changed ON principals;
CREATE TRIGGER principals_changed AFTER INSERT OR UPDATE OR DELETE ON principals FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
DROP TRIGGER IF EXISTS platform_identities_changed ON platform_identities;
CREATE TRIGGER platform_identities_changed AFTER INSERT OR UPDATE OR DELETE ON platform_identities FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
DROP TRIGGER IF EXISTS departments_changed ON departments;
CREATE TRIGGER departments_changed AFTER INSERT OR UPDATE OR DELETE ON departments FOR EACH STATEMENT EXECUTE FUNCTION directory_changed();
