-- Issue 20 item 4: the careers site. Jobs get the facts a job board needs (Google's JobPosting
-- required and recommended fields): where (street, postal code, region, ISO 3166-1 country),
-- how (on-site, hybrid or remote; remote jobs name the countries applicants may live in),
-- pay (a range in an ISO 4217 currency per hour/day/week/month/year) and until when the
-- posting is valid. A job past valid_through leaves the public pages like a closed one.
ALTER TABLE jobs
  ADD COLUMN workplace         text NOT NULL DEFAULT 'onsite' CHECK (workplace IN ('onsite', 'hybrid', 'remote')),
  ADD COLUMN street_address    text NOT NULL DEFAULT '' CHECK (length(street_address) <= 200),
  ADD COLUMN postal_code       text NOT NULL DEFAULT '' CHECK (length(postal_code) <= 20),
  ADD COLUMN address_region    text NOT NULL DEFAULT '' CHECK (length(address_region) <= 100),
  ADD COLUMN address_country   text CHECK (address_country ~ '^[A-Z]{2}$'),
  ADD COLUMN remote_countries  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(remote_countries) <= 50),
  ADD COLUMN salary_min        numeric(14, 2) CHECK (salary_min >= 0),
  ADD COLUMN salary_max        numeric(14, 2),
  ADD COLUMN salary_currency   text CHECK (salary_currency ~ '^[A-Z]{3}$'),
  ADD COLUMN salary_unit       text CHECK (salary_unit IN ('HOUR', 'DAY', 'WEEK', 'MONTH', 'YEAR')),
  ADD COLUMN valid_through     timestamptz,
  ADD CONSTRAINT jobs_salary_complete CHECK (
    (salary_min IS NULL AND salary_max IS NULL AND salary_currency IS NULL AND salary_unit IS NULL)
    OR (salary_min IS NOT NULL AND salary_currency IS NOT NULL AND salary_unit IS NOT NULL AND (salary_max IS NULL OR salary_max >= salary_min))
  );
-- The public listing: open jobs of one org, newest first.
CREATE INDEX jobs_org_public_idx ON jobs (org_id, published_at DESC, id) WHERE status = 'open';

-- Org branding for the careers pages: display name, accent colour (contrast-checked by the
-- app), a link to the org's own site, an uploaded logo (PNG/JPEG/WebP, sniffed and capped by
-- the app, at most 256 KiB here) and the origins allowed to frame the embeddable listing or
-- read its JSON feed. One row per org.
CREATE TABLE org_branding (
  org_id         uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  display_name   text CHECK (length(display_name) BETWEEN 1 AND 120),
  accent_color   text CHECK (accent_color ~ '^#[0-9a-f]{6}$'),
  website_url    text CHECK (length(website_url) <= 300),
  logo           bytea CHECK (octet_length(logo) <= 262144),
  logo_type      text CHECK (logo_type IN ('image/png', 'image/jpeg', 'image/webp')),
  logo_sha256    text CHECK (logo_sha256 ~ '^[0-9a-f]{64}$'),
  embed_origins  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(embed_origins) <= 10),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((logo IS NULL) = (logo_type IS NULL) AND (logo IS NULL) = (logo_sha256 IS NULL))
);
ALTER TABLE org_branding ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_branding FORCE ROW LEVEL SECURITY;
CREATE POLICY org_branding_tenant ON org_branding
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
