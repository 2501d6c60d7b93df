-- issue 20 item 1: API tokens per org. A token belongs to one member of one org and
-- carries a subset of the permission matrix (scopes); at use time it grants only
-- scopes ∩ the owner's current role. Only the SHA-256 of the whole token string is
-- stored; the short random prefix is kept in clear so people can tell tokens apart
-- (hbx_<prefix>_<secret>).
--
-- The table is a tenant table (FORCE RLS). A request carrying a bearer token does not
-- know its org yet, so one SECURITY DEFINER function maps a hash to its org id and
-- nothing else (the pattern of contest links, 0016, and re-submissions, 0033); every
-- other read and write happens under that org's RLS context. Offboarding orgs resolve
-- nothing.
CREATE TABLE api_tokens (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix        text NOT NULL UNIQUE CHECK (prefix ~ '^[0-9a-f]{12}$'),
  secret_hash   bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
  scopes        text[] NOT NULL CHECK (cardinality(scopes) BETWEEN 1 AND 64),
  created_by    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  revoked_by    uuid REFERENCES users(id) ON DELETE SET NULL,
  last_used_at  timestamptz,
  last_used_ip  text,
  CHECK (expires_at > created_at AND expires_at <= created_at + interval '366 days')
);
CREATE INDEX api_tokens_org_user_idx ON api_tokens (org_id, user_id, created_at);
CREATE INDEX api_tokens_user_fk_idx ON api_tokens (user_id);
CREATE INDEX api_tokens_created_by_fk_idx ON api_tokens (created_by);
CREATE INDEX api_tokens_revoked_by_fk_idx ON api_tokens (revoked_by);
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY api_tokens_tenant ON api_tokens
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
CREATE POLICY api_tokens_owner_lookup ON api_tokens FOR SELECT TO hirebox_owner USING (true);

CREATE FUNCTION api_token_org(secret_hash bytea) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT t.org_id FROM public.api_tokens t JOIN public.orgs o ON o.id = t.org_id
         WHERE t.secret_hash = api_token_org.secret_hash AND o.offboarding_started_at IS NULL $$;
REVOKE ALL ON FUNCTION api_token_org(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_token_org(bytea) TO hirebox_app;

-- Every use of a token is attributed to it in the org's audit chain (actor 'token', the
-- token id; metadata names the owner).
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_type_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_type_check CHECK (actor_type IN ('user', 'system', 'candidate', 'anonymous', 'token'));
