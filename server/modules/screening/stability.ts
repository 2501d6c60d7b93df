// Score stability check (issue 6 item 9), behind `hirebox screening stability`: re-scores a
// random sample of a job's already screened applications N times with the org's
// configured provider and model (temperature 0 and the fixed seed, as every screening),
// and reports per criterion the spread of scores (min, max, population stdev) and how
// often the verdicts agree, so a recruiter can judge whether scores are stable enough to
// trust.
//
// It changes no screening and nothing a recruiter sees: its model calls are stored as AI
// runs with purpose 'stability' (hidden from the screening view), charged to the org's
// token budget, and audited (`ai.stability_checked`, one event per application). The
// same prompt as a real screening is used (blinded CV, current criteria), so the check
// measures what screening would do now.
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import type { ModelProvider } from './model.js';
import { PROMPT_VERSION } from './prompt.js';
import { VERDICTS } from './schema.js';
import { blindInput, SEED } from './blind-call.js';
import { createSampleRuns, type SampleOutcome } from './sample-runs.js';

export { STABILITY_MAX_RUNS, STABILITY_MAX_SAMPLE } from './stability-limits.js';

export interface StabilityDeps {
  // GlobalDb: hands the handle to the sample runner, which lists orgs across tenants.
  db: TenantDb & GlobalDb;
  audit: AuditLog;
  keyring: Keyring;
  provider: ModelProvider;
  /** Model when the org has not pinned one. */
  defaultModel: string;
  clock?: () => Date;
}

export interface CriterionSpread {
  key: string;
  name: string;
  mustHave: boolean;
  /** Over every sampled application: the largest max-min, the mean stdev, the mean verdict agreement. */
  maxSpread: number;
  meanStdev: number;
  meanVerdictAgreement: number;
  applications: { applicationId: string; scores: number[]; min: number; max: number; stdev: number; verdicts: Record<string, number>; verdictAgreement: number }[];
}

export interface StabilityReport {
  orgId: string;
  jobId: string;
  criteriaVersion: number;
  provider: string;
  model: string;
  promptVersion: string;
  temperature: 0;
  seed: number;
  runsPerApplication: number;
  sampled: number;
  runs: { ok: number; failed: number };
  tokens: { input: number; output: number };
  /** Set when the budget ran out part-way: later runs were not made. */
  stoppedEarly: string | null;
  criteria: CriterionSpread[];
  recommendation: { applicationId: string; values: string[]; agreement: number }[];
  /** Every criterion's scores identical and verdicts unanimous in every sampled application. */
  stable: boolean;
}

export type StabilityOutcome = SampleOutcome<StabilityReport>;

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function spreadOf(scores: number[]): { min: number; max: number; stdev: number } {
  if (scores.length === 0) return { min: 0, max: 0, stdev: 0 };
  const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
  const variance = scores.reduce((s, x) => s + (x - mean) ** 2, 0) / scores.length;
  return { min: Math.min(...scores), max: Math.max(...scores), stdev: round(Math.sqrt(variance)) };
}

