-- Backup runs (DESIGN §9, ops/scripts/backup.sh): one row per successful encrypted backup,
-- written by the backup script through the owner connection after the file is in place.
-- The worker's backup monitor reads the newest row and raises stale_backup when it is too
-- old. Global (no org_id): a backup covers every org; listed in server/core/tenancy.ts.
-- The app role may only read it: nothing in the app can fake a fresh backup.
CREATE TABLE backup_runs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  file_name    text NOT NULL CHECK (file_name ~ '^hirebox-[0-9A-Za-z-]+\.dump\.age$'),
  size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
  sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX backup_runs_finished_at_idx ON backup_runs (finished_at DESC);

REVOKE ALL ON backup_runs FROM hirebox_app;
GRANT SELECT ON backup_runs TO hirebox_app;
