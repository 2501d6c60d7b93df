// Bias report and monitor (DESIGN §8). Voluntary self-identified demographics are decrypted
// here, with each candidate's key, and immediately reduced to a category per dimension;
// only counts, rates and ratios leave this module. Nothing here logs or returns an
// individual's answer.
//
// What counts as "selected" (a human moved the application forward; the AI never moves
// anyone, so every step below is a member's decision or stage move):
//
// - step "advanced" (past screening): selected = the application reached a stage of kind
//   interview, offer or hired at any time; not selected = it was rejected before that;
//   applications still new/in screening, or withdrawn before advancing, are pending and
//   left out of the rate (they have not been assessed yet).
// - step "hired": selected = the application is hired; not selected = it was rejected (at
//   any stage); in-progress and withdrawn applications are pending.
// - scoring: the overall score of an application's latest completed AI screening; the
//   scoring rate of a category is the share scoring strictly above the median score of all
//   scored applications of the same job (including those without demographics).
//
// Candidates who declined or skipped a question count as "unknown" for that dimension:
// reported as a count only, never a category. Erased candidates (retention or erasure
// request) have no demographics any more and are left out; the report says how many.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { KeyDestroyedError, type CandidateCipher, type Keyring } from '../../core/crypto.js';
import type { GlobalDb, Queryable, TenantDb } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { parseReportWindow, type ReportWindow as DateWindow } from '../../core/report-window.js';
import type { AlertSink } from '../alerts/index.js';
import { categoryLabel, DEMOGRAPHIC_CATEGORIES, DEMOGRAPHIC_KEYS } from '../applications/index.js';
import type { Ctx } from '../../core/context.js';
import { listOrgIds } from '../orgs/index.js';
import { impactTable, median, round4, type CategoryCount, type ImpactOptions, type ImpactRow } from './metrics.js';
import {
  countErasedApplications,
  DEFAULT_BIAS_SETTINGS,
  findReportJob,
  getBiasSettings,
  listJobsWithApplications,
  listReportApplications,
  lockMonitorState,
  saveMonitorState,
  upsertBiasSettings,
  type BiasSettingsRecord,
  type ReportApplicationRow,
  type ReportJobRow,
  type ReportWindow,
} from './repo.js';

export const STEPS = ['advanced', 'hired'] as const;
export type Step = (typeof STEPS)[number];
export type Metric = Step | 'scoring' | 'knockout';

/** Categories chosen by fewer people than this are shown together as one "other" category (a rare answer could identify someone). */
export const RARE_ANSWER_COUNT = 3;
export const OTHER_CATEGORY = 'other (answers given by fewer than 3 people)';
const INTERSECTION = { key: 'gender_x_ethnicity', parts: ['gender', 'ethnicity'] as const, label: 'Sex / gender × race / ethnicity (intersectional, LL144)' };

// Stage kinds in pipeline order; rejected/withdrawn are outcomes, not progress.
const PROGRESS: Readonly<Record<string, number>> = { new: 0, screening: 1, interview: 2, offer: 3, hired: 4 };
const ADVANCED_RANK = PROGRESS.interview as number;

export const SELECTION_METHOD = {
  advanced: 'Advanced past screening: a member moved the application to an interview, offer or hired stage (selected) or rejected it before that (not selected). Applications still in new/screening, or withdrawn before advancing, are pending and not counted.',
  hired: 'Hired: the application is in a hired stage (selected) or was rejected at any stage (not selected). In-progress and withdrawn applications are pending and not counted.',
  knockout: "Knock-out step (application questions): selected = the candidate's answers matched no knock-out rule; not selected = a rule matched (the application was flagged for human review, never rejected automatically). Only applications to a question set with knock-out rules are assessed.",
  scoring: 'AI scoring rate (LL144): share of a category whose latest completed AI screening scored strictly above the median overall score of all scored applications of the same job.',
  impactRatio: "Impact ratio = a category's rate / the highest rate of any category that is not small-sample. Flagged when under the org threshold (default 0.8, the four-fifths rule).",
  smallSample: 'Small-sample categories (fewer people than the minimum, or under the minimum share of the assessed people; LL144 allows leaving out categories under 2%) get no impact ratio and are never flagged.',
  unknown: 'Candidates who declined or skipped a question count as unknown for it: a count only. Erased candidates (retention or erasure requests) are not in the report.',
} as const;

