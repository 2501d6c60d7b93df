-- Issue 15: a second, independent channel against prompt injection. Each CV screening can
-- make a separate detector call (its own prompt, no job criteria) that lists instructions
-- found in the document; on by default, an org may turn it off (it costs one more model
-- call per CV). Its model calls are AI runs of their own purpose.
ALTER TABLE ai_settings ADD COLUMN injection_check boolean NOT NULL DEFAULT true;

ALTER TABLE ai_runs DROP CONSTRAINT ai_runs_purpose_check;
ALTER TABLE ai_runs ADD CONSTRAINT ai_runs_purpose_check CHECK (purpose IN ('cv_screening', 'stability', 'interview_scoring', 'counterfactual', 'injection_check'));
