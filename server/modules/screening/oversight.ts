// Human oversight of AI-assisted outcomes (issue 6 items 7 and 8):
//
// - Explicit rescreening. A change to a job's criteria never redoes screenings by itself:
//   the screening view says the result is stale, and a member with screening:run asks for
//   a rescreen of one application or of every application still in play. That adds a new
//   pending generation (the earlier ones stay as history with their criteria and prompt
//   versions) and enqueues it after commit. The worker honours the AI pause switch and the
//   budget as for any screening: the new generation waits, nothing is lost.
// - An explanation of an AI-assisted outcome for the candidate who asks: criteria, the
//   evidence from their own CV, the score per criterion, the AI recommendation labelled as
//   advisory, and the human decision (who, outcome, reason, date). Audited as an export.
// - Contesting an outcome: a single-application link (random token, SHA-256 stored,
//   expiring, used once) for the candidate, or a member relaying the candidate's request,
//   opens a human review task; a member with decide permission resolves it with a note.
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../core/audit.js';
import { KeyDestroyedError, type CandidateCipher, type Keyring } from '../../core/crypto.js';
import type { GlobalDb, Queryable, TenantDb } from '../../core/db.js';
import { ConflictError, GoneError, NotFoundError, ServiceUnavailableError } from '../../core/errors.js';
import { decisionsOfApplication, findApplication, insertEvent } from '../applications/index.js';
import { orgName } from '../orgs/index.js';
import { findJob } from '../jobs/index.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import { unredact } from './redact.js';
import {
  activeApplicationIdsOfJob,
  contestLinkOrg,
  findContestLink,
  findReviewTask,
  getAiSettings,
  insertContestLink,
  insertRequestedScreening,
  insertReviewTask,
  latestScreeningFor,
  listReviewTasks,
  loadScreeningSource,
  markContestLinkUsed,
  memberLabel,
  monthStart,
  openReviewTaskOf,
  resolveReviewTask,
  screeningsOfApplication,
  tokensUsed,
  type ReviewTaskRow,
  type ScreeningRow,
} from './repo.js';
import type { ScreeningResult } from './service.js';
import type { AlertSink } from '../alerts/index.js';
import { translator } from '../../core/i18n/translator.js';
import { isLocale } from '../../core/i18n/locales.js';
import { hashToken, newToken } from '../../core/tokens.js';

// GoneError moved to core/errors.ts (issue 14); re-exported for this module's importers.
export { GoneError };

/** Enqueues one cv-screen rescreen job (QUEUE_JOBS.cvRescreen: one id per screening generation, a repeat is a no-op). */
export interface RescreenQueue {
  enqueue(orgId: string, applicationId: string, screeningId: string): Promise<void>;
}

export const CONTEST_LINK_DAYS = 30;
export const CONTEST_REASON_MAX = 4000;
const JOB_RESCREEN_LIMIT = 2000;

export const rescreenJobId = (applicationId: string, screeningId: string): string => `cv-rescreen-${applicationId}-${screeningId}`;
export const hashContestToken = hashToken;

export interface OversightDeps {
  // GlobalDb: a contest link token names its org only through a global lookup.
  db: TenantDb & GlobalDb;
  audit: AuditLog;
  keyring: Keyring;
  queue: RescreenQueue;
  publicUrl: URL;
  clock?: () => Date;
  /** Explanations count as candidate exports for the mass-export alert. */
  alerts?: Pick<AlertSink, 'noteExport'>;
}

type RescreenOne =
  | { applicationId: string; status: 'queued'; screeningId: string; criteriaVersion: number; generation: number; previousScreeningId: string | null }
  | { applicationId: string; status: 'already_queued'; screeningId: string; criteriaVersion: number; generation: number; previousScreeningId: null }
  | { applicationId: string; status: 'no_parsed_cv' | 'up_to_date' | 'human_review_only' };

async function cipherOrNull(keyring: Keyring, q: Queryable, orgId: string, candidateId: string): Promise<CandidateCipher | null> {
  try {
    return await keyring.candidateCipher(q, orgId, candidateId);
  } catch (err) {
    if (err instanceof KeyDestroyedError) return null;
    throw err;
  }
}

