-- Sign-in: TOTP MFA, recovery codes, invitations and resets, per-org auth policy, SSO.

ALTER TABLE users
  ADD COLUMN totp_secret_enc         bytea,        -- sealed with a key derived from the master key
  ADD COLUMN totp_pending_secret_enc bytea,        -- during enrolment, until a code confirms it
  ADD COLUMN totp_enabled_at         timestamptz,
  ADD COLUMN totp_last_step          bigint,       -- the last accepted time step: replays are refused
  ADD COLUMN password_changed_at     timestamptz;

-- Recovery codes are per user (global), single use, stored as SHA-256 of a 128-bit code.
CREATE TABLE recovery_codes (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash   bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  used_at     timestamptz
);
CREATE INDEX recovery_codes_user_id_idx ON recovery_codes (user_id);

-- One-time links (setup, reset, invite) are looked up by token hash before any tenant is
-- known, so they stay global; an invite names its org in invite_org_id.
ALTER TABLE user_tokens
  ALTER COLUMN user_id DROP NOT NULL,
  ADD COLUMN email          text,
  ADD COLUMN invite_org_id  uuid REFERENCES orgs(id) ON DELETE CASCADE,
  ADD COLUMN invite_role    text CHECK (invite_role IN ('admin', 'recruiter', 'hiring_manager', 'auditor')),
  ADD COLUMN created_by     uuid REFERENCES users(id) ON DELETE SET NULL,
  ADD COLUMN revoked_at     timestamptz,
  DROP CONSTRAINT user_tokens_purpose_check,
  ADD CONSTRAINT user_tokens_purpose_check CHECK (purpose IN ('setup', 'reset', 'invite')),
  ADD CONSTRAINT user_tokens_invite_shape CHECK (
    (purpose = 'invite' AND invite_org_id IS NOT NULL AND invite_role IS NOT NULL AND email IS NOT NULL)
    OR (purpose <> 'invite' AND user_id IS NOT NULL));
CREATE INDEX user_tokens_invite_org_idx ON user_tokens (invite_org_id);
CREATE INDEX user_tokens_created_by_idx ON user_tokens (created_by);

-- The session's own idle limit (from its org's policy when it was issued) and the time
-- of the last password or MFA proof, for step-up checks.
ALTER TABLE sessions
  ADD COLUMN idle_timeout_seconds integer NOT NULL DEFAULT 1800 CHECK (idle_timeout_seconds BETWEEN 60 AND 1800),
  ADD COLUMN reauthenticated_at   timestamptz;

-- Per-org sign-in policy and OIDC SSO configuration (tenant table).
CREATE TABLE org_auth_settings (
  org_id                   uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  session_idle_seconds     integer NOT NULL DEFAULT 1800 CHECK (session_idle_seconds BETWEEN 60 AND 1800),
  session_absolute_seconds integer NOT NULL DEFAULT 43200 CHECK (session_absolute_seconds BETWEEN 300 AND 43200),
  sso_issuer               text,
  sso_client_id            text,
  sso_client_secret_enc    bytea,
  sso_allowed_domains      text[] NOT NULL DEFAULT '{}',
  sso_default_role         text NOT NULL DEFAULT 'recruiter' CHECK (sso_default_role IN ('recruiter', 'hiring_manager', 'auditor')),
  sso_required             boolean NOT NULL DEFAULT false,
  sso_trust_idp_mfa        boolean NOT NULL DEFAULT false,
  break_glass_user_id      uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX org_auth_settings_break_glass_idx ON org_auth_settings (break_glass_user_id);
ALTER TABLE org_auth_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_auth_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY org_auth_settings_tenant ON org_auth_settings
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
