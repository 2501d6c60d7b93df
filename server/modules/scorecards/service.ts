// Structured interview scorecards (issue 21 item 4): one scorecard per interviewer per
// application, a 1-5 rating with an evidence note per job criterion, and an overall
// recommendation. Others' scorecards stay hidden until the caller has submitted their own
// (independent judgement, enforced here, not in the console). A scorecard can be edited
// until the application is hired or rejected; after that it is locked.
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../core/audit.js';
import { KeyDestroyedError, type Keyring } from '../../core/crypto.js';
import type { TenantDb } from '../../core/db.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import { findApplication, insertEvent } from '../applications/index.js';
import { findJob } from '../jobs/index.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import { aiScoresForJob, scorecardsForApplication, submittedRatingsForJob, upsertScorecard, type Recommendation, type ScorecardRow } from './repo.js';
import { summarise } from './summary.js';

export interface ScorecardInput {
  ratings: { criterion: string; rating: number; evidence: string }[];
  recommendation: Recommendation;
  submit: boolean;
}

export interface ScorecardDeps {
  db: TenantDb;
  audit: AuditLog;
  keyring: Keyring;
}

/** Criterion keys follow the job's criteria order (c1, c2, ...), as the AI screening does. */
export function criterionKeys(criteria: { name: string }[]): { key: string; name: string }[] {
  return criteria.map((c, i) => ({ key: `c${i + 1}`, name: c.name }));
}