export interface BiasSettingsView {
  impactRatioThreshold: number;
  minSampleSize: number;
  minSampleShare: number;
  defaults: { impactRatioThreshold: number; minSampleSize: number; minSampleShare: number };
  updatedAt: string | null;
  updatedBy: string | null;
}

/** One category's figures as the report shows them (ratios rounded to 4 places). */
export type MetricView = Omit<ImpactRow, 'category'>;

export interface CategoryView {
  category: string;
  /** True for the category that pools rare answers. */
  grouped: boolean;
  applicants: number;
  advanced: MetricView & { pending: number };
  hired: MetricView & { pending: number };
  scoring: MetricView;
  /** Passed the knock-out rules of the application questions (issue 21 item 5). */
  knockout: MetricView;
}

export interface DimensionView {
  key: string;
  label: string;
  /** Applicants who declined or skipped this question. */
  unknown: number;
  categories: CategoryView[];
}

export interface BreachView {
  dimension: string;
  category: string;
  metric: Metric;
  impactRatio: number;
}

export interface BiasReport {
  orgId: string;
  job: { id: string; title: string } | null;
  from: string | null;
  to: string | null;
  generatedAt: string;
  settings: { impactRatioThreshold: number; minSampleSize: number; minSampleShare: number };
  totals: {
    applications: number;
    withDemographics: number;
    /** Applications in the window whose candidate was erased: not in the report. */
    erasedExcluded: number;
    scored: number;
    /** Applications whose candidate chose a review without AI: in the selection rates, never scored. */
    humanReviewOnly: number;
    /** Applications that answered a question set with knock-out rules, and how many a rule flagged. */
    knockoutAssessed: number;
    knockedOut: number;
  };
  dimensions: DimensionView[];
  breaches: BreachView[];
  method: typeof SELECTION_METHOD;
}

/** One application reduced to what the report needs: categories, not answers. */
export interface ApplicationFacts {
  jobId: string;
  /** Normalised answer per demographic key; absent = unknown. */
  categories: Record<string, string>;
  furthest: number;
  stageKind: string;
  score: number | null;
  humanReviewOnly?: boolean;
  /** null/absent: no knock-out rule applied; true: a rule matched (flagged for human review). */
  knockedOut?: boolean | null;
}

export function stepOutcome(step: Step, f: Pick<ApplicationFacts, 'furthest' | 'stageKind'>): 'selected' | 'not_selected' | 'pending' {
  if (step === 'advanced') {
    if (f.furthest >= ADVANCED_RANK) return 'selected';
    return f.stageKind === 'rejected' ? 'not_selected' : 'pending';
  }
  if (f.stageKind === 'hired') return 'selected';
  return f.stageKind === 'rejected' ? 'not_selected' : 'pending';
}

export function furthestProgress(stageKind: string, reachedKinds: readonly string[]): number {
  return Math.max(PROGRESS[stageKind] ?? 0, ...reachedKinds.map((k) => PROGRESS[k] ?? 0));
}

const metricView = (r: ImpactRow): MetricView => ({
  assessed: r.assessed,
  selected: r.selected,
  rate: round4(r.rate),
  impactRatio: round4(r.impactRatio),
  smallSample: r.smallSample,
  flagged: r.flagged,
});

