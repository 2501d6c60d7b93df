-- Voice interviews (Vapi): per-org webhook endpoints, the raw server messages they
-- accept, per-org interview settings, per-job interview plans and interviews.
-- Every table is a tenant table (org_id + FORCE RLS + policy). Columns ending in _enc
-- are AES-256-GCM ciphertexts (server/core/crypto.ts).
--
-- Two lookups happen before the tenant is known: a webhook arrives with only its hook id
-- in the URL, a candidate opens /i/:token with only the token. Rather than global tables,
-- each gets a SECURITY DEFINER function owned by hirebox_owner that returns nothing but
-- the org id. FORCE RLS applies to the owner too, so each table has one extra SELECT
-- policy for hirebox_owner (a NOLOGIN role only migrations assume); hirebox_app's view is
-- unchanged and it can only EXECUTE the functions.

CREATE TABLE webhook_endpoints (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),   -- the hook id in the URL
  org_id            uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  provider          text NOT NULL DEFAULT 'vapi' CHECK (provider IN ('vapi')),
  auth_mode         text NOT NULL CHECK (auth_mode IN ('hmac', 'bearer', 'x-vapi-secret')),
  secret_enc        bytea NOT NULL,                                -- sealed with the org key
  signature_header  text NOT NULL DEFAULT 'x-signature' CHECK (signature_header ~ '^[a-z0-9-]{1,64}$'),
  timestamp_header  text NOT NULL DEFAULT 'x-timestamp' CHECK (timestamp_header ~ '^[a-z0-9-]{1,64}$'),
  created_by        uuid,
  created_at        timestamptz NOT NULL DEFAULT now(),
  revoked_at        timestamptz
);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id, created_at);
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_endpoints_tenant ON webhook_endpoints
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
CREATE POLICY webhook_endpoints_owner_lookup ON webhook_endpoints FOR SELECT TO hirebox_owner USING (true);

CREATE FUNCTION webhook_endpoint_org(hook uuid) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT org_id FROM public.webhook_endpoints WHERE id = hook AND revoked_at IS NULL $$;
REVOKE ALL ON FUNCTION webhook_endpoint_org(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_endpoint_org(uuid) TO hirebox_app;

-- Accepted server messages, one row per (call, type, timestamp): a redelivery is a no-op.
-- The body (it may hold transcript text) is sealed with the org key and dropped once the
-- worker has processed it; the row stays as the idempotency record.
CREATE TABLE webhook_messages (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id        uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  endpoint_id   uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  call_id       text NOT NULL CHECK (length(call_id) BETWEEN 1 AND 128),
  message_type  text NOT NULL CHECK (message_type ~ '^[a-z][a-z0-9-]{0,63}$'),
  message_ts    bigint NOT NULL,
  body_enc      bytea,
  received_at   timestamptz NOT NULL DEFAULT now(),
  processed_at  timestamptz,
  outcome       text,
  UNIQUE (org_id, call_id, message_type, message_ts)
);
CREATE INDEX webhook_messages_endpoint_idx ON webhook_messages (endpoint_id);
CREATE INDEX webhook_messages_unprocessed_idx ON webhook_messages (org_id, received_at) WHERE processed_at IS NULL;
ALTER TABLE webhook_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_messages_tenant ON webhook_messages
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- Per-org Vapi settings: which assistant and phone number place interviews.
CREATE TABLE interview_settings (
  org_id                uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  vapi_assistant_id     text CHECK (length(vapi_assistant_id) <= 128),
  vapi_phone_number_id  text CHECK (length(vapi_phone_number_id) <= 128),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE interview_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE interview_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY interview_settings_tenant ON interview_settings
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- Per-job plan: questions (derived from the job, editable), duration and language.
CREATE TABLE interview_plans (
  job_id                uuid PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  org_id                uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  questions             jsonb NOT NULL DEFAULT '[]'::jsonb,
  max_duration_seconds  integer NOT NULL DEFAULT 900 CHECK (max_duration_seconds BETWEEN 60 AND 3600),
  language              text NOT NULL DEFAULT 'en' CHECK (language ~ '^[a-z]{2}(-[A-Z]{2})?$'),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interview_plans_org_idx ON interview_plans (org_id);
ALTER TABLE interview_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE interview_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY interview_plans_tenant ON interview_plans
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

CREATE TABLE interviews (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id                  uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  application_id          uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  job_id                  uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  candidate_id            uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
  status                  text NOT NULL DEFAULT 'invited' CHECK (status IN
                            ('invited', 'declined', 'human_requested', 'scheduled', 'calling', 'in_progress', 'ended', 'failed', 'cancelled')),
  mode                    text NOT NULL DEFAULT 'phone' CHECK (mode IN ('phone')),
  questions               jsonb NOT NULL,
  max_duration_seconds    integer NOT NULL,
  language                text NOT NULL,
  invite_token_hash       bytea NOT NULL UNIQUE,
  invite_expires_at       timestamptz NOT NULL,
  invite_revoked_at       timestamptz,
  invite_used_at          timestamptz,
  notice_version          text,
  consented_at            timestamptz,
  recording_consent       boolean,
  human_requested_at      timestamptz,
  declined_at             timestamptz,
  phone_enc               bytea,                 -- candidate key
  vapi_call_id            text,
  call_status             text,
  ended_reason            text,
  call_error              text,
  transcript_enc          bytea,                 -- candidate key
  recording_ref_enc       bytea,                 -- candidate key
  report_received_at      timestamptz,
  reconciled_at           timestamptz,
  created_by              uuid,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interviews_org_app_idx ON interviews (org_id, application_id, created_at);
CREATE INDEX interviews_job_idx ON interviews (job_id);
CREATE INDEX interviews_candidate_idx ON interviews (candidate_id);
CREATE UNIQUE INDEX interviews_call_idx ON interviews (org_id, vapi_call_id) WHERE vapi_call_id IS NOT NULL;
ALTER TABLE interviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE interviews FORCE ROW LEVEL SECURITY;
CREATE POLICY interviews_tenant ON interviews
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
CREATE POLICY interviews_owner_lookup ON interviews FOR SELECT TO hirebox_owner USING (true);

-- Only a live invite resolves; the hash is SHA-256 of the token, never the token.
CREATE FUNCTION interview_invite_org(token_hash bytea) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT org_id FROM public.interviews
         WHERE invite_token_hash = token_hash AND invite_revoked_at IS NULL AND invite_expires_at > now() $$;
REVOKE ALL ON FUNCTION interview_invite_org(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION interview_invite_org(bytea) TO hirebox_app;
