-- Issue 22 item 2: the candidate status page. A candidate signs in without an account
-- through a magic link mailed to the address on file (on apply and on request). Links and
-- sessions are stored only as the SHA-256 of their random token; a link is single use and
-- short-lived, a session shorter still. Both belong to one candidate of one org (RLS), so
-- a token of org A finds nothing under org B's URL. An erasure deletes them.
CREATE TABLE portal_links (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  candidate_id  uuid NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
  token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  -- Why it was mailed: after an application ('apply') or asked for on the portal ('request').
  reason        text NOT NULL CHECK (reason IN ('apply', 'request')),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portal_links_candidate_idx ON portal_links (org_id, candidate_id, created_at);
CREATE INDEX portal_links_candidate_fk_idx ON portal_links (candidate_id);
ALTER TABLE portal_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_links FORCE ROW LEVEL SECURITY;
CREATE POLICY portal_links_tenant ON portal_links
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

CREATE TABLE portal_sessions (
  id            uuid PRIMARY KEY,
  org_id        uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  candidate_id  uuid NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
  link_id       uuid REFERENCES portal_links (id) ON DELETE SET NULL,
  token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX portal_sessions_candidate_idx ON portal_sessions (org_id, candidate_id);
CREATE INDEX portal_sessions_candidate_fk_idx ON portal_sessions (candidate_id);
CREATE INDEX portal_sessions_link_idx ON portal_sessions (link_id) WHERE link_id IS NOT NULL;
ALTER TABLE portal_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE portal_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY portal_sessions_tenant ON portal_sessions
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- A candidate can ask for a human review of an automated step (GDPR Art. 22(3)) from the
-- status page: it is entered in the privacy-request register like any other request.
ALTER TABLE privacy_requests DROP CONSTRAINT privacy_requests_type_check;
ALTER TABLE privacy_requests ADD CONSTRAINT privacy_requests_type_check
  CHECK (type IN ('access', 'erasure', 'rectification', 'objection', 'restriction', 'human_review'));
