-- Org alerts (DESIGN §9): where an org's security alerts go (e-mail addresses and/or a
-- signed webhook) and the alerts raised, with their delivery state per channel. Alert rows
-- hold a kind, a severity and a summary written by hirebox itself: never candidate PII.
CREATE TABLE org_alert_settings (
  org_id uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  emails text[] NOT NULL DEFAULT '{}',
  webhook_url text,
  -- Sealed with the org key (AAD org_alert_settings/webhook_secret/<org_id>).
  webhook_secret_enc bytea,
  kinds text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (cardinality(emails) <= 5)
);
ALTER TABLE org_alert_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_alert_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY org_alert_settings_tenant ON org_alert_settings
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

CREATE TABLE alerts (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  kind text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  summary text NOT NULL CHECK (length(summary) <= 500),
  details jsonb NOT NULL DEFAULT '{}',
  -- Later alerts of the same kind within the throttle window are counted here, not sent.
  suppressed integer NOT NULL DEFAULT 0,
  email_status text NOT NULL CHECK (email_status IN ('pending', 'delivered', 'failed', 'skipped')),
  webhook_status text NOT NULL CHECK (webhook_status IN ('pending', 'delivered', 'failed', 'skipped')),
  delivery_attempts integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_org_created_idx ON alerts (org_id, created_at DESC, id DESC);
CREATE INDEX alerts_org_kind_created_idx ON alerts (org_id, kind, created_at DESC);
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY alerts_tenant ON alerts
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
