-- issue 14 (M2): an unauthenticated re-submission to an existing application is held here
-- until the candidate confirms it through a link mailed to the address on file. Until then
-- it changes nothing on the application: no document, no parse, no screening, no consent
-- update. The file is sealed with the candidate's key (AAD org|application_resubmissions|
-- bytes_enc|id) and dropped (bytes_enc NULL) once the submission is confirmed (it becomes a
-- document) or expires. The confirmation token is random; only its SHA-256 is stored.
CREATE TABLE application_resubmissions (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id  uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'expired')),
  media_type      text NOT NULL CHECK (media_type IN ('application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'text/plain')),
  size_bytes      integer NOT NULL CHECK (size_bytes > 0),
  sha256          bytea NOT NULL CHECK (length(sha256) = 32),
  filename_enc    bytea,
  bytes_enc       bytea,
  notice_version  text,
  expires_at      timestamptz NOT NULL,
  confirmed_at    timestamptz,
  document_id     uuid REFERENCES documents(id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- Only a pending submission holds the file.
  CHECK ((status = 'pending') = (bytes_enc IS NOT NULL))
);
CREATE INDEX application_resubmissions_org_app_idx ON application_resubmissions (org_id, application_id, created_at);
CREATE INDEX application_resubmissions_application_fk_idx ON application_resubmissions (application_id);
CREATE INDEX application_resubmissions_document_fk_idx ON application_resubmissions (document_id);
CREATE INDEX application_resubmissions_pending_idx ON application_resubmissions (org_id, expires_at) WHERE status = 'pending';
-- Files are already compressed or encrypted: skip TOAST compression attempts.
ALTER TABLE application_resubmissions ALTER COLUMN bytes_enc SET STORAGE EXTERNAL;
ALTER TABLE application_resubmissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_resubmissions FORCE ROW LEVEL SECURITY;
CREATE POLICY application_resubmissions_tenant ON application_resubmissions
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
CREATE POLICY application_resubmissions_owner_lookup ON application_resubmissions FOR SELECT TO hirebox_owner USING (true);

-- The org of a confirmation token's hash (any state, so the page can say "expired" or
-- "already used"), nothing else; everything else is read under that org's RLS context.
-- Orgs being offboarded resolve nothing (as contest links, 0028).
CREATE FUNCTION application_resubmission_org(token_hash bytea) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT r.org_id FROM public.application_resubmissions r JOIN public.orgs o ON o.id = r.org_id
         WHERE r.token_hash = application_resubmission_org.token_hash AND o.offboarding_started_at IS NULL $$;
REVOKE ALL ON FUNCTION application_resubmission_org(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION application_resubmission_org(bytea) TO hirebox_app;
