// SQL for jobs, their hiring-manager assignments and pipeline stages. Every function
// runs on a tenant-bound connection (withTenant / withTenantTx): RLS scopes it to one org.
import type { Queryable } from '../../core/db.js';

export const STAGE_KINDS = ['new', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export const DEFAULT_PIPELINE: { name: string; kind: StageKind }[] = [
  { name: 'New', kind: 'new' },
  { name: 'Screening', kind: 'screening' },
  { name: 'Interview', kind: 'interview' },
  { name: 'Offer', kind: 'offer' },
  { name: 'Hired', kind: 'hired' },
  { name: 'Rejected', kind: 'rejected' },
  { name: 'Withdrawn', kind: 'withdrawn' },
];

export interface Criterion {
  name: string;
  description: string;
  weight: number;
  mustHave: boolean;
}

export type JobStatus = 'draft' | 'open' | 'closed';
export type EmploymentType = 'full_time' | 'part_time' | 'contract' | 'temporary' | 'internship';

export interface JobRow {
  id: string;
  org_id: string;
  slug: string;
  title: string;
  description: string;
  location: string;
  employment_type: EmploymentType;
  status: JobStatus;
  criteria: Criterion[];
  criteria_version: number;
  interview_questions: string[];
  created_by: string | null;
  created_at: Date;
  created_at_text: string;
  updated_at: Date;
  published_at: Date | null;
  hiring_manager_ids: string[];
}

const JOB_COLUMNS = `j.id, j.org_id, j.slug, j.title, j.description, j.location, j.employment_type, j.status, j.criteria,
  j.criteria_version, j.interview_questions, j.created_by, j.created_at, j.created_at::text AS created_at_text, j.updated_at, j.published_at,
  COALESCE((SELECT array_agg(a.user_id ORDER BY a.user_id) FROM job_assignments a WHERE a.job_id = j.id), '{}') AS hiring_manager_ids`;

export interface NewJob {
  slug: string;
  title: string;
  description: string;
  location: string;
  employmentType: EmploymentType;
  status: JobStatus;
  criteria: Criterion[];
  interviewQuestions: string[];
  createdBy: string;
}

export async function insertJob(tx: Queryable, orgId: string, job: NewJob): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO jobs (org_id, slug, title, description, location, employment_type, status, criteria, interview_questions, created_by, published_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $7 = 'open' THEN now() END) RETURNING id`,
    [orgId, job.slug, job.title, job.description, job.location, job.employmentType, job.status, JSON.stringify(job.criteria), JSON.stringify(job.interviewQuestions), job.createdBy],
  );
  return (rows[0] as { id: string }).id;
}

export async function slugExists(q: Queryable, slug: string): Promise<boolean> {
  const { rowCount } = await q.query('SELECT 1 FROM jobs WHERE slug = $1', [slug]);
  return (rowCount ?? 0) > 0;
}

/** A job, or null; with assignedTo set, only if that user is assigned (hiring managers). */
export async function findJob(q: Queryable, id: string, assignedTo: string | null, forUpdate = false): Promise<JobRow | null> {
  const { rows } = await q.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM jobs j
      WHERE j.id = $1 AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments a WHERE a.job_id = j.id AND a.user_id = $2))
      ${forUpdate ? 'FOR UPDATE OF j' : ''}`,
    [id, assignedTo],
  );
  return rows[0] ?? null;
}

export interface JobFilter {
  status?: JobStatus;
  q?: string;
  assignedTo: string | null;
  hiringManagerId?: string;
  after?: { createdAt: string; id: string };
  limit: number;
}

