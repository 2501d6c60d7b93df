-- AI screening: per-org AI settings (pause switch, model, monthly token budget,
-- concurrency), monthly token usage, screenings (one per application x document x
-- criteria version x generation, history kept) and every AI run (model, prompt version,
-- input hash, latency, tokens, provider request id). Evidence, reasoning, the redaction
-- map and raw responses are ciphertexts under the candidate's key (*_enc).

CREATE TABLE ai_settings (
  org_id               uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  paused               boolean NOT NULL DEFAULT false,
  paused_reason        text CHECK (length(paused_reason) <= 500),
  model                text CHECK (length(model) BETWEEN 1 AND 100),
  monthly_token_budget bigint CHECK (monthly_token_budget >= 0),
  concurrency          integer NOT NULL DEFAULT 4 CHECK (concurrency BETWEEN 1 AND 100),
  updated_by           uuid,
  updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ai_usage (
  org_id         uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  month          date NOT NULL CHECK (extract(day FROM month) = 1),
  input_tokens   bigint NOT NULL DEFAULT 0,
  output_tokens  bigint NOT NULL DEFAULT 0,
  runs           integer NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, month)
);

CREATE TABLE screenings (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id                uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id        uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  job_id                uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  document_id           uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  criteria_version      integer NOT NULL,
  generation            integer NOT NULL DEFAULT 1 CHECK (generation >= 1),
  status                text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'waiting', 'completed', 'failed')),
  status_reason         text CHECK (length(status_reason) <= 500),
  provider              text CHECK (provider IN ('openai', 'simulated')),
  model                 text,
  prompt_version        text,
  input_hash            text,
  recommendation        text CHECK (recommendation IN ('advance', 'review', 'not_advance')),
  model_recommendation  text CHECK (model_recommendation IN ('advance', 'review', 'not_advance')),
  overall_score         integer CHECK (overall_score BETWEEN 0 AND 100),
  scores                jsonb NOT NULL DEFAULT '{}'::jsonb,
  flags                 text[] NOT NULL DEFAULT '{}',
  injection_kinds       text[] NOT NULL DEFAULT '{}',
  redaction_counts      jsonb NOT NULL DEFAULT '{}'::jsonb,
  result_enc            bytea,
  redaction_map_enc     bytea,
  raw_response_enc      bytea,
  input_tokens          integer NOT NULL DEFAULT 0,
  output_tokens         integer NOT NULL DEFAULT 0,
  attempts              integer NOT NULL DEFAULT 0,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  completed_at          timestamptz,
  UNIQUE (org_id, application_id, document_id, criteria_version, generation)
);
CREATE INDEX screenings_app_idx ON screenings (org_id, application_id, created_at DESC);
CREATE INDEX screenings_job_idx ON screenings (org_id, job_id);
CREATE INDEX screenings_document_idx ON screenings (org_id, document_id);
CREATE INDEX screenings_application_fk_idx ON screenings (application_id);
CREATE INDEX screenings_job_fk_idx ON screenings (job_id);
CREATE INDEX screenings_document_fk_idx ON screenings (document_id);

CREATE TABLE ai_runs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  screening_id    uuid NOT NULL REFERENCES screenings(id) ON DELETE CASCADE,
  purpose         text NOT NULL DEFAULT 'cv_screening' CHECK (purpose IN ('cv_screening', 'stability')),
  provider        text NOT NULL CHECK (provider IN ('openai', 'simulated')),
  model           text NOT NULL,
  prompt_version  text NOT NULL,
  input_hash      text NOT NULL,
  outcome         text NOT NULL CHECK (outcome IN ('ok', 'invalid_json', 'schema_violation', 'refused', 'provider_error')),
  detail          text CHECK (length(detail) <= 500),
  output_enc      bytea,
  latency_ms      integer NOT NULL,
  input_tokens    integer NOT NULL DEFAULT 0,
  output_tokens   integer NOT NULL DEFAULT 0,
  http_attempts   integer NOT NULL DEFAULT 1,
  request_id      text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ai_runs_screening_idx ON ai_runs (org_id, screening_id, created_at);
CREATE INDEX ai_runs_screening_fk_idx ON ai_runs (screening_id);
CREATE INDEX ai_runs_org_created_idx ON ai_runs (org_id, created_at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ai_settings', 'ai_usage', 'screenings', 'ai_runs']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org())', t || '_tenant', t);
  END LOOP;
END $$;

-- AI runs are a record: the app may add them, never rewrite or remove them.
REVOKE UPDATE, DELETE, TRUNCATE ON ai_runs FROM hirebox_app;
