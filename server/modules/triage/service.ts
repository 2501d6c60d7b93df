// Saved pipeline views (per member), last visits to a job's pipeline and the jobs list's
// per-stage counts with "new since your last visit" (issue 21).
import type { TenantDb } from '../../core/db.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import { findJob } from '../jobs/index.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import { allStages, countSavedViews, deleteSavedView, insertSavedView, jobSummaries, listSavedViews, recordJobVisit, type SavedViewRow } from './repo.js';
import type { ViewFilters } from './schemas.js';

/** Enough for every way a member slices a pipeline; a bound keeps the table small. */
export const MAX_VIEWS_PER_MEMBER = 50;

const viewOf = (r: SavedViewRow) => ({ id: r.id, name: r.name, filters: r.filters, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() });

export function createTriageService(deps: { db: TenantDb; clock: () => Date }) {
  const { db, clock } = deps;
  return {
    async listViews(ctx: Ctx) {
      return { views: (await db.withTenant(ctx.orgId, (q) => listSavedViews(q, ctx.userId))).map(viewOf) };
    },

    async createView(ctx: Ctx, input: { name: string; filters: ViewFilters }) {
      const name = input.name.trim();
      return db.withTenantTx(ctx.orgId, async (tx) => {
        if ((await countSavedViews(tx, ctx.userId)) >= MAX_VIEWS_PER_MEMBER) {
          throw new UnprocessableError({ detail: `You have ${MAX_VIEWS_PER_MEMBER} saved views, the most allowed; delete one first.` });
        }
        const row = await insertSavedView(tx, { orgId: ctx.orgId, userId: ctx.userId, name, filters: input.filters });
        if (!row) throw new ConflictError({ detail: 'You already have a saved view with that name.' });
        return viewOf(row);
      });
    },

    async deleteView(ctx: Ctx, id: string): Promise<void> {
      // Another member's view (or another org's) is simply not found.
      if (!(await db.withTenant(ctx.orgId, (q) => deleteSavedView(q, id, ctx.userId)))) throw new NotFoundError({ resource: 'Saved view' });
    },

    /** The member opened the job's pipeline: remember when, answer the previous visit. */
    async visitJob(ctx: Ctx, jobId: string) {
      return db.withTenantTx(ctx.orgId, async (tx) => {
        if (!(await findJob(tx, jobId, assignedScope(ctx)))) throw new NotFoundError({ resource: 'Job' });
        const previous = await recordJobVisit(tx, { orgId: ctx.orgId, userId: ctx.userId, jobId, at: clock() });
        return { previousVisitAt: previous ? previous.toISOString() : null };
      });
    },

    async jobSummaries(ctx: Ctx, f: { status?: string }) {
      return db.withTenant(ctx.orgId, async (q) => {
        const [rows, stages] = await Promise.all([jobSummaries(q, ctx.userId, assignedScope(ctx), f.status ?? null), allStages(q)]);
        const defaults = stages.filter((st) => st.job_id === null);
        return {
          jobs: rows.map((r) => {
            const own = stages.filter((st) => st.job_id === r.job_id);
            const counts = r.stage_counts ?? {};
            const list = (own.length ? own : defaults).map((st) => ({ stageId: st.id, name: st.name, kind: st.kind, count: counts[st.id] ?? 0 }));
            return {
              jobId: r.job_id,
              title: r.title,
              status: r.status,
              total: Object.values(counts).reduce((n, c) => n + c, 0),
              stages: list,
              newSinceLastVisit: r.new_since,
              lastVisitAt: r.last_visit_at ? r.last_visit_at.toISOString() : null,
            };
          }),
        };
      });
    },
  };
}

export type TriageService = ReturnType<typeof createTriageService>;
