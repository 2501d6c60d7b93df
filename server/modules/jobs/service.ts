// Jobs: CRUD, criteria, interview questions, hiring-manager assignment, pipelines.
// Hiring managers see only the jobs they are assigned to; anything else is a 404.
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../../core/audit.js';
import type { Queryable, TenantDb } from '../../core/db.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';
import { requirePrivacyContactIn } from '../notices/index.js';
import { slugify } from '../orgs/index.js';
import {
  ensureDefaultPipeline,
  findJob,
  hiringManagersAmong,
  insertJob,
  listJobs,
  applicationCountsByStage,
  moveApplicationsBetweenPipelines,
  replacePipeline,
  syncApplicationStageKinds,
  setAssignments,
  slugExists,
  stagesForJob,
  updateJob,
  type Criterion,
  type EmploymentType,
  type JobFields,
  type JobRow,
  type JobStatus,
  type StageKind,
  type StageRow,
  type CareersView,
  updateCareers,
} from './repo.js';
import { careersOf, checkCareers, type CareersInput } from './careers.js';
import type { Locale } from '../../core/i18n/locales.js';


export interface JobView extends CareersView, JobFields {
  id: string;
  criteriaVersion: number;
  hiringManagerIds: string[];
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  language: string;
}

export function toJobView(r: JobRow): JobView {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    description: r.description,
    location: r.location,
    employmentType: r.employment_type,
    status: r.status,
    criteria: r.criteria,
    criteriaVersion: r.criteria_version,
    interviewQuestions: r.interview_questions,
    hiringManagerIds: r.hiring_manager_ids,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    publishedAt: r.published_at ? r.published_at.toISOString() : null,
    language: r.language,
    ...careersOf(r),
  };
}

export interface StageView {
  id: string;
  name: string;
  kind: StageKind;
  position: number;
}

export const toStageView = (s: StageRow): StageView => ({ id: s.id, name: s.name, kind: s.kind, position: s.position });


export interface CreateJobInput extends CareersInput {
  title: string;
  description?: string;
  location?: string;
  employmentType: EmploymentType;
  status?: JobStatus;
  slug?: string;
  criteria?: Criterion[];
  interviewQuestions?: string[];
  hiringManagerIds?: string[];
  /** One of LOCALES (the schema checks it); default en. */
  language?: Locale;
}

export type UpdateJobInput = Partial<Omit<CreateJobInput, 'slug'>>;

function checkCriteria(criteria: Criterion[] | undefined): void {
  if (!criteria) return;
  const names = new Set<string>();
  for (const c of criteria) {
    const key = c.name.trim().toLowerCase();
    if (names.has(key)) throw new UnprocessableError({ detail: `Criterion "${c.name}" appears twice.` });
    names.add(key);
  }
}

export interface PipelineInput {
  stages: { id?: string; name: string; kind: StageKind }[];
  /** Where the applications of a removed stage go: `toIndex` points into `stages`. */
  remap?: { from: string; toIndex: number }[];
}

const FINAL_KINDS: readonly StageKind[] = ['hired', 'rejected', 'withdrawn'];

/** Rules every pipeline (a job's or the org default) follows, checked before any write. */
export function checkPipelineShape(input: PipelineInput): void {
  const { stages } = input;
  for (const kind of ['new', 'rejected', 'hired'] as const) {
    if (!stages.some((s) => s.kind === kind)) throw new UnprocessableError({ detail: `The pipeline needs a stage of kind "${kind}".` });
  }
  if (stages[0]?.kind !== 'new') throw new UnprocessableError({ detail: 'The first stage must be of kind "new".' });
  const ids = stages.map((s) => s.id).filter(Boolean);
  if (new Set(ids).size !== ids.length) throw new UnprocessableError({ detail: 'A stage id appears twice.' });
  const names = stages.map((s) => s.name.trim().toLowerCase());
  if (new Set(names).size !== names.length) throw new UnprocessableError({ detail: 'Two stages have the same name.' });
  const froms = new Set<string>();
  for (const r of input.remap ?? []) {
    if (froms.has(r.from)) throw new UnprocessableError({ detail: 'A stage is remapped twice.' });
    froms.add(r.from);
    if (ids.includes(r.from)) throw new UnprocessableError({ detail: 'Only a removed stage can be remapped.' });
    if (r.toIndex >= stages.length) throw new UnprocessableError({ detail: 'remap toIndex points past the last stage.' });
  }
}

/**
 * Writes a pipeline over `current` (the stages it replaces) with the shared rules: ids
 * must be current stages; a stage holding applications keeps out of and away from the
 * final kinds (those need a human decision per application) and is removed only when
 * remapped to a stage of a compatible kind.
 */