export async function listJobs(q: Queryable, f: JobFilter): Promise<JobRow[]> {
  const { rows } = await q.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM jobs j
      WHERE ($1::text IS NULL OR j.status = $1)
        AND ($2::text IS NULL OR j.title ILIKE '%' || $2 || '%')
        AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments a WHERE a.job_id = j.id AND a.user_id = $3))
        AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments a WHERE a.job_id = j.id AND a.user_id = $4))
        AND ($5::timestamptz IS NULL OR (j.created_at, j.id) < ($5::timestamptz, $6::uuid))
      ORDER BY j.created_at DESC, j.id DESC
      LIMIT $7`,
    [f.status ?? null, f.q ? f.q.replace(/[\\%_]/g, (c) => `\\${c}`) : null, f.assignedTo, f.hiringManagerId ?? null, f.after?.createdAt ?? null, f.after?.id ?? null, f.limit],
  );
  return rows;
}

export interface JobPatch {
  title?: string;
  description?: string;
  location?: string;
  employmentType?: EmploymentType;
  status?: JobStatus;
  criteria?: Criterion[];
  interviewQuestions?: string[];
}

export async function updateJob(tx: Queryable, id: string, p: JobPatch): Promise<void> {
  await tx.query(
    `UPDATE jobs SET
       title = COALESCE($2, title),
       description = COALESCE($3, description),
       location = COALESCE($4, location),
       employment_type = COALESCE($5, employment_type),
       status = COALESCE($6, status),
       criteria = COALESCE($7::jsonb, criteria),
       criteria_version = criteria_version + CASE WHEN $7::jsonb IS NOT NULL AND $7::jsonb <> criteria THEN 1 ELSE 0 END,
       interview_questions = COALESCE($8::jsonb, interview_questions),
       published_at = CASE WHEN $6 = 'open' AND published_at IS NULL THEN now() ELSE published_at END,
       updated_at = now()
     WHERE id = $1`,
    [
      id,
      p.title ?? null,
      p.description ?? null,
      p.location ?? null,
      p.employmentType ?? null,
      p.status ?? null,
      p.criteria ? JSON.stringify(p.criteria) : null,
      p.interviewQuestions ? JSON.stringify(p.interviewQuestions) : null,
    ],
  );
}

export async function setAssignments(tx: Queryable, orgId: string, jobId: string, userIds: string[]): Promise<void> {
  await tx.query('DELETE FROM job_assignments WHERE job_id = $1 AND NOT (user_id = ANY($2::uuid[]))', [jobId, userIds]);
  await tx.query(
    `INSERT INTO job_assignments (org_id, job_id, user_id) SELECT $1, $2, u FROM unnest($3::uuid[]) AS u ON CONFLICT DO NOTHING`,
    [orgId, jobId, userIds],
  );
}

/** Of userIds, those that are hiring managers of this org. */
export async function hiringManagersAmong(q: Queryable, userIds: string[]): Promise<string[]> {
  const { rows } = await q.query<{ user_id: string }>("SELECT user_id FROM memberships WHERE role = 'hiring_manager' AND user_id = ANY($1::uuid[])", [userIds]);
  return rows.map((r) => r.user_id);
}

export interface StageRow {
  id: string;
  job_id: string | null;
  name: string;
  kind: StageKind;
  position: number;
}

/** The org's default pipeline, created on first use (serialised per org). */
export async function ensureDefaultPipeline(tx: Queryable, orgId: string): Promise<StageRow[]> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pipeline:${orgId}`]);
  const existing = await tx.query<StageRow>('SELECT id, job_id, name, kind, position FROM pipeline_stages WHERE job_id IS NULL ORDER BY position');
  if (existing.rows.length > 0) return existing.rows;
  const { rows } = await tx.query<StageRow>(
    `INSERT INTO pipeline_stages (org_id, job_id, name, kind, position)
     SELECT $1, NULL, s.name, s.kind, s.pos - 1 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS s(name, kind, pos)
     RETURNING id, job_id, name, kind, position`,
    [orgId, DEFAULT_PIPELINE.map((s) => s.name), DEFAULT_PIPELINE.map((s) => s.kind)],
  );
  return rows.sort((a, b) => a.position - b.position);
}

/** The stages that apply to a job: its own pipeline if it has one, else the org default. */
export async function stagesForJob(q: Queryable, jobId: string): Promise<StageRow[]> {
  const { rows } = await q.query<StageRow>(
    `SELECT id, job_id, name, kind, position FROM pipeline_stages
      WHERE job_id = $1 OR (job_id IS NULL AND NOT EXISTS (SELECT 1 FROM pipeline_stages WHERE job_id = $1))
      ORDER BY position`,
    [jobId],
  );
  return rows;
}

/**
 * Writes a pipeline (a job's own, or the org default when jobId is null): updates kept
 * stages, inserts new ones, moves applications of removed stages as remapped (indexes
 * into `stages`), then deletes removed stages. Returns the removed stages that still hold
 * applications (nothing is deleted then; the caller rolls back) and the written stages.
 */
