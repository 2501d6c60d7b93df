-- Bias monitoring (DESIGN §8): per-org thresholds of the bias report and the state of the
-- daily bias monitor. Both are tenant tables (org_id + FORCE RLS + policy). Neither holds
-- demographics: the monitor stores which breaches it saw last time as opaque keys (job id,
-- dimension, metric and a hash of the category), so a breach alerts once, not every day.
CREATE TABLE bias_settings (
  org_id                  uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  -- Impact ratio under which a category is flagged (four-fifths rule by default).
  impact_ratio_threshold  numeric(4, 3) NOT NULL DEFAULT 0.8 CHECK (impact_ratio_threshold BETWEEN 0.5 AND 1.0),
  -- Categories with fewer people than this are small-sample (not flagged).
  min_sample_size         integer NOT NULL DEFAULT 5 CHECK (min_sample_size BETWEEN 1 AND 1000),
  -- Categories under this share of the assessed people are small-sample (LL144: 2%).
  min_sample_share        numeric(5, 4) NOT NULL DEFAULT 0.02 CHECK (min_sample_share BETWEEN 0 AND 0.2),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  updated_by              uuid
);
ALTER TABLE bias_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE bias_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY bias_settings_tenant ON bias_settings
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

CREATE TABLE bias_monitor_state (
  org_id         uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  breach_keys    text[] NOT NULL DEFAULT '{}' CHECK (cardinality(breach_keys) <= 10000),
  checked_at     timestamptz NOT NULL DEFAULT now(),
  last_alert_at  timestamptz
);
ALTER TABLE bias_monitor_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE bias_monitor_state FORCE ROW LEVEL SECURITY;
CREATE POLICY bias_monitor_state_tenant ON bias_monitor_state
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- The counterfactual audit (`hirebox bias counterfactual`) re-screens CVs with swapped
-- names and pronouns: its model calls are AI runs of their own purpose (hidden from the
-- screening view, which shows 'cv_screening' runs only, and charged to the org's budget).
ALTER TABLE ai_runs DROP CONSTRAINT ai_runs_purpose_check;
ALTER TABLE ai_runs ADD CONSTRAINT ai_runs_purpose_check CHECK (purpose IN ('cv_screening', 'stability', 'interview_scoring', 'counterfactual'));
