-- Queue reconcilers (issue 19): Postgres is the source of truth for accepted work, Redis
-- only carries it. A CV accepted while Redis was down (its enqueue failed after the
-- commit), or whose job vanished because Redis restarted without its data, stays in a
-- "needs work" state here with no BullMQ job to move it on. The worker's reconciler
-- (worker/reconcile.ts) asks these functions, every RECONCILE_EVERY_SECONDS, for rows that
-- have needed work for longer than RECONCILE_GRACE_SECONDS and re-offers each under its
-- deterministic job id: a job that is still queued, delayed or running is left alone, a
-- missing one is added again, a failed-out one gets one more (final) attempt.
--
-- As in 0020/0024/0036, FORCE ROW LEVEL SECURITY stays and hirebox_app's view is
-- unchanged; the NOLOGIN owner role may read these tables through the SECURITY DEFINER
-- functions below, which return ids only.
CREATE POLICY documents_owner_reconcile ON documents FOR SELECT TO hirebox_owner USING (true);
CREATE POLICY applications_owner_reconcile ON applications FOR SELECT TO hirebox_owner USING (true);
CREATE POLICY screenings_owner_reconcile ON screenings FOR SELECT TO hirebox_owner USING (true);
CREATE POLICY alerts_owner_reconcile ON alerts FOR SELECT TO hirebox_owner USING (true);

CREATE INDEX documents_pending_parse_idx ON documents (org_id, created_at) WHERE parse_status = 'pending';
CREATE INDEX documents_parsed_at_idx ON documents (org_id, parsed_at) WHERE parse_status = 'parsed';
CREATE INDEX screenings_open_idx ON screenings (org_id, updated_at) WHERE status IN ('pending', 'waiting');
CREATE INDEX alerts_undelivered_idx ON alerts (org_id, created_at) WHERE email_status = 'pending' OR webhook_status = 'pending';

-- cv-parse: documents still pending a while after upload.
CREATE FUNCTION documents_pending_parse(grace_seconds integer, max_rows integer) RETURNS TABLE (org_id uuid, id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT d.org_id, d.id FROM public.documents d
         WHERE d.parse_status = 'pending' AND d.created_at < now() - make_interval(secs => grace_seconds)
         ORDER BY d.created_at LIMIT max_rows $$;
REVOKE ALL ON FUNCTION documents_pending_parse(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION documents_pending_parse(integer, integer) TO hirebox_app;

-- cv-screen: (a) applications (AI review allowed) whose latest parsed CV, parsed in the
-- last 7 days, has no screening row at all (the screen job was never added or was lost
-- before it ran); (b) screenings left pending or waiting (a lost or failed-out job; a
-- waiting one is touched on every re-check, so a live wait never looks stale).
-- generation and requested_by tell the caller which job id the screening belongs to.
CREATE FUNCTION screenings_unfinished(grace_seconds integer, max_rows integer)
  RETURNS TABLE (org_id uuid, application_id uuid, document_id uuid, screening_id uuid, generation integer, requested boolean)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  (SELECT a.org_id, a.id, d.id, NULL::uuid, 1, false
     FROM public.applications a
     JOIN LATERAL (SELECT x.id, x.parsed_at FROM public.documents x
                    WHERE x.application_id = a.id AND x.parse_status = 'parsed'
                    ORDER BY x.parsed_at DESC, x.id LIMIT 1) d ON true
    WHERE NOT a.human_review_only
      AND d.parsed_at >= now() - interval '7 days'
      AND d.parsed_at < now() - make_interval(secs => grace_seconds)
      AND NOT EXISTS (SELECT 1 FROM public.screenings s WHERE s.application_id = a.id AND s.document_id = d.id)
    ORDER BY d.parsed_at LIMIT max_rows)
  UNION ALL
  (SELECT s.org_id, s.application_id, s.document_id, s.id, s.generation, s.requested_by IS NOT NULL
     FROM public.screenings s
    WHERE s.status IN ('pending', 'waiting') AND s.updated_at < now() - make_interval(secs => grace_seconds)
    ORDER BY s.updated_at LIMIT max_rows)
$$;
REVOKE ALL ON FUNCTION screenings_unfinished(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION screenings_unfinished(integer, integer) TO hirebox_app;

-- alert-deliver: alerts with a channel still pending a while after they were raised.
CREATE FUNCTION alerts_undelivered(grace_seconds integer, max_rows integer) RETURNS TABLE (org_id uuid, id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT al.org_id, al.id FROM public.alerts al
         WHERE (al.email_status = 'pending' OR al.webhook_status = 'pending')
           AND al.created_at < now() - make_interval(secs => grace_seconds)
         ORDER BY al.created_at LIMIT max_rows $$;
REVOKE ALL ON FUNCTION alerts_undelivered(integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION alerts_undelivered(integer, integer) TO hirebox_app;
