-- Platform foundation: orgs, users, memberships, sessions, one-time tokens and the
-- hash-chained audit log. Runs as role hirebox_owner (see server/core/migrate.ts).

-- Tenant context. An unset or empty setting means "no tenant": policies compare with
-- NULL and match nothing, so queries outside withTenant see and write no tenant rows.
CREATE FUNCTION app_current_org() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT NULLIF(current_setting('app.org_id', true), '')::uuid $$;

CREATE FUNCTION app_current_user() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

-- Global (cross-tenant) tables. The full list lives in server/core/tenancy.ts.
CREATE TABLE orgs (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email          text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  display_name   text,
  password_hash  text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  disabled_at    timestamptz
);

-- Sessions are bound to one org at a time (active_org_id) but are looked up by token
-- before any tenant is known, so they are global; only the SHA-256 of the token is kept.
CREATE TABLE sessions (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash       bytea NOT NULL UNIQUE,
  user_id          uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  active_org_id    uuid REFERENCES orgs(id) ON DELETE SET NULL,
  -- The role in active_org_id when the session was issued; a role change revokes it.
  role             text CHECK (role IN ('admin', 'recruiter', 'hiring_manager', 'auditor')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_seen_at     timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  mfa_verified_at  timestamptz,
  revoked_at       timestamptz,
  ip               inet,
  user_agent       text
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_active_org_id_idx ON sessions (active_org_id);

CREATE TABLE user_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose     text NOT NULL CHECK (purpose IN ('setup', 'reset')),
  token_hash  bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX user_tokens_user_id_idx ON user_tokens (user_id);

-- Tenant tables.
CREATE TABLE memberships (
  org_id      uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('admin', 'recruiter', 'hiring_manager', 'auditor')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_tenant ON memberships
  USING (org_id = app_current_org())
  WITH CHECK (org_id = app_current_org());
-- A signed-in user may list their own memberships across orgs (org switcher, sign-in).
CREATE POLICY memberships_own_read ON memberships FOR SELECT
  USING (user_id = app_current_user());

-- Audit log: one hash chain per org. audit_heads holds each chain's tip; writers lock
-- that row, so concurrent writers of one org queue up and the chain cannot fork.
CREATE TABLE audit_heads (
  org_id     uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  last_seq   bigint NOT NULL DEFAULT 0,
  last_hash  text NOT NULL
);
ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_heads_tenant ON audit_heads
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

CREATE TABLE audit_events (
  id           uuid NOT NULL DEFAULT gen_random_uuid(),
  org_id       uuid NOT NULL REFERENCES orgs(id),
  seq          bigint NOT NULL CHECK (seq > 0),
  occurred_at  timestamptz NOT NULL,
  actor_type   text NOT NULL CHECK (actor_type IN ('user', 'system', 'candidate', 'anonymous')),
  actor_id     text,
  action       text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{1,99}$'),
  target_type  text,
  target_id    text,
  metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id   text,
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  PRIMARY KEY (org_id, seq),
  UNIQUE (id)
);
CREATE INDEX audit_events_org_action_idx ON audit_events (org_id, action, seq);
CREATE INDEX audit_events_org_occurred_idx ON audit_events (org_id, occurred_at);
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_tenant ON audit_events
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

CREATE TABLE audit_checkpoints (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES orgs(id),
  seq         bigint NOT NULL,
  hash        text NOT NULL,
  signed_at   timestamptz NOT NULL,
  key_id      text NOT NULL,
  signature   text NOT NULL,
  UNIQUE (org_id, seq)
);
ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_checkpoints_tenant ON audit_checkpoints
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- Append-only, even for the owner: rows cannot be changed, removed or truncated.
CREATE FUNCTION audit_reject_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();

-- The app role gets SELECT/INSERT/UPDATE/DELETE on every table by default privileges
-- (see migrate.ts); the audit log is narrowed to INSERT and SELECT.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_checkpoints FROM hirebox_app;
