-- Hiring core follow-ups (issue 5): message retries, server-side candidate search over
-- encrypted names, and per-org retention of candidate data (DESIGN section 9).

-- Message retries: how often delivery was attempted and when last, so a message stuck
-- in 'pending' (the process died between commit and mail) can be told from one in flight.
ALTER TABLE messages
  ADD COLUMN attempts        integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  ADD COLUMN last_attempt_at timestamptz;
UPDATE messages SET last_attempt_at = created_at;
ALTER TABLE messages ALTER COLUMN last_attempt_at SET NOT NULL, ALTER COLUMN last_attempt_at SET DEFAULT now();
CREATE INDEX messages_org_status_idx ON messages (org_id, status, created_at DESC, id DESC) WHERE status <> 'sent';

-- Candidate name search: keyed HMAC blind-index tokens (key derived from the org key, so
-- a token never links across orgs) of each normalised name word and its prefixes. Only
-- the app can compute them, so existing candidates are indexed by `hirebox candidates
-- reindex` (search_indexed_at NULL = not yet indexed); new ones when they are created.
CREATE TABLE candidate_search_tokens (
  org_id        uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  candidate_id  uuid NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
  token         bytea NOT NULL CHECK (length(token) = 32),
  PRIMARY KEY (org_id, token, candidate_id)
);
CREATE INDEX candidate_search_tokens_candidate_idx ON candidate_search_tokens (candidate_id);
ALTER TABLE candidates ADD COLUMN search_indexed_at timestamptz;

-- Retention: candidate data is erased a number of days after the final decision on every
-- one of the candidate's applications. closed_at is when an application reached a final
-- stage kind (hired, rejected, withdrawn); a trigger keeps it right whatever code moves
-- the stage, and clears it if an application is ever reopened.
CREATE TABLE retention_settings (
  org_id      uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  days        integer NOT NULL DEFAULT 180 CHECK (days BETWEEN 1 AND 3650),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  uuid
);

ALTER TABLE applications ADD COLUMN closed_at timestamptz;
UPDATE applications SET closed_at = updated_at WHERE stage_kind IN ('hired', 'rejected', 'withdrawn');
CREATE INDEX applications_org_closed_idx ON applications (org_id, closed_at) WHERE closed_at IS NOT NULL;

CREATE FUNCTION applications_track_closed_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.stage_kind NOT IN ('hired', 'rejected', 'withdrawn') THEN
    NEW.closed_at := NULL;
  ELSIF TG_OP = 'INSERT' OR OLD.stage_kind NOT IN ('hired', 'rejected', 'withdrawn') THEN
    NEW.closed_at := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER applications_closed_at BEFORE INSERT OR UPDATE OF stage_kind ON applications
  FOR EACH ROW EXECUTE FUNCTION applications_track_closed_at();

-- An erased candidate keeps a row (applications, decisions and scores stay as
-- non-identifying aggregates for reports) but no readable or linkable data.
ALTER TABLE candidates ADD COLUMN erased_at timestamptz;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['candidate_search_tokens', 'retention_settings']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org())', t || '_tenant', t);
  END LOOP;
END $$;
