-- interview-reconcile reconciler (issue 19). After a call's end-of-call report, and after
-- the longest possible call when no report came, the worker asks Vapi for the call (GET
-- /call) to fill in the transcript and recording reference: an interview-reconcile job,
-- enqueued after the commit that stored the call id or the report. Redis down at that
-- moment, or restarted without its data, lost the job, and the interview stayed without
-- its reconciliation (no transcript when the report lacked it, no recording fetched, the
-- call never deleted at Vapi). The worker's reconciler (worker/reconcile.ts) asks this
-- function for interviews whose current call ended (report received) or should have ended
-- (placed more than max_duration_seconds + slack_seconds ago) but were never reconciled,
-- and re-offers each under its deterministic job id (interviewReconcileJobId).
--
-- As 0045/0053: FORCE ROW LEVEL SECURITY stays; the NOLOGIN owner role reads the calls
-- table through this SECURITY DEFINER function, which returns ids only. Only the last
-- 7 days are looked at (older work was either done or needs a person).
CREATE POLICY interview_calls_owner_reconcile ON interview_calls FOR SELECT TO hirebox_owner USING (true);

CREATE FUNCTION interviews_unreconciled(grace_seconds integer, slack_seconds integer, max_rows integer)
  RETURNS TABLE (org_id uuid, id uuid, call_id text, reported boolean)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT i.org_id, i.id, i.vapi_call_id, i.report_received_at IS NOT NULL
         FROM public.interviews i
         JOIN public.interview_calls c ON c.org_id = i.org_id AND c.call_id = i.vapi_call_id
         WHERE i.vapi_call_id IS NOT NULL AND i.reconciled_at IS NULL
           AND i.status NOT IN ('cancelled', 'declined', 'human_requested', 'unreachable')
           AND c.created_at >= now() - interval '7 days'
           AND ((i.report_received_at IS NOT NULL AND i.report_received_at < now() - make_interval(secs => grace_seconds))
                OR c.created_at < now() - make_interval(secs => i.max_duration_seconds + slack_seconds + grace_seconds))
         ORDER BY c.created_at LIMIT max_rows $$;
REVOKE ALL ON FUNCTION interviews_unreconciled(integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION interviews_unreconciled(integer, integer, integer) TO hirebox_app;
