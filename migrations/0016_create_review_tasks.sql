-- Oversight of AI-assisted outcomes (issue 6 items 7-9): contest links a candidate uses to
-- contest an outcome, the human review tasks a contest opens, and the record of explicit
-- rescreen requests on screenings.
--
-- A contest link is a random single-purpose token for one application: only its SHA-256
-- is stored, it expires, and it works once. The public page resolves the token's org
-- through a SECURITY DEFINER function that returns nothing but the org id (as for
-- interview invites); everything else is read under that org's RLS context.

CREATE TABLE contest_links (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id  uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  expires_at      timestamptz NOT NULL,
  used_at         timestamptz,
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contest_links_org_app_idx ON contest_links (org_id, application_id, created_at);
CREATE INDEX contest_links_application_fk_idx ON contest_links (application_id);
ALTER TABLE contest_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE contest_links FORCE ROW LEVEL SECURITY;
CREATE POLICY contest_links_tenant ON contest_links
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
CREATE POLICY contest_links_owner_lookup ON contest_links FOR SELECT TO hirebox_owner USING (true);

-- Any known token resolves (expired and used ones too), so the page can say "expired" or
-- "already used" instead of "unknown"; the service checks expiry and use under RLS.
CREATE FUNCTION contest_link_org(token_hash bytea) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT org_id FROM public.contest_links WHERE contest_links.token_hash = contest_link_org.token_hash $$;
REVOKE ALL ON FUNCTION contest_link_org(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION contest_link_org(bytea) TO hirebox_app;

-- A human review task on an application. The candidate's (or recruiter-relayed) reason and
-- the resolution note are sealed with the candidate's key (AAD org|review_tasks|column|id).
-- At most one open contest per application.
CREATE TABLE review_tasks (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id               uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id       uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  kind                 text NOT NULL DEFAULT 'contest' CHECK (kind IN ('contest')),
  opened_via           text NOT NULL CHECK (opened_via IN ('candidate_link', 'recruiter')),
  contest_link_id      uuid REFERENCES contest_links(id) ON DELETE SET NULL,
  opened_by            uuid,
  reason_enc           bytea NOT NULL,
  status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  resolution           text CHECK (resolution IN ('upheld', 'changed')),
  resolution_note_enc  bytea,
  resolved_by          uuid,
  resolved_at          timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'open') = (resolved_at IS NULL)),
  CHECK ((status = 'open') = (resolution IS NULL))
);
CREATE INDEX review_tasks_org_status_idx ON review_tasks (org_id, status, created_at);
CREATE INDEX review_tasks_application_fk_idx ON review_tasks (application_id);
CREATE INDEX review_tasks_contest_link_fk_idx ON review_tasks (contest_link_id);
CREATE UNIQUE INDEX review_tasks_one_open_contest_idx ON review_tasks (org_id, application_id) WHERE status = 'open' AND kind = 'contest';
ALTER TABLE review_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY review_tasks_tenant ON review_tasks
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- Who asked for a rescreen (null for the automatic first screening).
ALTER TABLE screenings ADD COLUMN requested_by uuid;
