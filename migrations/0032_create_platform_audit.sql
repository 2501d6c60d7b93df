-- Platform audit chain and aggregated access denials (issue 14, finding H2 and the 403 flood).
--
-- Accounts span orgs, so some events concern no single org: a failed password for a
-- person in several orgs, an unknown email, an operator's action on an account. They go
-- to one platform-level chain, hash-chained and checkpointed like the org chains
-- (server/core/audit.ts), that only the operator reads (`hirebox audit verify`). The
-- tables are global (no org_id) and listed in server/core/tenancy.ts; the `chain` column
-- is always 'platform' and plays the part org_id plays in the org chain tables.
CREATE TABLE platform_audit_heads (
  chain      text PRIMARY KEY CHECK (chain = 'platform'),
  last_seq   bigint NOT NULL DEFAULT 0,
  last_hash  text NOT NULL
);

CREATE TABLE platform_audit_events (
  id           uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  chain        text NOT NULL CHECK (chain = 'platform'),
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
  PRIMARY KEY (chain, seq)
);
CREATE INDEX platform_audit_events_action_idx ON platform_audit_events (chain, action, seq);

CREATE TABLE platform_audit_checkpoints (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  chain       text NOT NULL CHECK (chain = 'platform'),
  seq         bigint NOT NULL,
  hash        text NOT NULL,
  signed_at   timestamptz NOT NULL,
  key_id      text NOT NULL,
  signature   text NOT NULL,
  UNIQUE (chain, seq)
);

-- Append-only like the org chain (audit_reject_change comes from 0001).
CREATE TRIGGER platform_audit_events_append_only BEFORE UPDATE OR DELETE ON platform_audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER platform_audit_events_no_truncate BEFORE TRUNCATE ON platform_audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER platform_audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON platform_audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER platform_audit_checkpoints_no_truncate BEFORE TRUNCATE ON platform_audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
REVOKE UPDATE, DELETE, TRUNCATE ON platform_audit_events, platform_audit_checkpoints FROM hirebox_app;
REVOKE DELETE, TRUNCATE ON platform_audit_heads FROM hirebox_app;

-- Repeated 403s (server/modules/audit/denials.ts): one row per member, permission, route
-- and time window. The first denial of a window is an audit event; later ones only count
-- here, and one summary event per window records the count, so a flood of 403s writes a
-- bounded number of audit events. Rows are deleted once their window is summarised.
CREATE TABLE access_denials (
  org_id        uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  permission    text NOT NULL CHECK (length(permission) BETWEEN 1 AND 100),
  route         text NOT NULL CHECK (length(route) BETWEEN 1 AND 300),
  window_start  timestamptz NOT NULL,
  denied        integer NOT NULL DEFAULT 1 CHECK (denied > 0),
  first_at      timestamptz NOT NULL,
  last_at       timestamptz NOT NULL,
  PRIMARY KEY (org_id, user_id, permission, route, window_start)
);
CREATE INDEX access_denials_window_idx ON access_denials (org_id, window_start);
CREATE INDEX access_denials_user_id_idx ON access_denials (user_id);
ALTER TABLE access_denials ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_denials FORCE ROW LEVEL SECURITY;
CREATE POLICY access_denials_tenant ON access_denials
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