/** The dimensions the report covers: every form question, and gender × ethnicity when both were answered. */
function dimensionsOf(facts: readonly ApplicationFacts[]): { key: string; label: string; categoryOf: (f: ApplicationFacts) => string | null }[] {
  const dims: { key: string; label: string; categoryOf: (f: ApplicationFacts) => string | null }[] = DEMOGRAPHIC_KEYS.map((key) => ({
    key,
    label: DEMOGRAPHIC_CATEGORIES[key].label,
    categoryOf: (f: ApplicationFacts) => f.categories[key] ?? null,
  }));
  dims.push({
    key: INTERSECTION.key,
    label: INTERSECTION.label,
    categoryOf: (f) => {
      const parts = INTERSECTION.parts.map((p) => f.categories[p]);
      return parts.every((p) => p !== undefined) ? parts.join(' / ') : null;
    },
  });
  return dims.filter((d) => facts.some((f) => d.categoryOf(f) !== null));
}

/** Builds the report's figures from reduced facts (pure: unit-testable, no decryption). */
export function computeReport(facts: readonly ApplicationFacts[], opts: ImpactOptions): { dimensions: DimensionView[]; breaches: BreachView[]; scored: number } {
  // Median score per job, over every scored application of the job.
  const scoresByJob = new Map<string, number[]>();
  for (const f of facts) if (f.score !== null) scoresByJob.set(f.jobId, [...(scoresByJob.get(f.jobId) ?? []), f.score]);
  const medians = new Map([...scoresByJob].map(([job, scores]) => [job, median(scores)]));
  const aboveMedian = (f: ApplicationFacts): boolean => f.score !== null && f.score > (medians.get(f.jobId) ?? Number.POSITIVE_INFINITY);

  const dimensions: DimensionView[] = [];
  const breaches: BreachView[] = [];
  for (const dim of dimensionsOf(facts)) {
    const answers = new Map<string, number>();
    for (const f of facts) {
      const c = dim.categoryOf(f);
      if (c !== null) answers.set(c, (answers.get(c) ?? 0) + 1);
    }
    const categoryOf = (f: ApplicationFacts): string | null => {
      const c = dim.categoryOf(f);
      if (c === null) return null;
      return (answers.get(c) ?? 0) < RARE_ANSWER_COUNT ? OTHER_CATEGORY : c;
    };
    const known = facts.filter((f) => categoryOf(f) !== null);
    const names = [...new Set(known.map((f) => categoryOf(f) as string))].sort((a, b) => (a === OTHER_CATEGORY ? 1 : b === OTHER_CATEGORY ? -1 : a.localeCompare(b)));
    const inCategory = (name: string) => known.filter((f) => categoryOf(f) === name);

    const tables = new Map<Metric, ImpactRow[]>();
    const pending = new Map<Step, number[]>();
    for (const step of STEPS) {
      const counts: CategoryCount[] = names.map((name) => {
        const outcomes = inCategory(name).map((f) => stepOutcome(step, f));
        return { category: name, assessed: outcomes.filter((o) => o !== 'pending').length, selected: outcomes.filter((o) => o === 'selected').length };
      });
      tables.set(step, impactTable(counts, opts));
      pending.set(step, names.map((name) => inCategory(name).filter((f) => stepOutcome(step, f) === 'pending').length));
    }
    tables.set(
      'scoring',
      impactTable(
        names.map((name) => {
          const scored = inCategory(name).filter((f) => f.score !== null);
          return { category: name, assessed: scored.length, selected: scored.filter(aboveMedian).length };
        }),
        opts,
      ),
    );
    tables.set(
      'knockout',
      impactTable(
        names.map((name) => {
          const assessed = inCategory(name).filter((f) => typeof f.knockedOut === 'boolean');
          return { category: name, assessed: assessed.length, selected: assessed.filter((f) => f.knockedOut === false).length };
        }),
        opts,
      ),
    );
    const categories: CategoryView[] = names.map((name, i) => {
      const row = (m: Metric) => (tables.get(m) as ImpactRow[])[i] as ImpactRow;
      return {
        category: name,
        grouped: name === OTHER_CATEGORY,
        applicants: inCategory(name).length,
        advanced: { ...metricView(row('advanced')), pending: (pending.get('advanced') as number[])[i] as number },
        hired: { ...metricView(row('hired')), pending: (pending.get('hired') as number[])[i] as number },
        scoring: metricView(row('scoring')),
        knockout: metricView(row('knockout')),
      };
    });
    for (const metric of ['advanced', 'hired', 'scoring', 'knockout'] as const) {
      for (const r of tables.get(metric) as ImpactRow[]) {
        if (r.flagged && r.impactRatio !== null) breaches.push({ dimension: dim.key, category: r.category, metric, impactRatio: round4(r.impactRatio) as number });
      }
    }
    dimensions.push({ key: dim.key, label: dim.label, unknown: facts.length - known.length, categories });
  }
  return { dimensions, breaches, scored: facts.filter((f) => f.score !== null).length };
}

