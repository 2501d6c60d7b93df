-- Issue 21 item 3: where an application came from. The apply page carries utm_source,
-- utm_medium and utm_campaign from its URL into the form; the apply endpoint validates them
-- (server/modules/analytics/utm.ts) and stores them here. Bounded, printable tokens only:
-- the same rule as the code, so nothing else can land in the column.
ALTER TABLE applications
  ADD COLUMN utm_source   text CHECK (utm_source   ~ '^[A-Za-z0-9._~+ -]{1,100}$'),
  ADD COLUMN utm_medium   text CHECK (utm_medium   ~ '^[A-Za-z0-9._~+ -]{1,100}$'),
  ADD COLUMN utm_campaign text CHECK (utm_campaign ~ '^[A-Za-z0-9._~+ -]{1,100}$');
