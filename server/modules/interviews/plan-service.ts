// The job's interview plan (issue 22 item 4): drafted by the model from the job (seeded,
// temperature 0, strict output schema), or typed and edited by a recruiter; every version
// passes validatePlan (one existing criterion per question with a rubric anchor, must-haves
// covered, no protected characteristics) before it is stored, and it stays a draft until
// a recruiter approves it. Invites use only an approved plan (service.ts create).
import type { AuditLog } from '../../core/audit.js';
import type { Queryable, TenantDb } from '../../core/db.js';
import { BadGatewayError, ConflictError, NotFoundError, ServiceUnavailableError, UnprocessableError } from '../../core/errors.js';
import type { Logger } from 'pino';
import { findJob, type JobRow } from '../jobs/index.js';
import { assignedScope, type Ctx } from '../../core/context.js';
import { ProviderError, type ModelProvider } from '../screening/index.js';
import { addUsage, getAiSettings, monthStart, tokensUsed } from '../screening/index.js';
import { buildPlanPrompt, criterionKeyOf, parsePlanOutput, PLAN_PROMPT_VERSION, PLAN_SCHEMA_NAME, PLAN_SEED, planOutputSchema, validatePlan, type PlanItem, type PlanProblem } from './plan-draft.js';
import { approvePlanRow, findPlan, savePlanItems, upsertPlan, type AvailabilityWindow, type PlanRow, type VoiceSetting, type WeeklyHours } from './repo.js';

export interface PlanQuestionInput {
  text: string;
  criterion: string;
  anchor: string;
}

export interface PlanInput {
  questions: PlanQuestionInput[];
  maxDurationSeconds: number;
  language: string;
  availability: AvailabilityWindow[];
  /** Recurring hours; an invite gets them as UTC windows for the next 14 days. Absent or null: none. */
  weeklyHours?: WeeklyHours | null;
  voice: VoiceSetting | null;
}

export interface PlanQuestionView {
  text: string;
  criterion: string | null;
  criterionName: string | null;
  anchor: string | null;
}

export interface PlanView {
  jobId: string;
  /** none: no plan yet (draft one or type one); draft: not usable for invites until approved. */
  status: 'none' | 'draft' | 'approved';
  source: 'recruiter' | 'ai' | 'legacy' | null;
  questions: PlanQuestionView[];
  criteria: { key: string; name: string; mustHave: boolean }[];
  /** What stands in the way of approving the plan as it is (empty when it can be approved). */
  problems: PlanProblem[];
  draft: { model: string | null; seed: number | null } | null;
  approvedAt: string | null;
  approvedBy: string | null;
  maxDurationSeconds: number;
  language: string;
  availability: AvailabilityWindow[];
  weeklyHours: WeeklyHours | null;
  voice: VoiceSetting | null;
  assistant: { id: string | null; synced: boolean };
}

export interface PlanModel {
  provider: ModelProvider;
  model: string;
}

/** Problems of a stored plan against the job as it is now (criteria edited after the plan count too). */
export function planProblems(plan: PlanRow, job: Pick<JobRow, 'criteria' | 'criteria_version'>): PlanProblem[] {
  const problems = validatePlan(plan.items ?? [], job.criteria);
  if (plan.source !== 'legacy' && plan.criteria_version !== job.criteria_version) {
    problems.unshift({ question: null, code: 'unknown_criterion', detail: "The job's criteria changed after this plan was written; check each question's criterion and save the plan again." });
  }
  return problems;
}

function problemError(problems: PlanProblem[]): UnprocessableError {
  return new UnprocessableError({ detail: problems.map((p) => p.detail).join(' '), extra: { problems } });
}

