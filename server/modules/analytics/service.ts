// Hiring analytics (issue 21 item 3): per job and per org, the funnel by stage, time in
// stage, time to hire and AI-recommendation vs human-decision agreement, as JSON and CSV.
// Aggregates only; medians and rates from fewer applications than the org's fairness
// minimum sample size (bias settings, default 5) are suppressed as in the fairness report.
import type { TenantDb } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { findReportJob, getBiasSettings, listJobsWithApplications } from '../bias/index.js';
import type { Ctx } from '../../core/context.js';
import { computeAnalytics, type AnalyticsFigures, type Suppressible } from './metrics.js';
import { listAnalyticsApplications, listAnalyticsDecisions, type AnalyticsApplicationRow, type AnalyticsDecisionRow, type AnalyticsWindow } from './repo.js';
import { parseReportWindow, type ReportWindow } from '../../core/report-window.js';

export interface AnalyticsReport {
  orgId: string;
  job: { id: string; title: string } | null;
  from: string | null;
  to: string | null;
  generatedAt: string;
  minSampleSize: number;
  figures: AnalyticsFigures;
  byJob: { job: { id: string; title: string }; figures: AnalyticsFigures }[];
  method: Record<string, string>;
}

export const ANALYTICS_METHOD = {
  funnel: 'Applications that reached each stage kind at any time (current stage or a member stage move); conversion = reached / reached at the previous stage.',
  timeInStage: 'Median days between entering a stage kind and the next member move, over completed stays only.',
  timeToHire: 'Median days from application to the first move to a hired stage.',
  agreement: "Decisions whose stored AI recommendation was advance (agree: advance or hire) or not_advance (agree: reject); 'review' recommendations and 'hold' decisions are not compared.",
  sources: 'Applications and hires by utm_source / utm_campaign captured from the apply page URL; values with fewer applications than the minimum sample size are pooled into one row.',
  suppression: 'Medians and rates computed from fewer applications or decisions than the org minimum sample size (fairness settings) are not shown (suppressed).',
} as const;

function facts(rows: readonly AnalyticsApplicationRow[]) {
  return rows.map((r) => ({ createdAt: r.created_at, stageKind: r.stage_kind, source: r.utm_source, campaign: r.utm_campaign, moves: r.moves.map((m) => ({ kind: m.kind, at: new Date(m.at) })) }));
}
const decisionFacts = (rows: readonly AnalyticsDecisionRow[]) => rows.map((d) => ({ outcome: d.outcome, aiRecommendation: d.ai_recommendation }));

/** A CSV cell: quoted, with a leading formula character neutralised (CSV/formula injection). */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) || typeof value === 'string' ? `"${s.replace(/"/g, '""')}"` : s;
}

function suppressedCells(s: Suppressible): (string | number | boolean | null)[] {
  return [s.value, s.n, s.suppressed];
}

export function analyticsCsv(r: AnalyticsReport): string {
  const lines: string[] = [['job_id', 'job_title', 'metric', 'stage', 'value', 'n', 'suppressed'].join(',')];
  const scopes: { id: string; title: string; f: AnalyticsFigures }[] = [{ id: r.job?.id ?? '', title: r.job?.title ?? '(all jobs)', f: r.figures }];
  for (const j of r.byJob) scopes.push({ id: j.job.id, title: j.job.title, f: j.figures });
  for (const s of scopes) {
    const row = (metric: string, stage: string, cells: (string | number | boolean | null)[]) => lines.push([s.id, s.title, metric, stage, ...cells].map(csvCell).join(','));
    row('applications', '', [s.f.applications, s.f.applications, false]);
    for (const f of s.f.funnel) row('funnel_reached', f.kind, [f.reached, f.reached, false]);
    for (const t of s.f.timeInStageDays) row('median_days_in_stage', t.kind, suppressedCells(t.median));
    row('median_days_to_hire', '', suppressedCells(s.f.timeToHireDays));
    row('ai_agreement_rate', '', suppressedCells(s.f.agreement.rate));
    for (const x of s.f.sources) row('applications_by_source', x.source, [x.applications, x.applications, false]);
    for (const x of s.f.campaigns) row('applications_by_campaign', x.source, [x.applications, x.applications, false]);
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function createAnalyticsService(deps: { db: TenantDb; clock?: () => Date }) {
  const clock = deps.clock ?? (() => new Date());

  const parseWindow = (input: { from?: string; to?: string }): ReportWindow => parseReportWindow(input, 'The analytics window is not valid.');

  return {
    async report(ctx: Ctx, input: { jobId?: string; from?: string; to?: string }): Promise<AnalyticsReport> {
      const window = parseWindow(input);
      return deps.db.withTenant(ctx.orgId, async (q) => {
        const job = input.jobId ? await findReportJob(q, input.jobId) : null;
        if (input.jobId && !job) throw new NotFoundError({ resource: 'Job' });
        const { minSampleSize } = await getBiasSettings(q);
        const w: AnalyticsWindow = { jobId: job?.id ?? null, ...window };
        const apps = await listAnalyticsApplications(q, w);
        const decisions = await listAnalyticsDecisions(q, w);
        const byJob: AnalyticsReport['byJob'] = [];
        if (!job) {
          for (const j of await listJobsWithApplications(q)) {
            const jw: AnalyticsWindow = { jobId: j.id, ...window };
            const jobApps = apps.filter((a) => a.job_id === j.id);
            byJob.push({ job: { id: j.id, title: j.title }, figures: computeAnalytics(facts(jobApps), decisionFacts(await listAnalyticsDecisions(q, jw)), minSampleSize) });
          }
        }
        return {
          orgId: ctx.orgId,
          job: job ? { id: job.id, title: job.title } : null,
          from: window.from?.toISOString() ?? null,
          to: window.to?.toISOString() ?? null,
          generatedAt: clock().toISOString(),
          minSampleSize,
          figures: computeAnalytics(facts(apps), decisionFacts(decisions), minSampleSize),
          byJob,
          method: { ...ANALYTICS_METHOD },
        };
      });
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
