-- Interviews stuck in 'calling' (issue 19). A start claims the interview ('calling',
-- call_status 'creating') before POST /call and stores the call id after Vapi answers; a
-- worker killed in between left the interview claimed with no call id, and nothing looked
-- at it again. The start sweep (0024) now offers these too, once they have been claimed
-- for the grace period: the start job asks Vapi (GET /call) for the call carrying the
-- interview in its metadata and adopts it, or releases the claim when no call was placed
-- (server/modules/interviews/calls.ts, recoverCreating).
--
-- Same signature, owner and grants as 0024; only the WHERE clause grows.
CREATE OR REPLACE FUNCTION interviews_overdue_starts(grace_seconds integer, max_rows integer) RETURNS TABLE (org_id uuid, id uuid, attempts integer)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT i.org_id, i.id, i.attempts FROM public.interviews i
         WHERE i.mode = 'phone' AND i.vapi_call_id IS NULL AND i.phone_enc IS NOT NULL
           AND i.updated_at < now() - make_interval(secs => grace_seconds)
           AND ((i.status = 'scheduled' AND coalesce(i.next_attempt_at, i.updated_at) < now() - make_interval(secs => grace_seconds))
                OR (i.status = 'calling' AND i.call_status = 'creating'))
         ORDER BY coalesce(i.next_attempt_at, i.updated_at) LIMIT max_rows $$;
REVOKE ALL ON FUNCTION interviews_overdue_starts(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION interviews_overdue_starts(integer, integer) TO hirebox_app;
