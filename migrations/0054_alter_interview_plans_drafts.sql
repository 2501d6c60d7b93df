-- Issue 22 item 4: interview plans drafted from the job. A plan's questions each map to
-- exactly one job criterion (key c1, c2, ... in the job's criteria order at
-- criteria_version, as screening and scorecards use) with a rubric anchor the scorer
-- reads; the plan is a draft until a recruiter approves it, and no invite is sent before.
--
-- items: [{text, criterion, anchor}] (criterion and anchor null only on legacy plans).
-- status: draft | approved. source: recruiter (typed), ai (drafted by the model, with the
-- model and seed recorded), legacy (a plan that existed before this migration).
ALTER TABLE interview_plans
  ADD COLUMN items            jsonb CHECK (items IS NULL OR (jsonb_typeof(items) = 'array' AND length(items::text) <= 40000)),
  ADD COLUMN status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
  ADD COLUMN source           text NOT NULL DEFAULT 'recruiter' CHECK (source IN ('recruiter', 'ai', 'legacy')),
  ADD COLUMN criteria_version integer,
  ADD COLUMN draft_model      text CHECK (length(draft_model) <= 128),
  ADD COLUMN draft_seed       integer,
  ADD COLUMN approved_at      timestamptz,
  ADD COLUMN approved_by      uuid REFERENCES users(id) ON DELETE SET NULL;

-- Each invite keeps the criterion and anchor of every question it was sent with, so a
-- later plan edit does not change how an already-held interview is scored.
ALTER TABLE interviews ADD COLUMN rubric jsonb CHECK (rubric IS NULL OR jsonb_typeof(rubric) = 'array');

-- Existing plans were saved by a recruiter and invites already went out from them: they
-- stay usable (approved, source legacy, no criterion mapping) until someone edits them.
-- Jobs that already sent invites without a stored plan get one from their latest
-- interview's questions, so inviting there keeps working after the upgrade. Every other
-- job needs a drafted (or typed) plan approved before its first invite.
-- FORCE RLS also binds the owner; the backfill spans all orgs, so it is lifted for it.
ALTER TABLE interview_plans NO FORCE ROW LEVEL SECURITY;
ALTER TABLE interviews NO FORCE ROW LEVEL SECURITY;
UPDATE interview_plans
   SET status = 'approved', source = 'legacy', approved_at = updated_at,
       items = (SELECT coalesce(jsonb_agg(jsonb_build_object('text', q, 'criterion', NULL, 'anchor', NULL) ORDER BY n), '[]'::jsonb)
                  FROM jsonb_array_elements_text(questions) WITH ORDINALITY AS e(q, n));
INSERT INTO interview_plans (job_id, org_id, questions, max_duration_seconds, language, items, status, source, approved_at)
SELECT DISTINCT ON (i.job_id) i.job_id, i.org_id, i.questions, i.max_duration_seconds, i.language,
       (SELECT coalesce(jsonb_agg(jsonb_build_object('text', q, 'criterion', NULL, 'anchor', NULL) ORDER BY n), '[]'::jsonb)
          FROM jsonb_array_elements_text(i.questions) WITH ORDINALITY AS e(q, n)),
       'approved', 'legacy', now()
  FROM interviews i
 WHERE NOT EXISTS (SELECT 1 FROM interview_plans p WHERE p.job_id = i.job_id)
 ORDER BY i.job_id, i.created_at DESC
ON CONFLICT (job_id) DO NOTHING;
ALTER TABLE interview_plans FORCE ROW LEVEL SECURITY;
ALTER TABLE interviews FORCE ROW LEVEL SECURITY;

CREATE INDEX interview_plans_org_status_idx ON interview_plans (org_id, status);
