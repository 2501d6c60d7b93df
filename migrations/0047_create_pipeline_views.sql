-- Issue 21: the recruiter's day.
--
-- 1. MFA enrolment keeps one secret per half-session: the pending secret remembers the
--    session that asked for it, so reloading the enrolment page (same session) shows the
--    same QR code, and a new sign-in (new session) gets a new secret. No foreign key: a
--    session row outlives its use here, and an id that no longer matches simply means a
--    new secret.
ALTER TABLE users ADD COLUMN totp_pending_session_id uuid;

-- 2. Saved pipeline views, per member: a name and the triage filters (sort, recommendation,
--    flags, tag, list or board). Only the member who saved a view sees it.
CREATE TABLE saved_views (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  filters     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(filters) = 'object' AND length(filters::text) <= 2000),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, user_id, name),
  FOREIGN KEY (org_id, user_id) REFERENCES memberships(org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX saved_views_user_idx ON saved_views (user_id);
ALTER TABLE saved_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE saved_views FORCE ROW LEVEL SECURITY;
CREATE POLICY saved_views_tenant ON saved_views
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- 3. A member's last visit to a job's pipeline: the jobs list shows how many applications
--    arrived since then.
CREATE TABLE job_visits (
  org_id         uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  user_id        uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  job_id         uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  last_visit_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id, job_id),
  FOREIGN KEY (org_id, user_id) REFERENCES memberships(org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX job_visits_user_idx ON job_visits (user_id);
CREATE INDEX job_visits_job_idx ON job_visits (job_id);
ALTER TABLE job_visits ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_visits FORCE ROW LEVEL SECURITY;
CREATE POLICY job_visits_tenant ON job_visits
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
