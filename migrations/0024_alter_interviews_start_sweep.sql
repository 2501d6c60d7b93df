-- A sweep for interview calls whose start job was lost (issue 7). A call is started by a
-- delayed interview-start job enqueued after the commit that made the interview due
-- (consent, a chosen slot, a reschedule, a re-dial). If Redis was unreachable at that
-- moment, or the process died between the commit and the enqueue, nothing would ever call
-- the candidate. The worker's sweep asks this function for phone interviews that have
-- been due for a while without a call and enqueues their start again; starting is
-- idempotent (the interview is claimed under a row lock before POST /call), so a start
-- job that was merely late and runs as well does nothing.
--
-- As in 0020, FORCE ROW LEVEL SECURITY stays and hirebox_app's view is unchanged; the
-- NOLOGIN owner role may read interviews through this SECURITY DEFINER function, which
-- returns ids only.
CREATE POLICY interviews_owner_sweep ON interviews FOR SELECT TO hirebox_owner USING (true);

CREATE FUNCTION interviews_overdue_starts(grace_seconds integer, max_rows integer) RETURNS TABLE (org_id uuid, id uuid, attempts integer)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT i.org_id, i.id, i.attempts FROM public.interviews i
         WHERE i.status = 'scheduled' AND i.mode = 'phone' AND i.vapi_call_id IS NULL AND i.phone_enc IS NOT NULL
           AND coalesce(i.next_attempt_at, i.updated_at) < now() - make_interval(secs => grace_seconds)
           AND i.updated_at < now() - make_interval(secs => grace_seconds)
         ORDER BY coalesce(i.next_attempt_at, i.updated_at) LIMIT max_rows $$;
REVOKE ALL ON FUNCTION interviews_overdue_starts(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION interviews_overdue_starts(integer, integer) TO hirebox_app;
