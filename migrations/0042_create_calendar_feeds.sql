-- Issue 20: calendar invites and member feeds. Each booked, moved or cancelled interview mails the candidate
-- an iCalendar invite whose SEQUENCE must grow with every change (RFC 5546: clients ignore
-- an update whose SEQUENCE is not higher than the one they hold). The first invite (the booking) has SEQUENCE 0.
ALTER TABLE interviews ADD COLUMN ical_sequence integer NOT NULL DEFAULT 0 CHECK (ical_sequence >= 0);

-- Per-member private iCal feed of the interviews the member may see (GET /ical/<token>.ics).
-- One live feed per member and org; rotating replaces the hash, revoking deletes the row.
-- Only the SHA-256 of the random token is stored.
CREATE TABLE calendar_feeds (
  org_id      uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id),
  FOREIGN KEY (org_id, user_id) REFERENCES memberships(org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX calendar_feeds_user_idx ON calendar_feeds (user_id);
ALTER TABLE calendar_feeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_feeds FORCE ROW LEVEL SECURITY;
CREATE POLICY calendar_feeds_tenant ON calendar_feeds
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());
CREATE POLICY calendar_feeds_owner_lookup ON calendar_feeds FOR SELECT TO hirebox_owner USING (true);

-- The org of a feed token's hash, nothing else; the feed is then read under that org's RLS.
-- Orgs being offboarded resolve nothing.
CREATE FUNCTION calendar_feed_org(token_hash bytea) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT f.org_id FROM public.calendar_feeds f JOIN public.orgs o ON o.id = f.org_id
         WHERE f.token_hash = calendar_feed_org.token_hash AND o.offboarding_started_at IS NULL $$;
REVOKE ALL ON FUNCTION calendar_feed_org(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION calendar_feed_org(bytea) TO hirebox_app;
