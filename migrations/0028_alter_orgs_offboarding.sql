-- Org offboarding (DESIGN sections 5 and 9). `hirebox org offboard` starts a 30-day export
-- window: members can no longer sign in, public apply pages, interview and contest links
-- stop resolving and Vapi webhooks are refused, while the org's data stays intact (and
-- exportable) so `--cancel` can restore it. After the window the daily retention sweep
-- deletes the org's data, destroys its key (org_keys row: any backup copy of the org's
-- ciphertexts becomes unreadable) and leaves a tombstone org row with its audit chain.
--
-- The links and webhooks are resolved by SECURITY DEFINER functions before any tenant is
-- known; each now also requires a live org, so the block holds in every process at once
-- (whatever an in-process cache still believes) and lifts at once on cancel.

ALTER TABLE orgs
  ADD COLUMN offboarding_started_at  timestamptz,
  ADD COLUMN offboarded_at           timestamptz,
  ADD CONSTRAINT orgs_offboarded_after_start CHECK (offboarded_at IS NULL OR offboarding_started_at IS NOT NULL);
CREATE INDEX orgs_offboarding_idx ON orgs (offboarding_started_at) WHERE offboarding_started_at IS NOT NULL AND offboarded_at IS NULL;

CREATE OR REPLACE FUNCTION webhook_endpoint_org(hook uuid) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT e.org_id FROM public.webhook_endpoints e JOIN public.orgs o ON o.id = e.org_id
         WHERE e.id = hook AND e.revoked_at IS NULL AND o.offboarding_started_at IS NULL $$;

CREATE OR REPLACE FUNCTION interview_invite_org(token_hash bytea) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT i.org_id FROM public.interviews i JOIN public.orgs o ON o.id = i.org_id
         WHERE i.invite_token_hash = token_hash AND i.invite_revoked_at IS NULL AND i.invite_expires_at > now()
           AND o.offboarding_started_at IS NULL $$;

CREATE OR REPLACE FUNCTION contest_link_org(token_hash bytea) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT c.org_id FROM public.contest_links c JOIN public.orgs o ON o.id = c.org_id
         WHERE c.token_hash = contest_link_org.token_hash AND o.offboarding_started_at IS NULL $$;

-- webhook_store_messages (0022) with the same live-org condition on the endpoint's org.
CREATE OR REPLACE FUNCTION webhook_store_messages(p_ids uuid[], p_orgs uuid[], p_endpoints uuid[], p_calls text[], p_types text[], p_ts bigint[], p_bodies bytea[])
  RETURNS TABLE (id uuid, outcome text)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  RETURN QUERY
  WITH input AS (
    SELECT * FROM unnest(p_ids, p_orgs, p_endpoints, p_calls, p_types, p_ts, p_bodies)
      AS i(id, org_id, endpoint_id, call_id, message_type, message_ts, body_enc)
  ), live AS (
    SELECT i.* FROM input i
      JOIN public.webhook_endpoints e ON e.id = i.endpoint_id AND e.org_id = i.org_id AND e.revoked_at IS NULL
      JOIN public.orgs o ON o.id = i.org_id AND o.offboarding_started_at IS NULL
  ), ins AS (
    INSERT INTO public.webhook_messages AS m (id, org_id, endpoint_id, call_id, message_type, message_ts, body_enc)
      SELECT l.id, l.org_id, l.endpoint_id, l.call_id, l.message_type, l.message_ts, l.body_enc FROM live l
      ON CONFLICT (org_id, call_id, message_type, message_ts) DO NOTHING
      RETURNING m.id
  )
  SELECT i.id, CASE WHEN ins.id IS NOT NULL THEN 'stored' WHEN l.id IS NOT NULL THEN 'duplicate' ELSE 'not_live' END
    FROM input i LEFT JOIN live l ON l.id = i.id LEFT JOIN ins ON ins.id = i.id;
END
$$;

-- The app role may not delete org keys (0003). This one narrow function destroys the key of
-- an org whose offboarding has started, and only inside that org's tenant transaction (the
-- tenant policy on org_keys, forced for the owner too, sees no other org's row).
CREATE FUNCTION org_key_destroy(p_org uuid) RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE n integer;
BEGIN
  IF p_org IS DISTINCT FROM NULLIF(current_setting('app.org_id', true), '')::uuid THEN
    RAISE EXCEPTION 'org_key_destroy: not bound to this org' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM public.orgs WHERE id = p_org AND offboarding_started_at IS NOT NULL) THEN
    RAISE EXCEPTION 'org_key_destroy: org is not being offboarded' USING ERRCODE = 'insufficient_privilege';
  END IF;
  DELETE FROM public.org_keys WHERE org_id = p_org;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n > 0;
END
$$;
REVOKE ALL ON FUNCTION org_key_destroy(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION org_key_destroy(uuid) TO hirebox_app;

-- A deleted (offboarded) org never gets a key again: a late job or a stray call to the
-- keyring for a tombstone fails instead of silently creating a fresh org key.
CREATE FUNCTION org_keys_refuse_offboarded() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM orgs WHERE id = NEW.org_id AND offboarded_at IS NOT NULL) THEN
    RAISE EXCEPTION 'org % has been offboarded: no new org key', NEW.org_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER org_keys_refuse_offboarded BEFORE INSERT ON org_keys
  FOR EACH ROW EXECUTE FUNCTION org_keys_refuse_offboarded();
