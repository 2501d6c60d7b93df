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

-- Queue reconcilers (as 0045) for two more interview queues whose accepted work is visible
-- here: an ended interview whose transcript is stored needs a score (interview-score) and
-- its recording fetched and the call deleted at Vapi (recording-fetch, which always ends
-- by recording a vapi_call_deletions row). Both jobs are enqueued after the commit that
-- stored the transcript, so Redis down at that moment, or restarted empty later, lost them.
-- Only the last 7 days are looked at (older work was either done or needs a person).
CREATE POLICY interview_scores_owner_reconcile ON interview_scores FOR SELECT TO hirebox_owner USING (true);

CREATE FUNCTION interviews_unscored(grace_seconds integer, max_rows integer) RETURNS TABLE (org_id uuid, id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT i.org_id, i.id FROM public.interviews i
         LEFT JOIN public.interview_scores s ON s.org_id = i.org_id AND s.interview_id = i.id
         WHERE i.status = 'ended' AND i.transcript_enc IS NOT NULL
           AND i.updated_at >= now() - interval '7 days'
           AND i.updated_at < now() - make_interval(secs => grace_seconds)
           AND (s.id IS NULL OR (s.status IN ('pending', 'waiting') AND s.updated_at < now() - make_interval(secs => grace_seconds)))
         ORDER BY i.updated_at LIMIT max_rows $$;
REVOKE ALL ON FUNCTION interviews_unscored(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION interviews_unscored(integer, integer) TO hirebox_app;

CREATE FUNCTION interviews_recording_unfetched(grace_seconds integer, max_rows integer) RETURNS TABLE (org_id uuid, id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT i.org_id, i.id FROM public.interviews i
         WHERE i.status = 'ended' AND i.transcript_enc IS NOT NULL AND i.vapi_call_id IS NOT NULL AND i.reconciled_at IS NOT NULL
           AND i.reconciled_at >= now() - interval '7 days'
           AND i.reconciled_at < now() - make_interval(secs => grace_seconds)
           AND NOT EXISTS (SELECT 1 FROM public.vapi_call_deletions d WHERE d.org_id = i.org_id AND d.call_id = i.vapi_call_id)
         ORDER BY i.reconciled_at LIMIT max_rows $$;
REVOKE ALL ON FUNCTION interviews_recording_unfetched(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION interviews_recording_unfetched(integer, integer) TO hirebox_app;
