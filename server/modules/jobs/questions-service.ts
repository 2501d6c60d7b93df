// Application questions of a job (issue 21 item 5): read and replace the versioned set.
// Saving a different set records version n+1 (an identical one changes nothing); versions
// are never rewritten, so an application's recorded version shows exactly what was asked.
import type { AuditLog } from '../../core/audit.js';
import type { Queryable, TenantDb } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { findJob } from './repo.js';
import { insertQuestionSet, latestQuestionSet, lockQuestionSets, type QuestionSetRow } from './questions-repo.js';
import { checkQuestionSet, questionSetHash, type QuestionSet, type QuestionSetInput } from './questions.js';
import { assignedScope, type Ctx } from '../../core/context.js';

export interface CurrentQuestionSet extends QuestionSet {
  version: number;
}

const setOf = (r: QuestionSetRow): CurrentQuestionSet => ({ version: r.version, questions: r.questions, knockouts: r.knockouts });

/** The job's current set; version 0 and no questions when it never had any. */
export async function currentQuestionSetIn(q: Queryable, jobId: string): Promise<CurrentQuestionSet> {
  const row = await latestQuestionSet(q, jobId);
  return row ? setOf(row) : { version: 0, questions: [], knockouts: [] };
}

function view(jobId: string, row: QuestionSetRow | null) {
  return row
    ? { jobId, version: row.version, questions: row.questions, knockouts: row.knockouts, createdAt: row.created_at.toISOString() }
    : { jobId, version: 0, questions: [], knockouts: [], createdAt: null };
}

export function createQuestionService(deps: { db: TenantDb; audit: AuditLog }) {
  const { db, audit } = deps;
  return {
    async get(ctx: Ctx, jobId: string) {
      return db.withTenant(ctx.orgId, async (q) => {
        if (!(await findJob(q, jobId, assignedScope(ctx)))) throw new NotFoundError({ resource: 'Job' });
        return view(jobId, await latestQuestionSet(q, jobId));
      });
    },

    async set(ctx: Ctx, jobId: string, input: QuestionSetInput) {
      const set = checkQuestionSet(input);
      const sha = questionSetHash(set);
      return db.withTenantTx(ctx.orgId, async (tx) => {
        if (!(await findJob(tx, jobId, assignedScope(ctx), true))) throw new NotFoundError({ resource: 'Job' });
        await lockQuestionSets(tx, jobId);
        const latest = await latestQuestionSet(tx, jobId);
        if (latest?.content_sha256.equals(sha) || (!latest && set.questions.length === 0)) return view(jobId, latest);
        const row = await insertQuestionSet(tx, { orgId: ctx.orgId, jobId, version: (latest?.version ?? 0) + 1, set, sha256: sha, createdBy: ctx.userId });
        await audit.recordIn(tx, ctx.orgId, {
          action: 'job.questions_changed',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'job', id: jobId },
          metadata: { version: row.version, previousVersion: latest?.version ?? 0, questions: set.questions.length, knockouts: set.knockouts.length },
          requestId: ctx.requestId,
        });
        return view(jobId, row);
      });
    },
  };
}

export type QuestionService = ReturnType<typeof createQuestionService>;
