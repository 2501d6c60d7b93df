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

-- interview-reminder: reminders are delayed jobs added when a slot is booked (24 h and 1 h
-- before it), so they live in Redis for days. For every booked interview still waiting,
-- each reminder that was meant to be sent (its time came after the booking: the row has
-- not changed since before that time) and has not been sent for the current schedule
-- version (no interview.reminder_sent event) is returned with its send time, up to
-- late_seconds late: a "tomorrow" mail much later than planned would mislead.
CREATE POLICY application_events_owner_reconcile ON application_events FOR SELECT TO hirebox_owner USING (true);

CREATE FUNCTION interviews_reminders_unsent(late_seconds integer, max_rows integer)
  RETURNS TABLE (org_id uuid, id uuid, kind text, version integer, send_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT i.org_id, i.id, r.kind, i.schedule_version, i.scheduled_for - r.lead
         FROM public.interviews i
         CROSS JOIN (VALUES ('24h', interval '24 hours'), ('1h', interval '1 hour')) AS r(kind, lead)
         WHERE i.status = 'scheduled' AND i.attempts = 0 AND i.scheduled_for > now()
           AND i.scheduled_for - r.lead > i.updated_at
           AND i.scheduled_for - r.lead > now() - make_interval(secs => late_seconds)
           AND NOT EXISTS (SELECT 1 FROM public.application_events e
                            WHERE e.org_id = i.org_id AND e.application_id = i.application_id AND e.type = 'interview.reminder_sent'
                              AND e.data->>'interviewId' = i.id::text AND e.data->>'kind' = r.kind AND e.data->>'version' = i.schedule_version::text)
         ORDER BY i.scheduled_for LIMIT max_rows $$;
REVOKE ALL ON FUNCTION interviews_reminders_unsent(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION interviews_reminders_unsent(integer, integer) TO hirebox_app;
