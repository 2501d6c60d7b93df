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
  workplace: Workplace;
  street_address: string;
  postal_code: string;
  address_region: string;
  address_country: string | null;
  remote_countries: string[];
  /** numeric columns arrive as strings */
  salary_min: string | null;
  salary_max: string | null;
  salary_currency: string | null;
  salary_unit: SalaryUnit | null;
  valid_through: Date | null;
  /** issue 22: the language the job is advertised in (one of LOCALES); picks the candidate pages' locale. */
  language: string;
}

export type Workplace = 'onsite' | 'hybrid' | 'remote';
export type SalaryUnit = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH' | 'YEAR';
export interface Salary {
  min: number;
  max?: number | null;
  currency: string;
  unit: SalaryUnit;
}
/** issue 20 item 4: the careers facts of a job (JobPosting). */
export interface CareersFacts {
  workplace: Workplace;
  streetAddress: string;
  postalCode: string;
  region: string;
  country: string | null;
  remoteCountries: string[];
  salary: Salary | null;
  validThrough: string | null;
}
/** A stored salary as the API shows it (careersOf): max is null, never absent, when there is none. */
export interface SalaryView extends Salary {
  max: number | null;
}
/** The careers facts of a stored job as the API shows them. */
export interface CareersView extends Omit<CareersFacts, 'salary'> {
  salary: SalaryView | null;
}

const JOB_COLUMNS = `j.id, j.org_id, j.slug, j.title, j.description, j.location, j.employment_type, j.status, j.criteria,
  j.criteria_version, j.interview_questions, j.created_by, j.created_at, j.created_at::text AS created_at_text, j.updated_at, j.published_at,
  COALESCE((SELECT array_agg(a.user_id ORDER BY a.user_id) FROM job_assignments a WHERE a.job_id = j.id), '{}') AS hiring_manager_ids,
  j.workplace, j.street_address, j.postal_code, j.address_region, j.address_country, j.remote_countries,
  j.salary_min, j.salary_max, j.salary_currency, j.salary_unit, j.valid_through, j.language`;

/** Open and not past its valid-through: what the public pages, feeds and sitemap show. */
const PUBLIC_JOB = `j.status = 'open' AND (j.valid_through IS NULL OR j.valid_through > now())`;

/** The careers columns of an insert or update, in the order of CAREERS_SQL_COLUMNS. */
function careersParams(c: Partial<CareersFacts>): unknown[] {
  const salary = c.salary;
  return [
    c.workplace ?? null,
    c.streetAddress ?? null,
    c.postalCode ?? null,
    c.region ?? null,
    c.country === undefined ? null : c.country,
    c.remoteCountries ?? null,
    salary === undefined ? null : JSON.stringify(salary),
    c.validThrough === undefined ? null : JSON.stringify(c.validThrough),
  ];
}

/** The fields a job posting's author writes; the service's JobView shows them as they are. */
export interface JobFields {
  slug: string;
  title: string;
  description: string;
  location: string;
  employmentType: EmploymentType;
  status: JobStatus;
  criteria: Criterion[];
  interviewQuestions: string[];
}

export interface NewJob extends JobFields {
  createdBy: string;
  careers?: Partial<CareersFacts>;
  language?: string;
}

