-- issue 23: the trust page. Every line of /trust is a check run against this install by
-- the worker's trust-checks job (server/modules/trust). Results are stored here and the
-- page reads them; a result older than its check's interval is shown as stale (failing),
-- never as the old answer.
--
-- trust_results: one row per check, install-wide, aggregates only (global, no org_id;
-- listed in server/core/tenancy.ts). The app role writes it (the worker runs as the app role).
CREATE TABLE trust_results (
  check_id          text PRIMARY KEY CHECK (check_id ~ '^[a-z][a-z0-9_]{1,39}$'),
  status            text NOT NULL CHECK (status IN ('pass', 'fail', 'unknown')),
  summary           text NOT NULL CHECK (length(summary) <= 500),
  evidence          jsonb NOT NULL DEFAULT '{}',
  checked_at        timestamptz NOT NULL,
  interval_seconds  integer NOT NULL CHECK (interval_seconds BETWEEN 60 AND 604800),
  -- When the line last went from passing to failing (alerts are raised once per change).
  failing_since     timestamptz
);

-- trust_org_results: the same checks as seen for one org (its audit chain, its members'
-- MFA, its retention sweep, its bias report). Tenant table: RLS FORCE like every other.
CREATE TABLE trust_org_results (
  org_id            uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  check_id          text NOT NULL CHECK (check_id ~ '^[a-z][a-z0-9_]{1,39}$'),
  status            text NOT NULL CHECK (status IN ('pass', 'fail', 'unknown')),
  summary           text NOT NULL CHECK (length(summary) <= 500),
  evidence          jsonb NOT NULL DEFAULT '{}',
  checked_at        timestamptz NOT NULL,
  interval_seconds  integer NOT NULL CHECK (interval_seconds BETWEEN 60 AND 604800),
  failing_since     timestamptz,
  PRIMARY KEY (org_id, check_id)
);
ALTER TABLE trust_org_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_org_results FORCE ROW LEVEL SECURITY;
CREATE POLICY trust_org_results_tenant ON trust_org_results
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- trust_hidden: checks the operator hid, each with the written reason shown on the page.
-- Written only by `hirebox trust hide|unhide` through the owner connection: nothing in the
-- app can hide a failing line. Global.
CREATE TABLE trust_hidden (
  check_id   text PRIMARY KEY CHECK (check_id ~ '^[a-z][a-z0-9_]{1,39}$'),
  reason     text NOT NULL CHECK (length(btrim(reason)) BETWEEN 10 AND 500),
  hidden_at  timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON trust_hidden FROM hirebox_app;
GRANT SELECT ON trust_hidden TO hirebox_app;

-- restore_drills: one row per run of ops/scripts/restore-drill.sh (owner connection), so
-- the trust page can state the last drill's result and its measured restore time (RTO).
-- Global; the app role may only read it.
CREATE TABLE restore_drills (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  backup_file       text NOT NULL CHECK (length(backup_file) BETWEEN 1 AND 200),
  ok                boolean NOT NULL,
  restore_seconds   integer NOT NULL CHECK (restore_seconds >= 0),
  finished_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX restore_drills_finished_at_idx ON restore_drills (finished_at DESC);
REVOKE ALL ON restore_drills FROM hirebox_app;
GRANT SELECT ON restore_drills TO hirebox_app;
