-- Hiring core: encryption keys, pipelines, jobs, candidates, applications, timeline,
-- notes, decisions, CV documents and their encrypted bytes, demographics, message
-- templates and messages. Every table is a tenant table: org_id + FORCE RLS + policy.
-- Columns ending in _enc hold AES-256-GCM ciphertexts (server/core/crypto.ts) whose AAD
-- binds org, table, column and row id.

-- Org keys, wrapped by the master key. One per org.
CREATE TABLE org_keys (
  org_id       uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  wrapped_key  bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Pipeline stages: job_id NULL = the org's default pipeline; a job may have its own.
-- Each stage maps to a fixed kind the system understands.
CREATE TABLE pipeline_stages (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  job_id      uuid,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  kind        text NOT NULL CHECK (kind IN ('new', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn')),
  position    integer NOT NULL CHECK (position >= 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pipeline_stages_org_job_idx ON pipeline_stages (org_id, job_id, position);

CREATE TABLE jobs (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id               uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  slug                 text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$'),
  title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description          text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  location             text NOT NULL DEFAULT '' CHECK (length(location) <= 200),
  employment_type      text NOT NULL CHECK (employment_type IN ('full_time', 'part_time', 'contract', 'temporary', 'internship')),
  status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
  criteria             jsonb NOT NULL DEFAULT '[]'::jsonb,
  criteria_version     integer NOT NULL DEFAULT 1,
  interview_questions  jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by           uuid,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  published_at         timestamptz,
  UNIQUE (org_id, slug)
);
CREATE INDEX jobs_org_created_idx ON jobs (org_id, created_at DESC, id DESC);
ALTER TABLE pipeline_stages ADD CONSTRAINT pipeline_stages_job_fk FOREIGN KEY (job_id) REFERENCES jobs(id) ON DELETE CASCADE;

CREATE TABLE job_assignments (
  org_id      uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  job_id      uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, job_id, user_id)
);
CREATE INDEX job_assignments_user_idx ON job_assignments (org_id, user_id);
CREATE INDEX job_assignments_job_idx ON job_assignments (job_id);

-- Candidates: PII only as ciphertext; email lookup through a keyed HMAC blind index.
CREATE TABLE candidates (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id       uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  email_index  bytea NOT NULL,
  name_enc     bytea NOT NULL,
  email_enc    bytea NOT NULL,
  phone_enc    bytea,
  location_enc bytea,
  links_enc    bytea,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, email_index)
);

-- Candidate keys, wrapped by the org key. wrapped_key NULL = destroyed (crypto-shredded).
CREATE TABLE candidate_keys (
  -- Deferred: the key is created (and the PII sealed with it) before the candidate row.
  candidate_id  uuid PRIMARY KEY REFERENCES candidates(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  org_id        uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  wrapped_key   bytea,
  created_at    timestamptz NOT NULL DEFAULT now(),
  destroyed_at  timestamptz,
  CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
CREATE INDEX candidate_keys_org_idx ON candidate_keys (org_id);

CREATE TABLE applications (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id                  uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  job_id                  uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  candidate_id            uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
  stage_id                uuid NOT NULL REFERENCES pipeline_stages(id),
  stage_kind              text NOT NULL CHECK (stage_kind IN ('new', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn')),
  source                  text NOT NULL CHECK (source IN ('public', 'upload')),
  tags                    text[] NOT NULL DEFAULT '{}',
  consent_notice_version  text,
  consented_at            timestamptz,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, job_id, candidate_id)
);
CREATE INDEX applications_org_job_idx ON applications (org_id, job_id, created_at DESC, id DESC);
CREATE INDEX applications_candidate_idx ON applications (candidate_id);
CREATE INDEX applications_stage_idx ON applications (stage_id);

-- Timeline: what happened to an application. data holds ids and enums, never PII.
CREATE TABLE application_events (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id  uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  type            text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_.]{1,63}$'),
  actor_type      text NOT NULL CHECK (actor_type IN ('user', 'system', 'candidate')),
  actor_id        uuid,
  data            jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX application_events_app_idx ON application_events (org_id, application_id, created_at);

-- Notes (recruiters) and feedback (hiring managers); the text is encrypted.
CREATE TABLE application_notes (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id  uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  author_id       uuid NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('note', 'feedback')),
  rating          smallint CHECK (rating BETWEEN 1 AND 5),
  body_enc        bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_notes_app_idx ON application_notes (org_id, application_id, created_at);

-- Human decisions: who, when, outcome, reason, and whether it followed the AI.
CREATE TABLE decisions (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id  uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  decided_by      uuid NOT NULL,
  outcome         text NOT NULL CHECK (outcome IN ('advance', 'reject', 'hire', 'hold')),
  reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  followed_ai     boolean,
  from_stage_id   uuid,
  to_stage_id     uuid,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_app_idx ON decisions (org_id, application_id, created_at);

-- CV documents. sha256 is of the original bytes (duplicate detection); the bytes live
-- encrypted in document_blobs (server/core/storage.ts), the extracted text in text_enc.
CREATE TABLE documents (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  candidate_id    uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
  application_id  uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  kind            text NOT NULL DEFAULT 'cv' CHECK (kind IN ('cv')),
  media_type      text NOT NULL CHECK (media_type IN ('application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'text/plain')),
  size_bytes      integer NOT NULL CHECK (size_bytes > 0),
  sha256          bytea NOT NULL,
  filename_enc    bytea,
  parse_status    text NOT NULL DEFAULT 'pending' CHECK (parse_status IN ('pending', 'parsed', 'needs_manual_review', 'failed')),
  parse_error     text,
  parse_attempts  integer NOT NULL DEFAULT 0,
  text_enc        bytea,
  text_chars      integer,
  parsed_at       timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, candidate_id, sha256)
);
CREATE INDEX documents_application_idx ON documents (org_id, application_id);
CREATE INDEX documents_candidate_idx ON documents (candidate_id);
CREATE INDEX documents_sha_idx ON documents (org_id, sha256);

CREATE TABLE document_blobs (
  document_id  uuid PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  org_id       uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  bytes_enc    bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_blobs_org_idx ON document_blobs (org_id);
-- CVs are already compressed or encrypted: skip TOAST compression attempts.
ALTER TABLE document_blobs ALTER COLUMN bytes_enc SET STORAGE EXTERNAL;

-- Voluntary self-identified demographics: separate table, encrypted, never shown to
-- screeners or sent to a model.
CREATE TABLE demographics (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id  uuid NOT NULL UNIQUE REFERENCES applications(id) ON DELETE CASCADE,
  data_enc        bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX demographics_org_idx ON demographics (org_id);

-- Message templates (per org) and messages sent to candidates (bodies encrypted).
CREATE TABLE message_templates (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('application_received', 'interview_invite', 'rejection', 'generic')),
  subject     text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  uuid,
  UNIQUE (org_id, kind)
);

CREATE TABLE messages (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id  uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  template_kind   text NOT NULL,
  subject_enc     bytea NOT NULL,
  body_enc        bytea NOT NULL,
  sent_by         uuid,
  status          text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'failed')),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_app_idx ON messages (org_id, application_id, created_at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['org_keys', 'pipeline_stages', 'jobs', 'job_assignments', 'candidates', 'candidate_keys',
    'applications', 'application_events', 'application_notes', 'decisions', 'documents', 'document_blobs',
    'demographics', 'message_templates', 'messages']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org())', t || '_tenant', t);
  END LOOP;
END $$;

-- Org keys are created once and never rewritten by the app (rotation is an owner task).
REVOKE UPDATE, DELETE, TRUNCATE ON org_keys FROM hirebox_app;
