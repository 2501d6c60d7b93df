-- Interview scoring (issue 7 item 6): one score per interview, computed from the stored
-- transcript only (no emotion, sentiment or voice-trait inference). Per-question results
-- (reasoning, evidence quotes) are ciphertext under the candidate's key (result_enc);
-- the plain columns hold only numbers, flags and the AI-run bookkeeping. Every model call
-- is recorded in ai_runs like a CV screening, now tied to either a screening or an
-- interview score.

CREATE TABLE interview_scores (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id            uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  interview_id      uuid NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'waiting', 'completed', 'failed')),
  status_reason     text CHECK (length(status_reason) <= 500),
  provider          text CHECK (provider IN ('openai', 'simulated')),
  model             text,
  prompt_version    text,
  input_hash        text,
  overall_score     integer CHECK (overall_score BETWEEN 0 AND 100),
  scores            jsonb NOT NULL DEFAULT '{}'::jsonb,   -- q1..qN -> 0-4, or null for insufficient evidence
  flags             text[] NOT NULL DEFAULT '{}',
  result_enc        bytea,
  raw_response_enc  bytea,
  input_tokens      integer NOT NULL DEFAULT 0,
  output_tokens     integer NOT NULL DEFAULT 0,
  attempts          integer NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  completed_at      timestamptz,
  UNIQUE (org_id, interview_id)
);
CREATE INDEX interview_scores_interview_fk_idx ON interview_scores (interview_id);
ALTER TABLE interview_scores ENABLE ROW LEVEL SECURITY;
ALTER TABLE interview_scores FORCE ROW LEVEL SECURITY;
CREATE POLICY interview_scores_tenant ON interview_scores
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

ALTER TABLE ai_runs ALTER COLUMN screening_id DROP NOT NULL;
ALTER TABLE ai_runs ADD COLUMN interview_score_id uuid REFERENCES interview_scores(id) ON DELETE CASCADE;
ALTER TABLE ai_runs DROP CONSTRAINT ai_runs_purpose_check;
ALTER TABLE ai_runs
  ADD CONSTRAINT ai_runs_purpose_check CHECK (purpose IN ('cv_screening', 'stability', 'interview_scoring')),
  ADD CONSTRAINT ai_runs_subject_check CHECK (num_nonnulls(screening_id, interview_score_id) = 1);
CREATE INDEX ai_runs_interview_score_idx ON ai_runs (org_id, interview_score_id, created_at);
CREATE INDEX ai_runs_interview_score_fk_idx ON ai_runs (interview_score_id);