/** Opaque, stable key of a breach for the monitor's state (the category is hashed: no demographic text is stored). */
export function breachKey(scope: string, b: Pick<BreachView, 'dimension' | 'category' | 'metric'>): string {
  return `${scope}:${b.dimension}:${b.metric}:${createHash('sha256').update(b.category, 'utf8').digest('hex').slice(0, 16)}`;
}

function settingsView(s: BiasSettingsRecord): BiasSettingsView {
  return {
    impactRatioThreshold: s.impactRatioThreshold,
    minSampleSize: s.minSampleSize,
    minSampleShare: s.minSampleShare,
    defaults: { ...DEFAULT_BIAS_SETTINGS },
    updatedAt: s.updatedAt?.toISOString() ?? null,
    updatedBy: s.updatedBy,
  };
}

export interface MonitorResult {
  orgId: string;
  breaches: number;
  newBreaches: number;
  alerted: boolean;
}

// GlobalDb: the bias monitor lists every org, across tenants.
export function createBiasService(deps: { db: TenantDb & GlobalDb; audit: AuditLog; keyring: Keyring; alerts?: Pick<AlertSink, 'raise'>; clock?: () => Date; log: Logger }) {
  const { db, audit, keyring } = deps;
  const clock = deps.clock ?? (() => new Date());

  /** Decrypts each application's demographics with its candidate's key and reduces them to categories. */
  async function loadFacts(q: Queryable, orgId: string, w: ReportWindow): Promise<{ facts: ApplicationFacts[]; erased: number; withDemographics: number }> {
    const rows: ReportApplicationRow[] = await listReportApplications(q, w);
    let erased = await countErasedApplications(q, w);
    let withDemographics = 0;
    const ciphers = new Map<string, CandidateCipher | null>();
    const facts: ApplicationFacts[] = [];
    for (const r of rows) {
      const categories: Record<string, string> = {};
      if (r.demographics_id && r.demographics_enc) {
        let cipher = ciphers.get(r.candidate_id);
        if (cipher === undefined) {
          try {
            cipher = await keyring.candidateCipher(q, orgId, r.candidate_id);
          } catch (err) {
            if (!(err instanceof KeyDestroyedError)) throw err;
            cipher = null;
          }
          ciphers.set(r.candidate_id, cipher);
        }
        if (cipher === null) {
          erased += 1;
          continue;
        }
        try {
          const answers = JSON.parse(cipher.openText('demographics', 'data_enc', r.demographics_id, r.demographics_enc)) as Record<string, unknown>;
          // Fixed categories only (see applications/demographics.ts); declined or unmapped answers are unknown.
          for (const key of DEMOGRAPHIC_KEYS) {
            const c = categoryLabel(key, answers[key]);
            if (c !== null) categories[key] = c;
          }
          if (Object.keys(categories).length > 0) withDemographics += 1;
        } catch {
          // Unreadable: counted as unknown. Ids only in the log, never the content.
          deps.log.warn({ orgId, applicationId: r.id }, 'bias report: demographics could not be read');
        }
      }
      facts.push({ jobId: r.job_id, categories, furthest: furthestProgress(r.stage_kind, r.reached_kinds), stageKind: r.stage_kind, score: r.score, humanReviewOnly: r.human_review_only, knockedOut: r.knocked_out });
    }
    return { facts, erased, withDemographics };
  }

  async function buildReport(orgId: string, job: ReportJobRow | null, window: { from: Date | null; to: Date | null }): Promise<BiasReport> {
    return db.withTenantTx(
      orgId,
      async (tx) => {
        const s = await getBiasSettings(tx);
        const opts: ImpactOptions = { threshold: s.impactRatioThreshold, minSampleSize: s.minSampleSize, minSampleShare: s.minSampleShare };
        const { facts, erased, withDemographics } = await loadFacts(tx, orgId, { jobId: job?.id ?? null, ...window });
        const { dimensions, breaches, scored } = computeReport(facts, opts);
        return {
          orgId,
          job: job ? { id: job.id, title: job.title } : null,
          from: window.from?.toISOString() ?? null,
          to: window.to?.toISOString() ?? null,
          generatedAt: clock().toISOString(),
          settings: { impactRatioThreshold: s.impactRatioThreshold, minSampleSize: s.minSampleSize, minSampleShare: s.minSampleShare },
          totals: { applications: facts.length, withDemographics, erasedExcluded: erased, scored, humanReviewOnly: facts.filter((f) => f.humanReviewOnly === true).length,
            knockoutAssessed: facts.filter((f) => typeof f.knockedOut === 'boolean').length,
            knockedOut: facts.filter((f) => f.knockedOut === true).length,
          },
          dimensions,
          breaches,
          method: SELECTION_METHOD,
        };
      },
      { snapshot: true },
    );
  }

  async function jobOrNull(orgId: string, jobId: string | undefined): Promise<ReportJobRow | null> {
    if (!jobId) return null;
    const job = await db.withTenant(orgId, (q) => findReportJob(q, jobId));
    if (!job) throw new NotFoundError({ resource: 'Job' });
    return job;
  }

  const parseWindow = (input: { from?: string; to?: string }): DateWindow => parseReportWindow(input, 'The report window is not valid.');

  async function recordView(orgId: string, actor: { type: 'user'; id: string } | { type: 'system' }, report: BiasReport, via: 'api' | 'cli', requestId?: string): Promise<void> {
    await audit.record(orgId, {
      action: 'bias.report_viewed',
      actor,
      target: report.job ? { type: 'job', id: report.job.id } : null,
      metadata: { scope: report.job ? 'job' : 'org', from: report.from, to: report.to, applications: report.totals.applications, breaches: report.breaches.length, via },
      ...(requestId ? { requestId } : {}),
    });
  }

  /** Org-wide and per-job breaches and the monitor's keys; every application is decrypted once. */
  async function currentBreaches(orgId: string): Promise<{ keys: string[]; jobIds: string[]; metrics: Set<Metric>; threshold: number }> {
    const { settings, facts } = await db.withTenantTx(
      orgId,
      async (tx) => ({ settings: await getBiasSettings(tx), facts: (await loadFacts(tx, orgId, { jobId: null, from: null, to: null })).facts }),
      { snapshot: true },
    );
    const opts: ImpactOptions = { threshold: settings.impactRatioThreshold, minSampleSize: settings.minSampleSize, minSampleShare: settings.minSampleShare };
    const keys = new Set<string>();
    const jobIds: string[] = [];
    const metrics = new Set<Metric>();
    const scopes: [string, ApplicationFacts[]][] = [['org', facts]];
    for (const jobId of [...new Set(facts.map((f) => f.jobId))].sort()) scopes.push([jobId, facts.filter((f) => f.jobId === jobId)]);
    for (const [scope, inScope] of scopes) {
      const { breaches } = computeReport(inScope, opts);
      if (scope !== 'org' && breaches.length > 0) jobIds.push(scope);
      for (const b of breaches) {
        keys.add(breachKey(scope, b));
        metrics.add(b.metric);
      }
    }
    return { keys: [...keys].sort(), jobIds, metrics, threshold: settings.impactRatioThreshold };
  }

  async function monitorOrg(orgId: string): Promise<MonitorResult> {
    const current = await currentBreaches(orgId);
    const fresh = await db.withTenantTx(orgId, async (tx) => {
      const previous = new Set(await lockMonitorState(tx, orgId));
      const added = current.keys.filter((k) => !previous.has(k));
      await saveMonitorState(tx, orgId, current.keys, added.length > 0);
      if (added.length > 0) {
        await audit.recordIn(tx, orgId, {
          action: 'bias.breach_detected',
          actor: { type: 'system' },
          metadata: {
            newBreaches: added.length,
            breaches: current.keys.length,
            jobIds: current.jobIds.slice(0, 50),
            metrics: [...current.metrics].sort(),
            impactRatioThreshold: current.threshold,
          },
        });
      }
      return added.length;
    });
    // Raised after commit (its own transaction and audit event); raise never throws.
    if (fresh > 0 && deps.alerts) {
      await deps.alerts.raise(
        orgId,
        'bias_breach',
        `Bias monitor: ${fresh} new impact ratio breach(es) under ${current.threshold} (${[...current.metrics].sort().join(', ')}) in ${current.jobIds.length} job(s). Open the Fairness report for details.`,
        { newBreaches: fresh, breaches: current.keys.length, jobs: current.jobIds.length, firstJobId: current.jobIds[0] ?? null },
      );
    }
    deps.log.info({ orgId, breaches: current.keys.length, newBreaches: fresh }, 'bias monitor checked org');
    return { orgId, breaches: current.keys.length, newBreaches: fresh, alerted: fresh > 0 && Boolean(deps.alerts) };
  }

  return {
    /** GET /api/v1/bias/report: one job, or the whole org; audited. */
    async report(ctx: Ctx, input: { jobId?: string; from?: string; to?: string }): Promise<BiasReport> {
      const window = parseWindow(input);
      const job = await jobOrNull(ctx.orgId, input.jobId);
      const report = await buildReport(ctx.orgId, job, window);
      await recordView(ctx.orgId, { type: 'user', id: ctx.userId }, report, 'api', ctx.requestId);
      return report;
    },

    /** `hirebox bias report`: the org report, then one per job with applications (or only the given job); audited as a system view. */
    async reportsForOperator(orgId: string, input: { jobId?: string }): Promise<BiasReport[]> {
      const window = { from: null, to: null };
      const reports: BiasReport[] = [];
      if (input.jobId) {
        reports.push(await buildReport(orgId, await jobOrNull(orgId, input.jobId), window));
      } else {
        reports.push(await buildReport(orgId, null, window));
        for (const job of await db.withTenant(orgId, (q) => listJobsWithApplications(q))) reports.push(await buildReport(orgId, job, window));
      }
      for (const r of reports) await recordView(orgId, { type: 'system' }, r, 'cli');
      return reports;
    },

    /** The org-wide report over all time for the trust page's bias line (issue 23); audited as a system view. */
    async orgReportForTrust(orgId: string): Promise<BiasReport> {
      const report = await buildReport(orgId, null, { from: null, to: null });
      await recordView(orgId, { type: 'system' }, report, 'cli');
      return report;
    },

    /** Jobs the report can be asked for (those with applications): the Fairness screen's picker, also for auditors who cannot list jobs. */
    async jobs(ctx: Ctx): Promise<{ id: string; title: string }[]> {
      return (await db.withTenant(ctx.orgId, (q) => listJobsWithApplications(q))).map((j) => ({ id: j.id, title: j.title }));
    },

    monitorOrg,

    async monitor(opts: { orgId?: string } = {}): Promise<MonitorResult[]> {
      const orgIds = opts.orgId ? [opts.orgId] : await listOrgIds(db.pool);
      const out: MonitorResult[] = [];
      for (const orgId of orgIds) out.push(await monitorOrg(orgId));
      return out;
    },

    async settings(ctx: Ctx): Promise<BiasSettingsView> {
      return settingsView(await db.withTenant(ctx.orgId, (q) => getBiasSettings(q)));
    },

    async updateSettings(ctx: Ctx, input: { impactRatioThreshold: number; minSampleSize: number; minSampleShare: number }): Promise<BiasSettingsView> {
      const saved = await db.withTenantTx(ctx.orgId, async (tx) => {
        const before = await getBiasSettings(tx);
        const after = await upsertBiasSettings(tx, ctx.orgId, input, ctx.userId);
        await audit.recordIn(tx, ctx.orgId, {
          action: 'bias.settings_changed',
          actor: { type: 'user', id: ctx.userId },
          metadata: {
            impactRatioThreshold: after.impactRatioThreshold,
            minSampleSize: after.minSampleSize,
            minSampleShare: after.minSampleShare,
            previous: { impactRatioThreshold: before.impactRatioThreshold, minSampleSize: before.minSampleSize, minSampleShare: before.minSampleShare },
          },
          requestId: ctx.requestId,
        });
        return after;
      });
      return settingsView(saved);
    },
  };
}

