-- Issue 21 item 4: structured scorecards for human interviews. One scorecard per
-- interviewer per application: a 1-5 rating per job criterion (keys c1, c2, ... in the
-- job's criteria order, as the screening prompt uses) with an evidence note, and an overall
-- recommendation. Evidence notes are about the candidate, so they are sealed with the
-- candidate's key (crypto-shredded on erasure) like application_notes.body_enc.
-- The older free-text feedback (application_notes kind 'feedback') stays untouched.
CREATE TABLE scorecards (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id           uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id   uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  job_id           uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  author_id        uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  criteria_version integer NOT NULL,
  ratings          jsonb NOT NULL CHECK (jsonb_typeof(ratings) = 'object' AND length(ratings::text) <= 2000),
  recommendation   text NOT NULL CHECK (recommendation IN ('strong_no', 'no', 'yes', 'strong_yes')),
  evidence_enc     bytea NOT NULL,
  status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
  submitted_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, application_id, author_id)
);
CREATE INDEX scorecards_job_idx ON scorecards (org_id, job_id, status);
CREATE INDEX scorecards_author_idx ON scorecards (author_id);
CREATE INDEX scorecards_application_idx ON scorecards (application_id);
ALTER TABLE scorecards ENABLE ROW LEVEL SECURITY;
ALTER TABLE scorecards FORCE ROW LEVEL SECURITY;
CREATE POLICY scorecards_tenant ON scorecards
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