export function createScorecardService(deps: ScorecardDeps) {
  const { db, audit, keyring } = deps;

  function view(row: ScorecardRow, open: (r: ScorecardRow) => Record<string, string> | null, mine: boolean) {
    const evidence = open(row);
    return {
      id: row.id,
      authorId: row.author_id,
      mine,
      status: row.status,
      submittedAt: row.submitted_at ? row.submitted_at.toISOString() : null,
      updatedAt: row.updated_at.toISOString(),
      recommendation: row.recommendation,
      criteriaVersion: row.criteria_version,
      ratings: Object.entries(row.ratings).map(([criterion, rating]) => ({ criterion, rating, evidence: evidence?.[criterion] ?? '' })),
    };
  }

  return {
    async list(ctx: Ctx, applicationId: string) {
      return db.withTenant(ctx.orgId, async (q) => {
        const app = await findApplication(q, applicationId, assignedScope(ctx));
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const job = await findJob(q, app.job_id, assignedScope(ctx));
        if (!job) throw new NotFoundError({ resource: 'Application' });
        const rows = await scorecardsForApplication(q, applicationId);
        const mine = rows.find((r) => r.author_id === ctx.userId) ?? null;
        const revealed = mine?.status === 'submitted';
        let cipher: Awaited<ReturnType<Keyring['candidateCipher']>> | null = null;
        try {
          cipher = await keyring.candidateCipher(q, ctx.orgId, app.candidate_id);
        } catch (err) {
          if (!(err instanceof KeyDestroyedError)) throw err;
        }
        const open = (r: ScorecardRow) => (cipher ? (JSON.parse(cipher.openText('scorecards', 'evidence_enc', r.id, r.evidence_enc)) as Record<string, string>) : null);
        const others = rows.filter((r) => r.author_id !== ctx.userId);
        return {
          criteria: criterionKeys(job.criteria),
          criteriaVersion: job.criteria_version,
          locked: app.stage_kind === 'hired' || app.stage_kind === 'rejected',
          mine: mine ? view(mine, open, true) : null,
          // Until the caller submits, only the number of others' submitted scorecards is shown.
          othersHidden: !revealed,
          othersSubmitted: others.filter((r) => r.status === 'submitted').length,
          others: revealed ? others.filter((r) => r.status === 'submitted').map((r) => view(r, open, false)) : [],
        };
      });
    },

    async save(ctx: Ctx, applicationId: string, input: ScorecardInput) {
      return db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, applicationId, assignedScope(ctx), true);
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const job = await findJob(tx, app.job_id, assignedScope(ctx));
        if (!job) throw new NotFoundError({ resource: 'Application' });
        if (app.stage_kind === 'hired' || app.stage_kind === 'rejected') {
          throw new ConflictError({ detail: 'The hiring decision has been made; scorecards for this application are locked.' });
        }
        const keys = criterionKeys(job.criteria).map((c) => c.key);
        if (keys.length === 0) throw new UnprocessableError({ detail: 'This job has no criteria to rate.' });
        const seen = new Set<string>();
        for (const r of input.ratings) {
          if (!keys.includes(r.criterion)) throw new UnprocessableError({ detail: `Criterion ${r.criterion} is not a criterion of this job.` });
          if (seen.has(r.criterion)) throw new UnprocessableError({ detail: `Criterion ${r.criterion} is rated twice.` });
          seen.add(r.criterion);
        }
        if (input.submit && seen.size !== keys.length) {
          throw new UnprocessableError({ detail: 'Rate every criterion, with evidence, before submitting.' });
        }
        const cipher = await keyring.candidateCipher(tx, ctx.orgId, app.candidate_id).catch((err: unknown) => {
          if (err instanceof KeyDestroyedError) throw new NotFoundError({ resource: 'Candidate', detail: 'This candidate\'s data has been erased.' });
          throw err;
        });
        const existing = (await scorecardsForApplication(tx, applicationId)).find((r) => r.author_id === ctx.userId);
        const id = existing?.id ?? randomUUID();
        const row = await upsertScorecard(tx, {
          id,
          orgId: ctx.orgId,
          applicationId,
          jobId: app.job_id,
          authorId: ctx.userId,
          criteriaVersion: job.criteria_version,
          ratings: Object.fromEntries(input.ratings.map((r) => [r.criterion, r.rating])),
          recommendation: input.recommendation,
          evidenceEnc: cipher.seal('scorecards', 'evidence_enc', id, JSON.stringify(Object.fromEntries(input.ratings.map((r) => [r.criterion, r.evidence])))),
          submit: input.submit,
        });
        const submittedNow = row.status === 'submitted' && existing?.status !== 'submitted';
        const type = submittedNow ? 'scorecard.submitted' : 'scorecard.saved';
        await insertEvent(tx, { orgId: ctx.orgId, applicationId, type, actor: { type: 'user', id: ctx.userId }, data: { scorecardId: id, recommendation: input.recommendation } });
        await audit.recordIn(tx, ctx.orgId, {
          action: submittedNow ? 'scorecard.submitted' : existing ? 'scorecard.updated' : 'scorecard.created',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'application', id: applicationId },
          // Ratings and recommendation are not PII; evidence text never leaves the sealed column.
          metadata: { scorecardId: id, status: row.status, recommendation: input.recommendation, criteria: input.ratings.length },
          requestId: ctx.requestId,
        });
        return view(row, () => Object.fromEntries(input.ratings.map((r) => [r.criterion, r.evidence])), true);
      });
    },

    async summary(ctx: Ctx, jobId: string) {
      return db.withTenant(ctx.orgId, async (q) => {
        const job = await findJob(q, jobId, assignedScope(ctx));
        if (!job) throw new NotFoundError({ resource: 'Job' });
        const human = await submittedRatingsForJob(q, jobId, job.criteria_version);
        const ai = await aiScoresForJob(q, jobId, job.criteria_version);
        return {
          jobId,
          criteriaVersion: job.criteria_version,
          scale: { human: '1-5', ai: '0-4, compared as +1' },
          agreementMethod: 'share of rater pairs on the same application within 1 point',
          scorecards: human.length,
          applications: new Set(human.map((h) => h.application_id)).size,
          criteria: summarise(
            criterionKeys(job.criteria),
            human.map((h) => ({ applicationId: h.application_id, ratings: h.ratings })),
            ai.map((a) => ({ applicationId: a.application_id, scores: a.scores })),
          ),
        };
      });
    },
  };
}

export type ScorecardService = ReturnType<typeof createScorecardService>;
