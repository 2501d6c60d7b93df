-- Recruiter templates in the candidate's language (issue 22 item 1): a template keeps its
-- own subject and body (in whatever language the org writes) plus optional variants per
-- shipped locale, {"de": {"subject": "...", "body": "..."}, ...}. A send picks the variant
-- of the candidate's language, else the template's own text. The service checks each
-- variant's variables like the main text.
ALTER TABLE message_templates ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'::jsonb
  CONSTRAINT message_templates_translations_object CHECK (jsonb_typeof(translations) = 'object');
