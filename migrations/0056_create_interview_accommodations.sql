-- Issue 22 item 3: typed interviews and accommodations.
--
-- A typed interview is the approved plan's questions answered one at a time in a textarea
-- on the invite page (mode 'typed'). Each answer is stored sealed with the candidate key
-- (like the voice transcript); on finish the Q/A turns become the interview's transcript
-- in the voice transcript's "AI: / User:" format, so the same scorer and the same
-- insufficient-evidence gate apply.
ALTER TABLE interviews DROP CONSTRAINT interviews_mode_check;
ALTER TABLE interviews ADD CONSTRAINT interviews_mode_check CHECK (mode IN ('phone', 'browser', 'typed'));

CREATE TABLE interview_typed_answers (
  org_id          uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  interview_id    uuid NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
  question_index  integer NOT NULL CHECK (question_index >= 0 AND question_index < 100),
  answer_enc      bytea NOT NULL,
  answered_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, interview_id, question_index)
);
CREATE INDEX interview_typed_answers_interview_fk_idx ON interview_typed_answers (interview_id);
ALTER TABLE interview_typed_answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE interview_typed_answers FORCE ROW LEVEL SECURITY;
CREATE POLICY interview_typed_answers_tenant ON interview_typed_answers
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- A candidate's accommodation request from the invite page: more time, typed mode or a
-- human interviewer. One open request per type and interview; the note is candidate data
-- (sealed with the candidate key). due_at is when the hiring team should have answered.
CREATE TABLE interview_accommodations (
  id              uuid PRIMARY KEY,
  org_id          uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  interview_id    uuid NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
  application_id  uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  type            text NOT NULL CHECK (type IN ('more_time', 'typed_mode', 'human_interviewer')),
  note_enc        bytea,
  status          text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'granted', 'declined')),
  due_at          timestamptz NOT NULL,
  resolved_at     timestamptz,
  -- A member's id, or null when granted automatically (typed mode).
  resolved_by     uuid,
  resolution      text CHECK (length(resolution) <= 500),
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, interview_id, type)
);
CREATE INDEX interview_accommodations_application_idx ON interview_accommodations (org_id, application_id, created_at);
CREATE INDEX interview_accommodations_open_idx ON interview_accommodations (org_id, due_at) WHERE status = 'requested';
CREATE INDEX interview_accommodations_interview_fk_idx ON interview_accommodations (interview_id);
CREATE INDEX interview_accommodations_application_fk_idx ON interview_accommodations (application_id);
ALTER TABLE interview_accommodations ENABLE ROW LEVEL SECURITY;
ALTER TABLE interview_accommodations FORCE ROW LEVEL SECURITY;
CREATE POLICY interview_accommodations_tenant ON interview_accommodations
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
