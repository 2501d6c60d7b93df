-- Truthful notices (issue 18 items 4, 7, 9).
--
-- notice_settings: the org's privacy contact (email and/or URL), shown in every candidate
-- notice; required before a job can be published.
-- notice_versions: every distinct text of the org's candidate notices (apply page, interview
-- page, mail footer) gets a new version number, with the SHA-256 of the exact text and
-- the facts it states (retention days, contact). Consent records the version number.
-- applications.human_review_only: the candidate chose "a person reviews my application
-- without AI screening"; such applications are never sent to a model.
-- demographics.categories_version: 0 = free-text answers (before this migration), 1 = fixed
-- LL144 categories. The mapping of old answers needs the candidate key, so it is done by
-- `hirebox migrate` after the SQL migrations (server/modules/applications/demographics-migrate.ts).
-- decisions.ai_recommendation: the latest AI recommendation when the decision was made,
-- from which followed_ai is derived (no longer typed by the recruiter).
CREATE TABLE notice_settings (
  org_id                 uuid PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
  privacy_contact_email  text CHECK (privacy_contact_email IS NULL OR length(privacy_contact_email) BETWEEN 3 AND 254),
  privacy_contact_url    text CHECK (privacy_contact_url IS NULL OR length(privacy_contact_url) BETWEEN 8 AND 500),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  updated_by             uuid,
  CHECK (privacy_contact_email IS NOT NULL OR privacy_contact_url IS NOT NULL)
);
ALTER TABLE notice_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE notice_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY notice_settings_tenant ON notice_settings
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

CREATE TABLE notice_versions (
  org_id                 uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  version                integer NOT NULL CHECK (version >= 1),
  content_sha256         bytea NOT NULL CHECK (length(content_sha256) = 32),
  retention_days         integer NOT NULL,
  privacy_contact_email  text,
  privacy_contact_url    text,
  created_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, version)
);
ALTER TABLE notice_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE notice_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY notice_versions_tenant ON notice_versions
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
-- A version, once shown to candidates, is never rewritten (DELETE stays: org offboarding purges it).
REVOKE UPDATE, TRUNCATE ON notice_versions FROM hirebox_app;

ALTER TABLE applications ADD COLUMN human_review_only boolean NOT NULL DEFAULT false;
-- The org notice version (notice_versions.version) the candidate consented to, beside the
-- template version already kept in consent_notice_version.
ALTER TABLE applications ADD COLUMN consent_notice_revision integer;
ALTER TABLE interviews ADD COLUMN notice_revision integer;
CREATE INDEX applications_human_review_only_idx ON applications (org_id, job_id) WHERE human_review_only;

ALTER TABLE demographics ADD COLUMN categories_version smallint NOT NULL DEFAULT 0 CHECK (categories_version IN (0, 1));

ALTER TABLE decisions ADD COLUMN ai_recommendation text CHECK (ai_recommendation IN ('advance', 'review', 'not_advance'));