async function writePipeline(tx: Queryable, orgId: string, jobId: string | null, current: StageRow[], input: PipelineInput): Promise<{ stages: StageRow[]; moved: number }> {
  const byId = new Map(current.map((s) => [s.id, s]));
  for (const s of input.stages) {
    if (s.id && !byId.has(s.id)) throw new UnprocessableError({ detail: "A stage id does not belong to this pipeline; omit id to add a stage." });
  }
  const counts = await applicationCountsByStage(tx, current.map((s) => s.id));
  const kindChanged: string[] = [];
  for (const s of input.stages) {
    const was = s.id ? byId.get(s.id) : undefined;
    if (!was || was.kind === s.kind) continue;
    if ((counts.get(was.id) ?? 0) > 0 && (FINAL_KINDS.includes(was.kind) || FINAL_KINDS.includes(s.kind))) {
      throw new ConflictError({ detail: `Stage "${was.name}" holds applications: it cannot change to or from a final kind ("${was.kind}" -> "${s.kind}").` });
    }
    kindChanged.push(was.id);
  }
  for (const r of input.remap ?? []) {
    const from = byId.get(r.from);
    if (!from) throw new UnprocessableError({ detail: 'A remapped stage id does not belong to this pipeline.' });
    const to = input.stages[r.toIndex] as { kind: StageKind };
    if (from.kind !== to.kind && (FINAL_KINDS.includes(from.kind) || FINAL_KINDS.includes(to.kind))) {
      throw new UnprocessableError({ detail: `Applications in "${from.name}" (${from.kind}) cannot be remapped to a stage of kind "${to.kind}".` });
    }
  }
  const written = await replacePipeline(tx, orgId, jobId, input.stages, input.remap);
  if (written.blocked.length > 0) {
    throw new ConflictError({
      detail: 'A stage that still holds applications cannot be removed: remap it ("remap": [{"from": stageId, "toIndex": n}]) or move the applications first.',
      extra: { stageIds: written.blocked },
    });
  }
  await syncApplicationStageKinds(tx, kindChanged);
  return { stages: written.stages, moved: written.moved };
}

