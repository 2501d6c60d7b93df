// SQL of saved pipeline views and members' last visits to a job's pipeline (issue 21).
import type { Queryable } from '../../core/db.js';
import type { ViewFilters } from './schemas.js';

export interface SavedViewRow {
  id: string;
  name: string;
  filters: ViewFilters;
  created_at: Date;
  updated_at: Date;
}

export async function listSavedViews(q: Queryable, userId: string): Promise<SavedViewRow[]> {
  const { rows } = await q.query<SavedViewRow>('SELECT id, name, filters, created_at, updated_at FROM saved_views WHERE user_id = $1 ORDER BY name', [userId]);
  return rows;
}

export async function countSavedViews(q: Queryable, userId: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM saved_views WHERE user_id = $1', [userId]);
  return rows[0]?.n ?? 0;
}

/** Null when the member already has a view with that name. */
export async function insertSavedView(q: Queryable, v: { orgId: string; userId: string; name: string; filters: ViewFilters }): Promise<SavedViewRow | null> {
  const { rows } = await q.query<SavedViewRow>(
    `INSERT INTO saved_views (org_id, user_id, name, filters) VALUES ($1, $2, $3, $4)
     ON CONFLICT (org_id, user_id, name) DO NOTHING RETURNING id, name, filters, created_at, updated_at`,
    [v.orgId, v.userId, v.name, JSON.stringify(v.filters)],
  );
  return rows[0] ?? null;
}

export async function deleteSavedView(q: Queryable, id: string, userId: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM saved_views WHERE id = $1 AND user_id = $2', [id, userId]);
  return (rowCount ?? 0) > 0;
}

/** Records a visit now; returns the previous visit (null on the first). */
export async function recordJobVisit(q: Queryable, v: { orgId: string; userId: string; jobId: string; at: Date }): Promise<Date | null> {
  const { rows } = await q.query<{ previous: Date | null }>(
    `WITH prev AS (SELECT last_visit_at FROM job_visits WHERE user_id = $2 AND job_id = $3)
     INSERT INTO job_visits (org_id, user_id, job_id, last_visit_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (org_id, user_id, job_id) DO UPDATE SET last_visit_at = GREATEST(job_visits.last_visit_at, EXCLUDED.last_visit_at)
     RETURNING (SELECT last_visit_at FROM prev) AS previous`,
    [v.orgId, v.userId, v.jobId, v.at],
  );
  return rows[0]?.previous ?? null;
}

export interface JobSummaryRow {
  job_id: string;
  title: string;
  status: string;
  last_visit_at: Date | null;
  new_since: number;
  stage_counts: Record<string, number> | null;
}

/** Visible jobs (hiring managers: assigned ones) with per-stage counts and what is new since the member's last visit. */
export async function jobSummaries(q: Queryable, userId: string, assignedTo: string | null, status: string | null): Promise<JobSummaryRow[]> {
  const { rows } = await q.query<JobSummaryRow>(
    `SELECT j.id AS job_id, j.title, j.status, v.last_visit_at,
            (SELECT count(*)::int FROM applications a WHERE a.job_id = j.id AND (v.last_visit_at IS NULL OR a.created_at > v.last_visit_at)) AS new_since,
            (SELECT jsonb_object_agg(c.stage_id, c.n) FROM (SELECT a.stage_id, count(*)::int AS n FROM applications a WHERE a.job_id = j.id GROUP BY a.stage_id) c) AS stage_counts
       FROM jobs j
       LEFT JOIN job_visits v ON v.job_id = j.id AND v.user_id = $1
      WHERE ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = j.id AND ja.user_id = $2))
        AND ($3::text IS NULL OR j.status = $3)
      ORDER BY j.created_at DESC, j.id DESC LIMIT 500`,
    [userId, assignedTo, status],
  );
  return rows;
}

/** Every pipeline stage of the org (job-specific and the org default, job_id null), in order. */
export async function allStages(q: Queryable): Promise<{ id: string; job_id: string | null; name: string; kind: string; position: number }[]> {
  const { rows } = await q.query<{ id: string; job_id: string | null; name: string; kind: string; position: number }>('SELECT id, job_id, name, kind, position FROM pipeline_stages ORDER BY position');
  return rows;
}