export type BiasService = ReturnType<typeof createBiasService>;

/** Plain-text table of a report for the CLI (aggregates only). */
export function renderBiasReport(r: BiasReport): string {
  const pct = (v: number | null) => (v === null ? '   -  ' : `${(v * 100).toFixed(1).padStart(5)}%`);
  const ratio = (m: MetricView) => (m.smallSample ? 'small' : m.impactRatio === null ? '  -  ' : m.impactRatio.toFixed(3)) + (m.flagged ? ' !' : '  ');
  const lines = [
    `Bias report: ${r.job ? `job ${r.job.title} (${r.job.id})` : `org ${r.orgId} (all jobs)`}${r.from || r.to ? `, applications ${r.from ?? '…'} to ${r.to ?? '…'}` : ''}`,
    `  ${r.totals.applications} application(s), ${r.totals.withDemographics} with self-identified demographics, ${r.totals.scored} AI-scored, ${r.totals.humanReviewOnly} reviewed by a person without AI (candidate's choice), ${r.totals.knockedOut}/${r.totals.knockoutAssessed} flagged by a knock-out rule; ${r.totals.erasedExcluded} application(s) of erased candidates left out`,
    `  threshold ${r.settings.impactRatioThreshold} (impact ratio), small sample under n=${r.settings.minSampleSize} or ${(r.settings.minSampleShare * 100).toFixed(1)}%; "!" = flagged, "small" = small sample (not flagged)`,
  ];
  if (r.dimensions.length === 0) lines.push('  no self-identified demographics in this scope');
  for (const d of r.dimensions) {
    lines.push('', `  ${d.label} (unknown/declined: ${d.unknown})`);
    lines.push(`    ${'category'.padEnd(34)} ${'n'.padStart(5)}  ${'advanced'.padEnd(22)}  ${'hired'.padEnd(22)}  ${'AI score > median'.padEnd(22)}  ${'passed knock-out'.padEnd(22)}`);
    for (const c of d.categories) {
      const cell = (m: MetricView) => `${`${m.selected}/${m.assessed}`.padStart(7)} ${pct(m.rate)} ${ratio(m)}`.padEnd(22);
      lines.push(`    ${c.category.slice(0, 34).padEnd(34)} ${String(c.applicants).padStart(5)}  ${cell(c.advanced)}  ${cell(c.hired)}  ${cell(c.scoring)}  ${cell(c.knockout)}`);
    }
  }
  lines.push('', r.breaches.length === 0 ? '  no category under the threshold' : `  ${r.breaches.length} categor${r.breaches.length === 1 ? 'y' : 'ies'} under the threshold:`);
  for (const b of r.breaches) lines.push(`    - ${b.dimension} / ${b.category}: ${b.metric} impact ratio ${b.impactRatio}`);
  return lines.join('\n');
}