export function createJobService(deps: { db: TenantDb; audit: AuditLog }) {
  const { db, audit } = deps;

  async function checkManagers(tx: Parameters<typeof hiringManagersAmong>[0], ids: string[] | undefined): Promise<void> {
    if (!ids || ids.length === 0) return;
    const unique = [...new Set(ids)];
    const found = await hiringManagersAmong(tx, unique);
    if (found.length !== unique.length) {
      throw new UnprocessableError({ detail: 'Every hiringManagerIds entry must be a hiring manager of this organisation.' });
    }
  }

  return {
    async create(ctx: Ctx, input: CreateJobInput): Promise<JobView> {
      checkCriteria(input.criteria);
      const careers = checkCareers(input, null, new Date());
      const id = await db.withTenantTx(ctx.orgId, async (tx) => {
        await checkManagers(tx, input.hiringManagerIds);
        if (input.status === 'open') await requirePrivacyContactIn(tx);
        await ensureDefaultPipeline(tx, ctx.orgId);
        let slug = input.slug ?? slugify(input.title);
        if (await slugExists(tx, slug)) {
          if (input.slug) throw new ConflictError({ detail: `A job with slug "${slug}" exists.` });
          slug = `${slug.slice(0, 70)}-${randomBytes(3).toString('hex')}`;
        }
        const jobId = await insertJob(tx, ctx.orgId, {
          slug,
          title: input.title.trim(),
          description: input.description ?? '',
          location: input.location ?? '',
          employmentType: input.employmentType,
          status: input.status ?? 'draft',
          criteria: input.criteria ?? [],
          interviewQuestions: input.interviewQuestions ?? [],
          createdBy: ctx.userId,
          careers,
          language: input.language ?? 'en',
        });
        if (input.hiringManagerIds) await setAssignments(tx, ctx.orgId, jobId, [...new Set(input.hiringManagerIds)]);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'job.created',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'job', id: jobId },
          metadata: { status: input.status ?? 'draft', criteria: (input.criteria ?? []).length, hiringManagers: input.hiringManagerIds?.length ?? 0 },
          requestId: ctx.requestId,
        });
        return jobId;
      });
      return this.get(ctx, id);
    },

    async get(ctx: Ctx, id: string): Promise<JobView> {
      const job = await db.withTenant(ctx.orgId, (q) => findJob(q, id, assignedScope(ctx)));
      if (!job) throw new NotFoundError({ resource: 'Job' });
      return toJobView(job);
    },

    async list(ctx: Ctx, f: { status?: JobStatus; q?: string; hiringManagerId?: string; cursor?: string; limit: number }): Promise<{ jobs: JobView[]; nextCursor: string | null }> {
      const after = decodeCursor(f.cursor);
      const rows = await db.withTenant(ctx.orgId, (q) =>
        listJobs(q, { status: f.status, q: f.q, hiringManagerId: f.hiringManagerId, assignedTo: assignedScope(ctx), after, limit: f.limit + 1 }),
      );
      const page = rows.slice(0, f.limit);
      const last = page.at(-1);
      return { jobs: page.map(toJobView), nextCursor: rows.length > f.limit && last ? encodeCursor(last.created_at_text, last.id) : null };
    },

    async update(ctx: Ctx, id: string, input: UpdateJobInput): Promise<JobView> {
      checkCriteria(input.criteria);
      await db.withTenantTx(ctx.orgId, async (tx) => {
        const job = await findJob(tx, id, assignedScope(ctx), true);
        if (!job) throw new NotFoundError({ resource: 'Job' });
        await checkManagers(tx, input.hiringManagerIds);
        if (input.status === 'open' && job.status !== 'open') await requirePrivacyContactIn(tx);
        const careers = checkCareers(input, job, new Date());
        await updateJob(tx, id, input);
        await updateCareers(tx, id, careers);
        if (input.hiringManagerIds) await setAssignments(tx, ctx.orgId, id, [...new Set(input.hiringManagerIds)]);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'job.updated',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'job', id },
          metadata: { fields: Object.keys(input).sort(), ...(input.status && input.status !== job.status ? { status: input.status } : {}) },
          requestId: ctx.requestId,
        });
      });
      return this.get(ctx, id);
    },

    async pipeline(ctx: Ctx, jobId: string): Promise<StageView[]> {
      return db.withTenant(ctx.orgId, async (q) => {
        const job = await findJob(q, jobId, assignedScope(ctx));
        if (!job) throw new NotFoundError({ resource: 'Job' });
        return (await stagesForJob(q, jobId)).map(toStageView);
      });
    },

    /**
     * Replaces a job's pipeline (rename, add, reorder stages). Applications in a
     * default-pipeline stage move to the job's stage of the same kind.
     */
    async setPipeline(ctx: Ctx, jobId: string, input: PipelineInput): Promise<StageView[]> {
      checkPipelineShape(input);
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const job = await findJob(tx, jobId, assignedScope(ctx), true);
        if (!job) throw new NotFoundError({ resource: 'Job' });
        const before = await stagesForJob(tx, jobId);
        const own = before.filter((s) => s.job_id === jobId);
        const { stages: after, moved } = await writePipeline(tx, ctx.orgId, jobId, own, input);
        const usedDefault = before.filter((s) => s.job_id === null);
        if (usedDefault.length > 0) {
          const map = new Map<string, string>();
          for (const s of usedDefault) {
            const target = after.find((a) => a.kind === s.kind) ?? after[0];
            if (target) map.set(s.id, target.id);
          }
          await moveApplicationsBetweenPipelines(tx, jobId, map);
        }
        await audit.recordIn(tx, ctx.orgId, {
          action: 'job.pipeline_changed',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'job', id: jobId },
          metadata: { stages: after.map((s) => s.kind), remapped: moved },
          requestId: ctx.requestId,
        });
        return after.map(toStageView);
      });
    },

    /** The org's default pipeline (used by every job without its own, and by new jobs). */
    async defaultPipeline(ctx: Ctx): Promise<StageView[]> {
      return db.withTenantTx(ctx.orgId, async (tx) => (await ensureDefaultPipeline(tx, ctx.orgId)).map(toStageView));
    },

    /**
     * Replaces the org default pipeline, same rules as a job's. Jobs without their own
     * pipeline follow it at once; a removed stage's applications move only as remapped.
     */
    async setDefaultPipeline(ctx: Ctx, input: PipelineInput): Promise<StageView[]> {
      checkPipelineShape(input);
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const before = await ensureDefaultPipeline(tx, ctx.orgId);
        const { stages: after, moved } = await writePipeline(tx, ctx.orgId, null, before, input);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'pipeline.default_changed',
          actor: { type: 'user', id: ctx.userId },
          target: null,
          metadata: { stages: after.map((s) => s.kind), before: before.map((s) => s.kind), remapped: moved },
          requestId: ctx.requestId,
        });
        return after.map(toStageView);
      });
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;

// Row vocabularies the routes' schemas and handlers name.
export type { JobStatus } from './repo.js';
