-- Issue 21 item 5: custom application questions per job, with optional knock-out rules.
--
-- job_question_sets: every version of a job's question set (what the apply page asked).
-- A version, once shown, is never rewritten (like notice_versions): an application records
-- the version it answered, next to the notice revision it consented to, so consent shows
-- exactly what was asked. questions holds {questions, knockouts}: the org's own text, not candidate data.
CREATE TABLE job_question_sets (
  org_id          uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  job_id          uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  version         integer NOT NULL CHECK (version >= 1),
  questions       jsonb NOT NULL CHECK (jsonb_typeof(questions) = 'object' AND length(questions::text) <= 200000),
  content_sha256  bytea NOT NULL CHECK (length(content_sha256) = 32),
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, job_id, version)
);
CREATE INDEX job_question_sets_job_fk_idx ON job_question_sets (job_id);
ALTER TABLE job_question_sets ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_question_sets FORCE ROW LEVEL SECURITY;
CREATE POLICY job_question_sets_tenant ON job_question_sets
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
REVOKE UPDATE, TRUNCATE ON job_question_sets FROM hirebox_app;

-- A candidate's answers, sealed with the candidate's key (AAD org|application_answers|
-- answers_enc|id), so erasure crypto-shreds them; erasure also deletes the row. Only the
-- knock-out outcome is plain: triage filters on it and the bias report counts it. Which
-- rule matched stays inside the sealed answers (it would reveal the answer).
CREATE TABLE application_answers (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id             uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id     uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  job_id             uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  questions_version  integer NOT NULL CHECK (questions_version >= 1),
  answers_enc        bytea NOT NULL,
  -- Whether the question set answered had any knock-out rule (the bias step's denominator).
  knockout_assessed  boolean NOT NULL,
  knocked_out        boolean NOT NULL CHECK (knockout_assessed OR NOT knocked_out),
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (application_id)
);
CREATE INDEX application_answers_job_idx ON application_answers (org_id, job_id, knocked_out);
ALTER TABLE application_answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_answers FORCE ROW LEVEL SECURITY;
CREATE POLICY application_answers_tenant ON application_answers
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
