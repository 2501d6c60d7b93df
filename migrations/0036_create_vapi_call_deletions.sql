-- issue 18, items 1, 2 and 8: deletion that reaches Vapi, recordings held on the box, and
-- the interview model recorded with every interview.
--
-- vapi_call_deletions: one row per Vapi call hirebox must delete at Vapi (erasure,
-- retention, org offboarding, or after its recording was stored / its transcript taken).
-- It holds ids and times only (no personal data), is written in the same transaction as
-- the erasure that destroys the candidate's rows and key, and so lets the vapi-delete job
-- go on after those rows are gone and after Redis loses the job (the worker's sweep
-- re-enqueues every row not confirmed yet, through the SECURITY DEFINER function below).
-- A row is confirmed when a GET /call/:id after the DELETE answers 404. Offboarding keeps
-- these rows with the org's tombstone (KEPT_TABLES) so pending deletions still finish.
CREATE TABLE vapi_call_deletions (
  org_id           uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  call_id          text NOT NULL CHECK (length(call_id) BETWEEN 1 AND 128),
  reason           text NOT NULL CHECK (reason IN ('erasure', 'retention', 'offboarding', 'recording_stored', 'no_recording')),
  requested_at     timestamptz NOT NULL DEFAULT now(),
  attempts         integer NOT NULL DEFAULT 0,
  last_attempt_at  timestamptz,
  last_error       text CHECK (length(last_error) <= 200),
  alerted_at       timestamptz,
  confirmed_at     timestamptz,
  PRIMARY KEY (org_id, call_id)
);
CREATE INDEX vapi_call_deletions_pending_idx ON vapi_call_deletions (requested_at) WHERE confirmed_at IS NULL;
ALTER TABLE vapi_call_deletions ENABLE ROW LEVEL SECURITY;
ALTER TABLE vapi_call_deletions FORCE ROW LEVEL SECURITY;
CREATE POLICY vapi_call_deletions_tenant ON vapi_call_deletions
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
CREATE POLICY vapi_call_deletions_owner_sweep ON vapi_call_deletions FOR SELECT TO hirebox_owner USING (true);

-- The sweep's input: pending deletions of every org, oldest first (ids only).
CREATE FUNCTION vapi_call_deletions_pending(max_rows integer) RETURNS TABLE (org_id uuid, call_id text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT d.org_id, d.call_id FROM public.vapi_call_deletions d
         WHERE d.confirmed_at IS NULL ORDER BY d.requested_at LIMIT max_rows $$;
REVOKE ALL ON FUNCTION vapi_call_deletions_pending(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vapi_call_deletions_pending(integer) TO hirebox_app;

-- Recordings fetched from Vapi (with the candidate's recording consent), sealed with the
-- candidate key (AAD bound to the interview row), like CVs in document_blobs. Erasure
-- deletes the row and destroys the key.
CREATE TABLE interview_recordings (
  interview_id  uuid PRIMARY KEY REFERENCES interviews(id) ON DELETE CASCADE,
  org_id        uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  call_id       text NOT NULL CHECK (length(call_id) BETWEEN 1 AND 128),
  content_type  text NOT NULL CHECK (content_type IN ('audio/wav', 'audio/mpeg', 'audio/ogg', 'audio/webm', 'audio/mp4')),
  size_bytes    integer NOT NULL CHECK (size_bytes > 0),
  bytes_enc     bytea NOT NULL,
  stored_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interview_recordings_org_idx ON interview_recordings (org_id);
ALTER TABLE interview_recordings ALTER COLUMN bytes_enc SET STORAGE EXTERNAL;
ALTER TABLE interview_recordings ENABLE ROW LEVEL SECURITY;
ALTER TABLE interview_recordings FORCE ROW LEVEL SECURITY;
CREATE POLICY interview_recordings_tenant ON interview_recordings
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- The voice assistant's language model: an org may override the operator's default
-- (VAPI_ASSISTANT_MODEL_PROVIDER / VAPI_ASSISTANT_MODEL); each interview records the one
-- its call was placed with (null when the org uses its own Vapi assistant).
ALTER TABLE interview_settings
  ADD COLUMN assistant_model_provider text CHECK (assistant_model_provider ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
  ADD COLUMN assistant_model          text CHECK (assistant_model ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$');
ALTER TABLE interviews
  ADD COLUMN assistant_model_provider text CHECK (length(assistant_model_provider) <= 40),
  ADD COLUMN assistant_model          text CHECK (length(assistant_model) <= 100);