/** Share of values equal to the most common one (1 = unanimous). */
export function agreementOf(values: string[]): number {
  if (values.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return round(Math.max(...counts.values()) / values.length);
}

export function createStabilityCheck(deps: StabilityDeps) {
  const samples = createSampleRuns({ ...deps, clock: deps.clock ?? (() => new Date()) });

  return {
    async run(opts: { jobId: string; runs: number; sample: number }): Promise<StabilityOutcome> {
      const found = await samples.orgOfJob(opts.jobId);
      if (!found) return { status: 'job_not_found' };
      const { orgId } = found;
      const refused = await samples.hold(orgId);
      if (refused) return { status: 'refused', reason: refused };
      const setup = await samples.setup(orgId, opts.jobId, opts.sample);
      if (setup.sample.length === 0) return { status: 'no_sample', reason: 'the job has no screened application with a parsed CV' };
      const { model } = setup;

      const perCriterion = new Map<string, CriterionSpread>();
      const recommendation: StabilityReport['recommendation'] = [];
      const totals = { ok: 0, failed: 0, input: 0, output: 0 };
      let stoppedEarly: string | null = null;
      let criteriaVersion = found.criteriaVersion;

      for (const picked of setup.sample) {
        if (stoppedEarly) break;
        const input = await samples.loadInput(orgId, picked.application_id);
        if (!input) continue;
        const { src, candidate } = input;
        criteriaVersion = src.criteria_version;
        const blind = blindInput(model, src, input.text, candidate);

        const scores = new Map<string, number[]>();
        const verdicts = new Map<string, string[]>();
        const recs: string[] = [];
        const appTotals = { ok: 0, failed: 0, input: 0, output: 0 };
        for (let i = 0; i < opts.runs; i += 1) {
          const why = await samples.hold(orgId);
          if (why) {
            stoppedEarly = why;
            break;
          }
          const call = await samples.call(orgId, picked, input, model, blind, 'stability');
          appTotals.input += call.inputTokens;
          appTotals.output += call.outputTokens;
          const ev = call.evaluation;
          if (!ev) {
            appTotals.failed += 1;
            continue;
          }
          appTotals.ok += 1;
          for (const c of ev.criteria) {
            scores.set(c.key, [...(scores.get(c.key) ?? []), c.score]);
            verdicts.set(c.key, [...(verdicts.get(c.key) ?? []), c.verdict]);
          }
          recs.push(ev.recommendation);
        }
        totals.ok += appTotals.ok;
        totals.failed += appTotals.failed;
        totals.input += appTotals.input;
        totals.output += appTotals.output;
        src.criteria.forEach((c, index) => {
          const key = `c${index + 1}`;
          const entry = perCriterion.get(key) ?? { key, name: c.name, mustHave: c.mustHave, maxSpread: 0, meanStdev: 0, meanVerdictAgreement: 0, applications: [] };
          const s = scores.get(key) ?? [];
          if (s.length === 0) return;
          const v = verdicts.get(key) ?? [];
          const counts: Record<string, number> = {};
          for (const x of VERDICTS) counts[x] = v.filter((y) => y === x).length;
          entry.applications.push({ applicationId: picked.application_id, scores: s, ...spreadOf(s), verdicts: counts, verdictAgreement: agreementOf(v) });
          perCriterion.set(key, entry);
        });
        if (recs.length) recommendation.push({ applicationId: picked.application_id, values: recs, agreement: agreementOf(recs) });
        await samples.auditChecked(orgId, 'ai.stability_checked', opts.jobId, picked, model, {
          inputHash: blind.inputHash,
          runs: appTotals.ok + appTotals.failed,
          failed: appTotals.failed,
          inputTokens: appTotals.input,
          outputTokens: appTotals.output,
        });
      }

      const criteria = [...perCriterion.values()].map((c) => {
        const n = c.applications.length || 1;
        return {
          ...c,
          maxSpread: Math.max(0, ...c.applications.map((a) => a.max - a.min)),
          meanStdev: round(c.applications.reduce((s, a) => s + a.stdev, 0) / n),
          meanVerdictAgreement: round(c.applications.reduce((s, a) => s + a.verdictAgreement, 0) / n),
        };
      });
      const stable = totals.ok > 0 && criteria.every((c) => c.maxSpread === 0 && c.meanVerdictAgreement === 1);
      // The measured figures, kept for the AI system card (server/modules/aidocs): no PII, no application ids.
      await deps.audit.record(orgId, {
        action: 'ai.stability_reported',
        actor: { type: 'system' },
        target: { type: 'job', id: opts.jobId },
        metadata: {
          provider: deps.provider.name,
          model,
          promptVersion: PROMPT_VERSION,
          sampled: setup.sample.length,
          runsPerApplication: opts.runs,
          stable,
          criteria: criteria.map((c) => ({ key: c.key, name: c.name, maxSpread: c.maxSpread, meanStdev: c.meanStdev, meanVerdictAgreement: c.meanVerdictAgreement })),
        },
      });
      return {
        status: 'ok',
        report: {
          orgId,
          jobId: opts.jobId,
          criteriaVersion,
          provider: deps.provider.name,
          model,
          promptVersion: PROMPT_VERSION,
          temperature: 0,
          seed: SEED,
          runsPerApplication: opts.runs,
          sampled: setup.sample.length,
          runs: { ok: totals.ok, failed: totals.failed },
          tokens: { input: totals.input, output: totals.output },
          stoppedEarly,
          criteria,
          recommendation,
          stable,
        },
      };
    },
  };
}

/** A fixed-width table for people. */
export function renderStabilityReport(r: StabilityReport): string {
  const lines = [
    `stability of job ${r.jobId} (criteria v${r.criteriaVersion}): ${r.sampled} application(s) x ${r.runsPerApplication} run(s), ${r.provider} ${r.model}, prompt ${r.promptVersion}, temperature 0, seed ${r.seed}`,
    `runs: ${r.runs.ok} ok, ${r.runs.failed} failed; tokens: ${r.tokens.input} in, ${r.tokens.output} out${r.stoppedEarly ? `; stopped early: ${r.stoppedEarly}` : ''}`,
    '',
    `${'criterion'.padEnd(32)} ${'min'.padStart(4)} ${'max'.padStart(4)} ${'spread'.padStart(7)} ${'stdev'.padStart(7)} ${'verdict agreement'.padStart(18)}`,
  ];
  for (const c of r.criteria) {
    const min = Math.min(...c.applications.map((a) => a.min));
    const max = Math.max(...c.applications.map((a) => a.max));
    lines.push(
      `${`${c.key} ${c.name}${c.mustHave ? ' (must)' : ''}`.slice(0, 32).padEnd(32)} ${String(min).padStart(4)} ${String(max).padStart(4)} ${String(c.maxSpread).padStart(7)} ${c.meanStdev.toFixed(3).padStart(7)} ${`${Math.round(c.meanVerdictAgreement * 100)}%`.padStart(18)}`,
    );
  }
  const recAgreement = r.recommendation.length ? r.recommendation.reduce((s, x) => s + x.agreement, 0) / r.recommendation.length : 0;
  lines.push('', `recommendation agreement: ${Math.round(recAgreement * 100)}%`, r.stable ? 'STABLE: identical scores and verdicts in every run.' : 'UNSTABLE: scores or verdicts vary between runs; treat single scores with care.');
  return lines.join('\n');
}