/** Why queued AI work would wait right now (pause switch or budget), or null. */
async function aiHold(q: Queryable, now: Date): Promise<string | null> {
  const s = await getAiSettings(q);
  if (s.paused) return 'ai_paused';
  if (s.monthly_token_budget !== null && (await tokensUsed(q, monthStart(now))) >= s.monthly_token_budget) return 'token_budget_exceeded';
  return null;
}

export function createScreeningOversight(deps: OversightDeps) {
  const clock = deps.clock ?? (() => new Date());

  /** Inside a tenant transaction: adds a pending generation for the application unless one is queued. */
  async function requestRescreen(tx: Queryable, ctx: Ctx, applicationId: string, onlyStale: boolean): Promise<RescreenOne> {
    const src = await loadScreeningSource(tx, applicationId);
    if (src?.human_review_only) return { applicationId, status: 'human_review_only' };
    if (!src?.document_id) return { applicationId, status: 'no_parsed_cv' };
    const latest = await latestScreeningFor(tx, applicationId, src.document_id, src.criteria_version);
    if (latest && (latest.status === 'pending' || latest.status === 'waiting')) {
      return { applicationId, status: 'already_queued', screeningId: latest.id, criteriaVersion: latest.criteria_version, generation: latest.generation, previousScreeningId: null };
    }
    if (onlyStale && latest?.status === 'completed') return { applicationId, status: 'up_to_date' };
    const previous = (await screeningsOfApplication(tx, applicationId))[0] ?? null;
    const generation = latest ? latest.generation + 1 : 1;
    const screeningId = await insertRequestedScreening(tx, {
      orgId: ctx.orgId,
      applicationId,
      jobId: src.job_id,
      documentId: src.document_id,
      criteriaVersion: src.criteria_version,
      generation,
      requestedBy: ctx.userId,
    });
    const data = { screeningId, previousScreeningId: previous?.id ?? null, criteriaVersion: src.criteria_version, previousCriteriaVersion: previous?.criteria_version ?? null, generation };
    await insertEvent(tx, { orgId: ctx.orgId, applicationId, type: 'screening.rescreen_requested', actor: { type: 'user', id: ctx.userId }, data });
    await deps.audit.recordIn(tx, ctx.orgId, {
      action: 'screening.rescreen_requested',
      actor: { type: 'user', id: ctx.userId },
      target: { type: 'application', id: applicationId },
      metadata: data,
      requestId: ctx.requestId,
    });
    return { applicationId, status: 'queued', screeningId, criteriaVersion: src.criteria_version, generation, previousScreeningId: previous?.id ?? null };
  }

  /** After commit. A failure leaves the pending generation recorded; asking again re-enqueues it (same job id). */
  async function enqueueAll(orgId: string, results: RescreenOne[]): Promise<void> {
    try {
      for (const r of results) {
        if (r.status === 'queued' || r.status === 'already_queued') await deps.queue.enqueue(orgId, r.applicationId, r.screeningId);
      }
    } catch (err) {
      throw new ServiceUnavailableError({ detail: 'The rescreen is recorded but could not be queued right now. Ask again in a moment to queue it.', cause: err });
    }
  }

  function explanationFor(ctx: Ctx, applicationId: string) {
    return deps.db.withTenantTx(ctx.orgId, async (tx) => {
      const app = await findApplication(tx, applicationId, assignedScope(ctx));
      if (!app) throw new NotFoundError({ resource: 'Application' });
      const job = await findJob(tx, app.job_id, null);
      const cipher = await cipherOrNull(deps.keyring, tx, ctx.orgId, app.candidate_id);
      if (!cipher) throw new GoneError({ detail: "The candidate's data was erased." });
      const screenings = await screeningsOfApplication(tx, applicationId);
      const used: ScreeningRow | null = screenings.find((s) => s.status === 'completed') ?? null;
      let result: ScreeningResult | null = null;
      if (used?.result_enc) {
        result = JSON.parse(cipher.openText('screenings', 'result_enc', used.id, used.result_enc)) as ScreeningResult;
        // The explanation goes to the candidate: their own CV text is shown as it is.
        if (used.redaction_map_enc) {
          const map = JSON.parse(cipher.openText('screenings', 'redaction_map_enc', used.id, used.redaction_map_enc)) as Record<string, string>;
          for (const c of result.criteria) {
            c.reasoning = unredact(c.reasoning, map);
            for (const e of c.evidence) e.quote = unredact(e.quote, map);
          }
          result.summary = unredact(result.summary, map);
        }
      }
      const decisions = await decisionsOfApplication(tx, applicationId);
      const last = decisions[decisions.length - 1] ?? null;
      let decidedBy: { name: string | null; role: string | null } | null = null;
      if (last) {
        const who = await memberLabel(tx, last.decided_by);
        decidedBy = { name: who?.display_name ?? null, role: who?.role ?? null };
      }
      await deps.audit.recordIn(tx, ctx.orgId, {
        action: 'candidate.explanation_exported',
        actor: { type: 'user', id: ctx.userId },
        target: { type: 'application', id: applicationId },
        metadata: { candidateId: app.candidate_id, screeningId: used?.id ?? null, decisionId: last?.id ?? null, role: ctx.role },
        requestId: ctx.requestId,
      });
      return {
        applicationId,
        jobTitle: job?.title ?? '',
        // issue 22: the language the candidate applied in (else the job's) and their zone.
        locale: app.locale ?? job?.language ?? 'en',
        timeZone: app.time_zone,
        generatedAt: clock().toISOString(),
        aiAssisted: used !== null,
        advisoryNotice:
          'An AI system suggested the scores and the recommendation below from your CV. They are advisory only: a person reviewed them and made the decision. You can contest the outcome and ask for a human review.',
        screening: used && result
          ? {
              screenedAt: (used.completed_at ?? used.created_at).toISOString(),
              criteriaVersion: used.criteria_version,
              model: used.model,
              promptVersion: used.prompt_version,
              simulated: used.provider === 'simulated',
              aiRecommendation: used.recommendation,
              aiRecommendationIsAdvisory: true as const,
              overallScore: used.overall_score,
              summary: result.summary,
              criteria: result.criteria.map((c) => ({
                name: c.name,
                mustHave: c.mustHave,
                weight: c.weight,
                score: c.score,
                maxScore: 4,
                verdict: c.verdict,
                reasoning: c.reasoning,
                evidence: c.evidence.map((e) => ({ quote: e.quote, foundInCv: e.grounded })),
              })),
              flags: used.flags,
            }
          : null,
        decision: last
          ? {
              outcome: last.outcome,
              reason: last.reason,
              decidedAt: last.created_at.toISOString(),
              decidedBy: decidedBy ?? { name: null, role: null },
              followedAiRecommendation: last.followed_ai,
            }
          : null,
      };
    });
  }

  function taskView(cipher: CandidateCipher | null, r: ReviewTaskRow) {
    const open = (column: string, v: Buffer | null): string | null => (cipher && v ? cipher.openText('review_tasks', column, r.id, v) : null);
    return {
      id: r.id,
      kind: r.kind,
      applicationId: r.application_id,
      jobId: r.job_id,
      jobTitle: r.job_title,
      openedVia: r.opened_via,
      openedBy: r.opened_by,
      reason: open('reason_enc', r.reason_enc),
      status: r.status,
      resolution: r.resolution,
      resolutionNote: open('resolution_note_enc', r.resolution_note_enc),
      resolvedBy: r.resolved_by,
      resolvedAt: r.resolved_at?.toISOString() ?? null,
      createdAt: r.created_at.toISOString(),
    };
  }

  /** Inside the org's transaction: opens the contest task (one open per application). */
  async function openContest(
    tx: Queryable,
    orgId: string,
    app: { id: string; candidate_id: string },
    reason: string,
    via: { kind: 'candidate_link'; linkId: string } | { kind: 'recruiter'; userId: string; requestId: string },
  ): Promise<string> {
    if (await openReviewTaskOf(tx, app.id)) throw new ConflictError({ detail: 'A review of this outcome is already open.' });
    const cipher = await cipherOrNull(deps.keyring, tx, orgId, app.candidate_id);
    if (!cipher) throw new GoneError({ detail: "The candidate's data was erased." });
    const id = randomUUID();
    await insertReviewTask(tx, {
      id,
      orgId,
      applicationId: app.id,
      openedVia: via.kind,
      contestLinkId: via.kind === 'candidate_link' ? via.linkId : null,
      openedBy: via.kind === 'recruiter' ? via.userId : null,
      reasonEnc: cipher.seal('review_tasks', 'reason_enc', id, reason),
    });
    const actor = via.kind === 'recruiter' ? { type: 'user' as const, id: via.userId } : { type: 'candidate' as const, id: app.candidate_id };
    await insertEvent(tx, { orgId, applicationId: app.id, type: 'review.contest_opened', actor, data: { reviewTaskId: id, openedVia: via.kind } });
    await deps.audit.recordIn(tx, orgId, {
      action: 'review.contest_opened',
      actor,
      target: { type: 'application', id: app.id },
      metadata: { reviewTaskId: id, openedVia: via.kind, reasonChars: reason.length },
      requestId: via.kind === 'recruiter' ? via.requestId : undefined,
    });
    return id;
  }

  /** The live link behind a token, with its org; 404 unknown, 410 expired or used. */
  async function linkByToken(token: string) {
    const hash = hashContestToken(token);
    const orgId = await deps.db.tx((q) => contestLinkOrg(q, hash));
    if (!orgId) throw new NotFoundError({ resource: 'Contest link' });
    return { orgId, hash };
  }

  return {
    async rescreenApplication(ctx: Ctx, applicationId: string) {
      const out = await deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, applicationId, assignedScope(ctx), true);
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const r = await requestRescreen(tx, ctx, applicationId, false);
        if (r.status === 'no_parsed_cv') throw new ConflictError({ detail: 'The application has no parsed CV to screen.' });
        if (r.status === 'human_review_only') {
          throw new ConflictError({
            title: 'Human review only',
            detail: 'The candidate chose a review by a person without AI screening: this application is never sent to an AI model.',
            extra: { humanReviewOnly: true },
          });
        }
        return { r, waitingFor: await aiHold(tx, clock()) };
      });
      await enqueueAll(ctx.orgId, [out.r]);
      return { ...out.r, waitingFor: out.waitingFor };
    },

    async rescreenJob(ctx: Ctx, jobId: string, onlyStale: boolean) {
      const out = await deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const job = await findJob(tx, jobId, assignedScope(ctx));
        if (!job) throw new NotFoundError({ resource: 'Job' });
        const ids = await activeApplicationIdsOfJob(tx, jobId, JOB_RESCREEN_LIMIT);
        const results: RescreenOne[] = [];
        for (const id of ids) results.push(await requestRescreen(tx, ctx, id, onlyStale));
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'screening.job_rescreen_requested',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'job', id: jobId },
          metadata: { criteriaVersion: job.criteria_version, onlyStale, queued: results.filter((r) => r.status === 'queued').length, applications: ids.length },
          requestId: ctx.requestId,
        });
        return { results, criteriaVersion: job.criteria_version, waitingFor: await aiHold(tx, clock()) };
      });
      await enqueueAll(ctx.orgId, out.results);
      const count = (s: RescreenOne['status']): number => out.results.filter((r) => r.status === s).length;
      return {
        jobId,
        criteriaVersion: out.criteriaVersion,
        onlyStale,
        queued: count('queued'),
        alreadyQueued: count('already_queued'),
        upToDate: count('up_to_date'),
        noParsedCv: count('no_parsed_cv'),
        humanReviewOnly: count('human_review_only'),
        waitingFor: out.waitingFor,
        applications: out.results.map((r) => ({ applicationId: r.applicationId, status: r.status, screeningId: 'screeningId' in r ? r.screeningId : null })),
      };
    },

    async explanation(ctx: Ctx, applicationId: string) {
      const result = await explanationFor(ctx, applicationId);
      await deps.alerts?.noteExport(ctx.orgId, ctx.userId);
      return result;
    },

    async createContestLink(ctx: Ctx, applicationId: string) {
      const token = newToken();
      const expiresAt = new Date(clock().getTime() + CONTEST_LINK_DAYS * 86_400_000);
      const linkId = await deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, applicationId, assignedScope(ctx));
        if (!app) throw new NotFoundError({ resource: 'Application' });
        const id = await insertContestLink(tx, { orgId: ctx.orgId, applicationId, tokenHash: hashContestToken(token), expiresAt, createdBy: ctx.userId });
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'review.contest_link_created',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'application', id: applicationId },
          metadata: { contestLinkId: id, expiresAt: expiresAt.toISOString() },
          requestId: ctx.requestId,
        });
        return id;
      });
      // The token is shown once (for the decision message) and stored only as a hash.
      const url = new URL(`/contest/${token}`, deps.publicUrl).toString();
      return {
        id: linkId,
        url,
        expiresAt: expiresAt.toISOString(),
        messageText: `If you disagree with this outcome, you can ask for it to be reviewed by a person. Use this link (valid for ${CONTEST_LINK_DAYS} days, once): ${url}`,
      };
    },

    async contestOnBehalf(ctx: Ctx, applicationId: string, reason: string) {
      const id = await deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const app = await findApplication(tx, applicationId, assignedScope(ctx), true);
        if (!app) throw new NotFoundError({ resource: 'Application' });
        return openContest(tx, ctx.orgId, app, reason, { kind: 'recruiter', userId: ctx.userId, requestId: ctx.requestId });
      });
      return { reviewTaskId: id, status: 'open' as const };
    },

    /** What the public contest page needs; throws 404 (unknown) or 410 (expired / used). */
    async contestPage(token: string) {
      const { orgId, hash } = await linkByToken(token);
      return deps.db.withTenant(orgId, async (q) => {
        const link = await findContestLink(q, hash);
        if (!link) throw new NotFoundError({ resource: 'Contest link' });
        const app = await findApplication(q, link.application_id, null);
        const job = app ? await findJob(q, app.job_id, null) : null;
        const state = link.used_at ? ('used' as const) : link.expires_at <= clock() ? ('expired' as const) : ('open' as const);
        // issue 22: the page speaks the language the candidate applied in (else the job's).
        return { state, orgName: (await orgName(q, orgId)) ?? '', jobTitle: job?.title ?? '', locale: app?.locale ?? job?.language ?? null, timeZone: app?.time_zone ?? null };
      });
    },

    async contestWithLink(token: string, reason: string) {
      const { orgId, hash } = await linkByToken(token);
      const id = await deps.db.withTenantTx(orgId, async (tx) => {
        const link = await findContestLink(tx, hash, true);
        if (!link) throw new NotFoundError({ resource: 'Contest link' });
        if (link.used_at) throw new GoneError({ detail: 'This link was already used. Contact the company if you need more help.' });
        const now = clock();
        if (link.expires_at <= now) throw new GoneError({ detail: 'This link has expired. Contact the company to ask for a review.' });
        const app = await findApplication(tx, link.application_id, null, true);
        if (!app) throw new NotFoundError({ resource: 'Contest link' });
        await markContestLinkUsed(tx, link.id, now);
        return openContest(tx, orgId, app, reason, { kind: 'candidate_link', linkId: link.id });
      });
      return { reviewTaskId: id, status: 'open' as const };
    },

    async listTasks(ctx: Ctx, status: 'open' | 'resolved', limit: number) {
      return deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const rows = await listReviewTasks(tx, { status, assignedTo: assignedScope(ctx), limit });
        const tasks = [];
        for (const r of rows) tasks.push(taskView(await cipherOrNull(deps.keyring, tx, ctx.orgId, r.candidate_id), r));
        return { tasks };
      });
    },

    async resolveTask(ctx: Ctx, taskId: string, input: { resolution: 'upheld' | 'changed'; note: string }) {
      return deps.db.withTenantTx(ctx.orgId, async (tx) => {
        const task = await findReviewTask(tx, taskId, assignedScope(ctx), true);
        if (!task) throw new NotFoundError({ resource: 'Review task' });
        if (task.status !== 'open') throw new ConflictError({ detail: 'The review task is already resolved.' });
        const cipher = await cipherOrNull(deps.keyring, tx, ctx.orgId, task.candidate_id);
        if (!cipher) throw new GoneError({ detail: "The candidate's data was erased." });
        const at = clock();
        await resolveReviewTask(tx, taskId, { resolution: input.resolution, noteEnc: cipher.seal('review_tasks', 'resolution_note_enc', taskId, input.note), resolvedBy: ctx.userId, at });
        await insertEvent(tx, { orgId: ctx.orgId, applicationId: task.application_id, type: 'review.resolved', actor: { type: 'user', id: ctx.userId }, data: { reviewTaskId: taskId, resolution: input.resolution } });
        await deps.audit.recordIn(tx, ctx.orgId, {
          action: 'review.resolved',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'application', id: task.application_id },
          metadata: { reviewTaskId: taskId, resolution: input.resolution, role: ctx.role },
          requestId: ctx.requestId,
        });
        const updated = await findReviewTask(tx, taskId, null);
        return taskView(cipher, updated as ReviewTaskRow);
      });
    },
  };
}

