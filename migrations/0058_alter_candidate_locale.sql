-- The candidate's language and time zone (issue 22 item 1).
--
-- jobs.language: the language a job is advertised in; it picks the locale of the job's
-- pages, mails and interview (the candidate can switch).
-- applications.locale / time_zone: what the candidate read the apply page in and their
-- zone (from the browser, optional); every later page and mail uses them.
-- applications.consent_language / interviews.notice_language: consent records which
-- language the notice was shown in, beside its version.
ALTER TABLE jobs ADD COLUMN language text NOT NULL DEFAULT 'en'
  CONSTRAINT jobs_language_shipped CHECK (language IN ('en', 'de', 'fr', 'es', 'nl'));

ALTER TABLE applications
  ADD COLUMN locale text CONSTRAINT applications_locale_shipped CHECK (locale IN ('en', 'de', 'fr', 'es', 'nl')),
  ADD COLUMN time_zone text CONSTRAINT applications_time_zone_length CHECK (length(time_zone) BETWEEN 1 AND 64),
  ADD COLUMN consent_language text CONSTRAINT applications_consent_language_shipped CHECK (consent_language IN ('en', 'de', 'fr', 'es', 'nl'));

ALTER TABLE interviews ADD COLUMN notice_language text
  CONSTRAINT interviews_notice_language_shipped CHECK (notice_language IN ('en', 'de', 'fr', 'es', 'nl'));