export async function insertJob(tx: Queryable, orgId: string, job: NewJob): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO jobs (org_id, slug, title, description, location, employment_type, status, criteria, interview_questions, created_by, published_at, language)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $7 = 'open' THEN now() END, $11) RETURNING id`,
    [orgId, job.slug, job.title, job.description, job.location, job.employmentType, job.status, JSON.stringify(job.criteria), JSON.stringify(job.interviewQuestions), job.createdBy, job.language ?? 'en'],
  );
  const id = (rows[0] as { id: string }).id;
  if (job.careers) await updateCareers(tx, id, job.careers);
  return id;
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
  language?: string;
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
       language = COALESCE($9, language),
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
      p.language ?? null,
    ],
  );
}

/**
 * Writes the careers facts that are set (undefined keeps the column). salary and
 * validThrough arrive as JSON so that null clears them and absent keeps them.
 */
export async function updateCareers(tx: Queryable, id: string, c: Partial<CareersFacts>): Promise<void> {
  await tx.query(
    `UPDATE jobs SET
       workplace = COALESCE($2, workplace),
       street_address = COALESCE($3, street_address),
       postal_code = COALESCE($4, postal_code),
       address_region = COALESCE($5, address_region),
       address_country = CASE WHEN $10::boolean THEN $6 ELSE address_country END,
       remote_countries = COALESCE($7::text[], remote_countries),
       salary_min = CASE WHEN $8::jsonb IS NULL THEN salary_min ELSE ($8::jsonb->>'min')::numeric END,
       salary_max = CASE WHEN $8::jsonb IS NULL THEN salary_max ELSE ($8::jsonb->>'max')::numeric END,
       salary_currency = CASE WHEN $8::jsonb IS NULL THEN salary_currency ELSE $8::jsonb->>'currency' END,
       salary_unit = CASE WHEN $8::jsonb IS NULL THEN salary_unit ELSE $8::jsonb->>'unit' END,
       valid_through = CASE WHEN $9::jsonb IS NULL THEN valid_through ELSE ($9::jsonb #>> '{}')::timestamptz END
     WHERE id = $1`,
    [id, ...careersParams(c), c.country !== undefined],
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

/** Public side: an open, unexpired job by slug (the caller binds the tenant from the org slug). */
export async function findOpenJobBySlug(q: Queryable, slug: string): Promise<JobRow | null> {
  const { rows } = await q.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.slug = $1 AND ${PUBLIC_JOB}`, [slug]);
  return rows[0] ?? null;
}

export async function listOpenJobs(q: Queryable, limit: number): Promise<JobRow[]> {
  const { rows } = await q.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE ${PUBLIC_JOB} ORDER BY j.published_at DESC NULLS LAST, j.id LIMIT $1`, [limit]);
  return rows;
}

export interface PublicJobFilter {
  /** words matched against title and description */
  q?: string;
  /** matched against city, region and country code */
  location?: string;
  /** 'remote': remote jobs only; 'onsite': on-site and hybrid only */
  remote?: 'remote' | 'onsite';
  offset: number;
  limit: number;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The careers listing: one page of open, unexpired jobs in a stable order, and the total. */
export async function searchOpenJobs(q: Queryable, f: PublicJobFilter): Promise<{ jobs: JobRow[]; total: number }> {
  const where = `${PUBLIC_JOB}
        AND ($1::text IS NULL OR j.title ILIKE '%' || $1 || '%' OR j.description ILIKE '%' || $1 || '%')
        AND ($2::text IS NULL OR j.location ILIKE '%' || $2 || '%' OR j.address_region ILIKE '%' || $2 || '%' OR j.address_country = upper($2))
        AND ($3::text IS NULL OR ($3 = 'remote' AND j.workplace = 'remote') OR ($3 = 'onsite' AND j.workplace <> 'remote'))`;
  const params = [f.q ? escapeLike(f.q) : null, f.location ? escapeLike(f.location) : null, f.remote ?? null];
  const page = await q.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE ${where} ORDER BY j.published_at DESC NULLS LAST, j.id LIMIT $4 OFFSET $5`, [...params, f.limit, f.offset]);
  const count = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs j WHERE ${where}`, params);
  return { jobs: page.rows, total: count.rows[0]?.n ?? 0 };
}

/** Distinct places of the open jobs, for the location filter. */
export async function openJobLocations(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ location: string }>(`SELECT DISTINCT j.location FROM jobs j WHERE ${PUBLIC_JOB} AND j.location <> '' ORDER BY 1 LIMIT 100`);
  return rows.map((r) => r.location);
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
