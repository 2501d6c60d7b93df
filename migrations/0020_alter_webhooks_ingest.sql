-- Vapi webhook ingest in one database round trip, and a sweep for accepted messages
-- whose enqueue was lost (issue 7, "acknowledged fast, nothing lost").
--
-- Storing a message used to take three round trips on one pooled connection (set
-- app.org_id, INSERT, reset app.org_id). webhook_store_messages does it in one call. It
-- is SECURITY DEFINER, owned by hirebox_owner, like webhook_endpoint_org (0011), and it
-- never takes the tenant on trust: the org is the one of the live endpoint the caller
-- names, and the caller's org (whose key sealed the body) must match it, so a message
-- can only land in the org that owns the endpoint, and a revoked endpoint stops storing
-- at once in every process (whatever an in-process cache still believes).
--
-- FORCE ROW LEVEL SECURITY stays on and hirebox_app's view is unchanged (the tenant
-- policy still governs everything the app role does). What changes is two policies for
-- hirebox_owner, a NOLOGIN role that only migrations and these definer functions act as:
-- it may INSERT messages (through the function below, which does the org check) and
-- SELECT them (for the sweep below, which returns ids only). The alternative, setting
-- app.org_id inside the function, would leave the setting behind in the caller's
-- transaction; policies for the owner keep the function free of session state.
CREATE POLICY webhook_messages_owner_store ON webhook_messages FOR INSERT TO hirebox_owner WITH CHECK (true);
CREATE POLICY webhook_messages_owner_lookup ON webhook_messages FOR SELECT TO hirebox_owner USING (true);

-- Stores a batch of messages in one statement (the app coalesces concurrent webhooks into
-- one call: one round trip and one commit for many requests, each answered only after the
-- commit). Per input id: 'stored' (new row), 'duplicate' (that call, type and timestamp is
-- already there, or twice in the batch) or 'not_live' (unknown or revoked endpoint, or not
-- that org's): nothing stored for it.
CREATE FUNCTION webhook_store_messages(p_ids uuid[], p_orgs uuid[], p_endpoints uuid[], p_calls text[], p_types text[], p_ts bigint[], p_bodies bytea[])
  RETURNS TABLE (id uuid, outcome text)
  LANGUAGE sql VOLATILE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  WITH input AS (
    SELECT * FROM unnest(p_ids, p_orgs, p_endpoints, p_calls, p_types, p_ts, p_bodies)
      AS i(id, org_id, endpoint_id, call_id, message_type, message_ts, body_enc)
  ), live AS (
    SELECT i.* FROM input i
      JOIN public.webhook_endpoints e ON e.id = i.endpoint_id AND e.org_id = i.org_id AND e.revoked_at IS NULL
  ), ins AS (
    INSERT INTO public.webhook_messages (id, org_id, endpoint_id, call_id, message_type, message_ts, body_enc)
      SELECT l.id, l.org_id, l.endpoint_id, l.call_id, l.message_type, l.message_ts, l.body_enc FROM live l
      ON CONFLICT (org_id, call_id, message_type, message_ts) DO NOTHING
      RETURNING webhook_messages.id
  )
  SELECT i.id, CASE WHEN ins.id IS NOT NULL THEN 'stored' WHEN l.id IS NOT NULL THEN 'duplicate' ELSE 'not_live' END
    FROM input i LEFT JOIN live l ON l.id = i.id LEFT JOIN ins ON ins.id = i.id
$$;
REVOKE ALL ON FUNCTION webhook_store_messages(uuid[], uuid[], uuid[], text[], text[], bigint[], bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_store_messages(uuid[], uuid[], uuid[], text[], text[], bigint[], bytea[]) TO hirebox_app;

-- Accepted but not yet processed messages older than the given age, across orgs (ids
-- only): the worker's sweep re-enqueues them (deterministic job ids make that a no-op
-- for messages whose job is still queued).
CREATE FUNCTION webhook_unprocessed_messages(older_than_seconds integer, max_rows integer) RETURNS TABLE (org_id uuid, id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT m.org_id, m.id FROM public.webhook_messages m
         WHERE m.processed_at IS NULL AND m.received_at < now() - make_interval(secs => older_than_seconds)
         ORDER BY m.received_at LIMIT max_rows $$;
REVOKE ALL ON FUNCTION webhook_unprocessed_messages(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_unprocessed_messages(integer, integer) TO hirebox_app;