export type ScreeningOversight = ReturnType<typeof createScreeningOversight>;
export type Explanation = Awaited<ReturnType<ScreeningOversight['explanation']>>;

/**
 * The explanation as plain text (Markdown-compatible) for the candidate, in the language
 * they applied in (issue 22), dates in their time zone. English keeps ISO dates and the
 * member's role, as before localisation.
 */
export function renderExplanationText(e: Explanation): string {
  const tr = translator(isLocale(e.locale) ? e.locale : 'en', e.timeZone);
  const day = (iso: string) => (tr.locale === 'en' ? iso.slice(0, 10) : tr.date(new Date(iso)));
  const lines: string[] = [];
  lines.push(`# ${tr.t('explanation.title', { job: e.jobTitle })}`, '');
  if (!e.screening) {
    lines.push(tr.t('explanation.noAi'), '');
  } else {
    const s = e.screening;
    lines.push(tr.t('explanation.advisory'), '');
    if (s.simulated) lines.push(tr.t('explanation.simulated'), '');
    lines.push(`## ${tr.t('explanation.assessedHeading', { date: day(s.screenedAt) })}`, '');
    lines.push(tr.t('explanation.assessedIntro', { count: s.criteria.length }), '');
    for (const c of s.criteria) {
      lines.push(`### ${c.mustHave ? tr.t('explanation.required', { name: c.name }) : c.name}`);
      lines.push(`- ${tr.t('explanation.score', { score: c.score, max: c.maxScore, verdict: c.verdict })}`);
      lines.push(`- ${tr.t('explanation.why', { reasoning: c.reasoning })}`);
      for (const ev of c.evidence) lines.push(`- ${tr.t(ev.foundInCv ? 'explanation.quote' : 'explanation.quoteNotFound', { quote: ev.quote })}`);
      lines.push('');
    }
    lines.push(`## ${tr.t('explanation.recommendationHeading')}`, '', tr.t('explanation.recommendation', { rec: s.aiRecommendation ?? 'review' }), '');
  }
  lines.push(`## ${tr.t('explanation.decisionHeading')}`, '');
  if (e.decision) {
    const d = e.decision;
    // Role names are English words: other languages say "a member of the hiring team".
    const who = d.decidedBy.name ?? (d.decidedBy.role && tr.locale === 'en' ? `a ${d.decidedBy.role.replace('_', ' ')}` : tr.t('explanation.someone'));
    lines.push(tr.t('explanation.decision', { outcome: d.outcome, who, date: day(d.decidedAt) }));
    lines.push(tr.t('explanation.reason', { reason: d.reason }));
    if (d.followedAiRecommendation !== null) lines.push(tr.t(d.followedAiRecommendation ? 'explanation.followed' : 'explanation.notFollowed'));
  } else {
    lines.push(tr.t('explanation.noDecision'));
  }
  lines.push('', `## ${tr.t('explanation.disagreeHeading')}`, '', tr.t('explanation.disagree'), '');
  return lines.join('\n');
}