export async function replacePipeline(
  tx: Queryable,
  orgId: string,
  jobId: string | null,
  stages: { id?: string; name: string; kind: StageKind }[],
  remap: { from: string; toIndex: number }[] = [],
): Promise<{ stages: StageRow[]; blocked: string[]; moved: number }> {
  const out: StageRow[] = [];
  for (const [position, s] of stages.entries()) {
    if (s.id) {
      const { rows } = await tx.query<StageRow>(
        'UPDATE pipeline_stages SET name = $2, kind = $3, position = $4 WHERE id = $1 AND job_id IS NOT DISTINCT FROM $5 RETURNING id, job_id, name, kind, position',
        [s.id, s.name, s.kind, position, jobId],
      );
      if (rows[0]) out.push(rows[0]);
    } else {
      const { rows } = await tx.query<StageRow>(
        'INSERT INTO pipeline_stages (org_id, job_id, name, kind, position) VALUES ($1, $2, $3, $4, $5) RETURNING id, job_id, name, kind, position',
        [orgId, jobId, s.name, s.kind, position],
      );
      out.push(rows[0] as StageRow);
    }
  }
  let moved = 0;
  for (const r of remap) {
    const target = out[r.toIndex];
    if (!target) continue;
    const res = await tx.query(
      `UPDATE applications SET stage_id = $2, stage_kind = $3, updated_at = now()
        WHERE stage_id = $1 AND EXISTS (SELECT 1 FROM pipeline_stages s WHERE s.id = $1 AND s.job_id IS NOT DISTINCT FROM $4)`,
      [r.from, target.id, target.kind, jobId],
    );
    moved += res.rowCount ?? 0;
  }
  // Everything written stays (new stages included); the rest goes, unless it still holds applications.
  const keep = out.map((s) => s.id);
  const blocked = await tx.query<{ id: string }>(
    `SELECT s.id FROM pipeline_stages s WHERE s.job_id IS NOT DISTINCT FROM $1 AND NOT (s.id = ANY($2::uuid[]))
        AND EXISTS (SELECT 1 FROM applications a WHERE a.stage_id = s.id)`,
    [jobId, keep],
  );
  if (blocked.rows.length > 0) return { stages: out, blocked: blocked.rows.map((r) => r.id), moved };
  await tx.query('DELETE FROM pipeline_stages WHERE job_id IS NOT DISTINCT FROM $1 AND NOT (id = ANY($2::uuid[]))', [jobId, keep]);
  return { stages: out, blocked: [], moved };
}

export async function moveApplicationsBetweenPipelines(tx: Queryable, jobId: string, stageMap: Map<string, string>): Promise<void> {
  for (const [from, to] of stageMap) {
    await tx.query('UPDATE applications SET stage_id = $3, stage_kind = (SELECT kind FROM pipeline_stages WHERE id = $3) WHERE job_id = $1 AND stage_id = $2', [jobId, from, to]);
  }
}

/** Public side: an open job by slug (the caller binds the tenant from the org slug). */
export async function findOpenJobBySlug(q: Queryable, slug: string): Promise<JobRow | null> {
  const { rows } = await q.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.slug = $1 AND j.status = 'open'`, [slug]);
  return rows[0] ?? null;
}

export async function listOpenJobs(q: Queryable, limit: number): Promise<JobRow[]> {
  const { rows } = await q.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.status = 'open' ORDER BY j.published_at DESC NULLS LAST, j.id LIMIT $1`, [limit]);
  return rows;
}

/** How many applications each of these stages holds (stages without any are left out). */
export async function applicationCountsByStage(q: Queryable, stageIds: string[]): Promise<Map<string, number>> {
  const { rows } = await q.query<{ stage_id: string; n: number }>('SELECT stage_id, count(*)::int AS n FROM applications WHERE stage_id = ANY($1::uuid[]) GROUP BY stage_id', [stageIds]);
  return new Map(rows.map((r) => [r.stage_id, r.n]));
}

/** Keeps applications' denormalised stage_kind in step after a stage's kind changed. */
export async function syncApplicationStageKinds(tx: Queryable, stageIds: string[]): Promise<void> {
  if (stageIds.length === 0) return;
  await tx.query('UPDATE applications a SET stage_kind = s.kind, updated_at = now() FROM pipeline_stages s WHERE s.id = a.stage_id AND a.stage_id = ANY($1::uuid[]) AND a.stage_kind <> s.kind', [stageIds]);
}
