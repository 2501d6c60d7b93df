-- issue 20 (item 2): outbound event webhooks. An org's admins subscribe a URL to event
-- types; when such an event happens, an outbox row (event_hook_events) and one delivery per
-- matching enabled subscription (event_hook_deliveries) are written in the same transaction
-- as the change. The worker delivers them signed per the Standard Webhooks specification,
-- with retries over more than 24 hours; every attempt is logged (event_hook_attempts).
-- Event data carries ids, stage names/kinds, outcomes and recommendations only: never CV
-- text, names, e-mail addresses or demographics.
CREATE TABLE event_hook_subscriptions (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id                uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  url                   text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
  description           text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
  events                text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 20),
  -- "whsec_<base64>", sealed with the org key (AAD event_hook_subscriptions/secret_enc/<id>).
  secret_enc            bytea NOT NULL,
  enabled               boolean NOT NULL DEFAULT true,
  disabled_reason       text CHECK (disabled_reason IN ('manual', 'failing')),
  consecutive_failures  integer NOT NULL DEFAULT 0,
  last_success_at       timestamptz,
  created_by            uuid,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_hook_subscriptions_org_idx ON event_hook_subscriptions (org_id, created_at);

CREATE TABLE event_hook_events (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id      uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  type        text NOT NULL CHECK (length(type) <= 60),
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_hook_events_org_idx ON event_hook_events (org_id, created_at);

CREATE TABLE event_hook_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id           uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  subscription_id  uuid NOT NULL REFERENCES event_hook_subscriptions(id) ON DELETE CASCADE,
  event_id         uuid NOT NULL REFERENCES event_hook_events(id) ON DELETE CASCADE,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  -- Attempts made so far; the next one is attempts + 1 (part of its deterministic job id).
  attempts         integer NOT NULL DEFAULT 0,
  -- A manual redelivery is one attempt, not a new retry schedule.
  manual           boolean NOT NULL DEFAULT false,
  next_attempt_at  timestamptz,
  first_failed_at  timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX event_hook_deliveries_sub_idx ON event_hook_deliveries (org_id, subscription_id, created_at DESC);
CREATE INDEX event_hook_deliveries_event_fk_idx ON event_hook_deliveries (event_id);
CREATE INDEX event_hook_deliveries_due_idx ON event_hook_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE event_hook_attempts (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id            uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  delivery_id       uuid NOT NULL REFERENCES event_hook_deliveries(id) ON DELETE CASCADE,
  attempt           integer NOT NULL CHECK (attempt >= 1),
  ok                boolean NOT NULL,
  response_code     integer,
  duration_ms       integer NOT NULL,
  -- http_status, timeout, refused, unreachable, too_large, no_secret
  error_class       text CHECK (length(error_class) <= 40),
  -- The first bytes of the receiver's answer, for debugging; never more.
  response_snippet  text CHECK (length(response_snippet) <= 200),
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_hook_attempts_delivery_idx ON event_hook_attempts (org_id, delivery_id, attempt);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['event_hook_subscriptions', 'event_hook_events', 'event_hook_deliveries', 'event_hook_attempts']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org())', t || '_tenant', t);
  END LOOP;
END $$;

-- The worker's sweep finds due deliveries of every org (ids only) through this SECURITY
-- DEFINER function, as the interview start sweep does (0024); everything else is read
-- under the org's RLS context.
CREATE POLICY event_hook_deliveries_owner_sweep ON event_hook_deliveries FOR SELECT TO hirebox_owner USING (true);
CREATE FUNCTION event_hook_due_deliveries(at timestamptz, max_rows integer) RETURNS TABLE (org_id uuid, id uuid, attempts integer)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT d.org_id, d.id, d.attempts FROM public.event_hook_deliveries d
         WHERE d.status = 'pending' AND d.next_attempt_at <= at
         ORDER BY d.next_attempt_at LIMIT max_rows $$;
REVOKE ALL ON FUNCTION event_hook_due_deliveries(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_hook_due_deliveries(timestamptz, integer) TO hirebox_app;