export function createPlanService(deps: { db: TenantDb; audit: AuditLog; clock: () => Date; log: Logger; planModel?: PlanModel; normalise: (input: PlanInput) => { availability: AvailabilityWindow[]; weeklyHours: WeeklyHours | null } }) {
  const { db, audit } = deps;

  async function jobOr404(q: Queryable, ctx: Ctx, jobId: string): Promise<JobRow> {
    const job = await findJob(q, jobId, assignedScope(ctx));
    if (!job) throw new NotFoundError({ resource: 'Job' });
    return job;
  }

  function view(jobId: string, job: JobRow, plan: PlanRow | null): PlanView {
    const names = new Map(job.criteria.map((c, i) => [criterionKeyOf(i), c.name]));
    return {
      jobId,
      status: plan ? plan.status : 'none',
      source: plan?.source ?? null,
      questions: (plan?.items ?? []).map((i) => ({ text: i.text, criterion: i.criterion, criterionName: i.criterion ? (names.get(i.criterion) ?? null) : null, anchor: i.anchor })),
      criteria: job.criteria.map((c, i) => ({ key: criterionKeyOf(i), name: c.name, mustHave: c.mustHave })),
      problems: plan ? planProblems(plan, job) : [],
      draft: plan?.source === 'ai' ? { model: plan.draft_model, seed: plan.draft_seed } : null,
      approvedAt: plan?.approved_at ? plan.approved_at.toISOString() : null,
      approvedBy: plan?.approved_by ?? null,
      maxDurationSeconds: plan?.max_duration_seconds ?? 900,
      // No plan yet: the interview speaks the job's language (issue 22).
      language: plan?.language ?? job.language,
      availability: plan?.availability ?? [],
      weeklyHours: plan?.weekly_hours ?? null,
      voice: plan?.voice ?? null,
      assistant: { id: plan?.vapi_assistant_id ?? null, synced: Boolean(plan?.assistant_hash) },
    };
  }

  const sameItems = (a: PlanItem[] | null, b: PlanItem[]): boolean =>
    a !== null && a.length === b.length && a.every((x, i) => x.text === b[i]?.text && x.criterion === b[i]?.criterion && x.anchor === b[i]?.anchor);

  return {
    async getPlan(ctx: Ctx, jobId: string): Promise<PlanView> {
      return db.withTenant(ctx.orgId, async (q) => {
        const job = await jobOr404(q, ctx, jobId);
        return view(jobId, job, await findPlan(q, jobId));
      });
    },

    /**
     * Saves the recruiter's plan. Changed questions make it a draft again (it needs a new
     * approval); unchanged questions with other hours, duration or voice keep the approval.
     */
    async savePlan(ctx: Ctx, jobId: string, input: PlanInput): Promise<PlanView> {
      const { availability, weeklyHours } = deps.normalise(input);
      const items: PlanItem[] = input.questions.map((q) => ({ text: q.text.trim(), criterion: q.criterion, anchor: q.anchor.trim() }));
      await db.withTenantTx(ctx.orgId, async (tx) => {
        const job = await jobOr404(tx, ctx, jobId);
        const problems = validatePlan(items, job.criteria);
        if (problems.length > 0) throw problemError(problems);
        const current = await findPlan(tx, jobId, true);
        // The language (voice, transcriber) is logistics: the approved texts are what the recruiter signed off.
        const changed = !current || !sameItems(current.items, items) || current.criteria_version !== job.criteria_version;
        if (changed) await savePlanItems(tx, ctx.orgId, jobId, { items, source: 'recruiter', criteriaVersion: job.criteria_version, draftModel: null, draftSeed: null, language: input.language });
        await upsertPlan(tx, ctx.orgId, jobId, { questions: items.map((i) => i.text), maxDurationSeconds: input.maxDurationSeconds, language: input.language, availability, weeklyHours, voice: input.voice });
        await audit.recordIn(tx, ctx.orgId, {
          action: 'interview.plan_changed',
          actor: { type: 'user', id: ctx.userId },
          target: { type: 'job', id: jobId },
          metadata: { questions: items.length, questionsChanged: changed, status: changed ? 'draft' : (current?.status ?? 'draft'), maxDurationSeconds: input.maxDurationSeconds, language: input.language, windows: availability.length, weeklyHours: weeklyHours?.days.length ?? 0, voiceSet: Boolean(input.voice) },
          requestId: ctx.requestId,
        });
      });
      return this.getPlan(ctx, jobId);
    },

    /**
     * Drafts the plan with the model from the job's title, description and criteria (no
     * candidate data). The answer must parse against the pinned schema and pass
     * validatePlan; otherwise it is refused (502) and nothing is stored. Stored as a draft.
     */
    async draftPlan(ctx: Ctx, jobId: string, input: { language?: string }): Promise<PlanView> {
      if (!deps.planModel) throw new ServiceUnavailableError({ detail: 'No language model is configured on this server, so plans cannot be drafted; write the questions instead.' });
      const { provider } = deps.planModel;
      const { job, language, model } = await db.withTenant(ctx.orgId, async (q) => {
        const j = await jobOr404(q, ctx, jobId);
        // The org's AI controls apply to drafting as to screening: pause, pinned model, monthly token budget.
        const ai = await getAiSettings(q);
        if (ai.paused) throw new ConflictError({ title: 'AI paused', detail: `AI processing is paused for this organisation${ai.paused_reason ? ` (${ai.paused_reason})` : ''}; write the questions instead, or resume AI in the settings.` });
        if (ai.monthly_token_budget !== null && (await tokensUsed(q, monthStart(deps.clock()))) >= ai.monthly_token_budget) {
          throw new ConflictError({ title: 'AI budget used up', detail: "This month's AI token budget is used up; write the questions instead, or raise the budget in the settings." });
        }
        return { job: j, language: input.language ?? (await findPlan(q, jobId))?.language ?? j.language, model: ai.model ?? deps.planModel?.model ?? 'gpt-4o-mini' };
      });
      if (job.criteria.length === 0) throw new UnprocessableError({ detail: 'The job has no criteria; add the criteria the interview should assess first.' });
      const prompt = buildPlanPrompt(job, language.split('-')[0] ?? 'en');
      let content: string | null;
      let answeredBy = model;
      let usage = { inputTokens: 0, outputTokens: 0 };
      try {
        const res = await provider.complete({ model, system: prompt.system, user: prompt.user, schemaName: PLAN_SCHEMA_NAME, schema: JSON.parse(JSON.stringify(planOutputSchema(job.criteria.length))) as Record<string, unknown>, seed: PLAN_SEED });
        content = res.refusal === null ? res.content : null;
        answeredBy = res.model;
        usage = { inputTokens: res.usage.inputTokens, outputTokens: res.usage.outputTokens };
      } catch (err) {
        if (err instanceof ProviderError) throw new ServiceUnavailableError({ detail: 'The language model is not reachable right now; try again shortly.', extra: { code: err.code } });
        throw err;
      }
      const parsed = content === null ? ({ ok: false, detail: 'the model refused to answer' } as const) : parsePlanOutput(content, job.criteria.length);
      const items: PlanItem[] = parsed.ok ? parsed.value.questions.map((q) => ({ text: q.text.trim(), criterion: q.criterion, anchor: q.anchor.trim() })) : [];
      const problems: PlanProblem[] = parsed.ok ? validatePlan(items, job.criteria) : [{ question: null, code: 'empty', detail: `The model's answer is unusable: ${parsed.detail}.` }];
      const meta = { provider: provider.name, model: answeredBy, seed: PLAN_SEED, promptVersion: PLAN_PROMPT_VERSION, language, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
      const spend = (tx: Queryable) => (usage.inputTokens + usage.outputTokens > 0 ? addUsage(tx, ctx.orgId, monthStart(deps.clock()), usage.inputTokens, usage.outputTokens, 1) : Promise.resolve());
      if (problems.length > 0) {
        await db.withTenantTx(ctx.orgId, async (tx) => {
          await spend(tx);
          await audit.recordIn(tx, ctx.orgId, { action: 'interview.plan_draft_refused', actor: { type: 'user', id: ctx.userId }, target: { type: 'job', id: jobId }, metadata: { ...meta, problems: problems.map((p) => p.code) }, requestId: ctx.requestId });
        });
        throw new BadGatewayError({ detail: `The drafted plan was refused and not stored: ${problems.map((p) => p.detail).join(' ')}`, extra: { problems } });
      }
      await db.withTenantTx(ctx.orgId, async (tx) => {
        const current = await jobOr404(tx, ctx, jobId);
        // The criteria were edited while the model was drafting: the draft no longer fits.
        if (current.criteria_version !== job.criteria_version) throw new ConflictError({ detail: "The job's criteria changed while the plan was being drafted; draft it again." });
        await spend(tx);
        await savePlanItems(tx, ctx.orgId, jobId, { items, source: 'ai', criteriaVersion: job.criteria_version, draftModel: answeredBy.slice(0, 128), draftSeed: PLAN_SEED, language });
        await audit.recordIn(tx, ctx.orgId, { action: 'interview.plan_drafted', actor: { type: 'user', id: ctx.userId }, target: { type: 'job', id: jobId }, metadata: { ...meta, questions: items.length }, requestId: ctx.requestId });
      });
      return this.getPlan(ctx, jobId);
    },

    /** A recruiter approves the plan as it stands; invites are possible from then on. */
    async approvePlan(ctx: Ctx, jobId: string): Promise<PlanView> {
      await db.withTenantTx(ctx.orgId, async (tx) => {
        const job = await jobOr404(tx, ctx, jobId);
        const plan = await findPlan(tx, jobId, true);
        if (!plan) throw new ConflictError({ title: 'No interview plan', detail: 'The job has no interview plan yet; draft or write one first.' });
        const problems = planProblems(plan, job);
        if (problems.length > 0) throw problemError(problems);
        if (plan.status === 'approved') return;
        await approvePlanRow(tx, jobId, ctx.userId, deps.clock());
        await audit.recordIn(tx, ctx.orgId, { action: 'interview.plan_approved', actor: { type: 'user', id: ctx.userId }, target: { type: 'job', id: jobId }, metadata: { questions: plan.items?.length ?? 0, source: plan.source, criteriaVersion: job.criteria_version }, requestId: ctx.requestId });
      });
      return this.getPlan(ctx, jobId);
    },
  };
}
