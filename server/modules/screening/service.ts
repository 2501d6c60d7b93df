// Screening an application's parsed CV against its job's criteria (used by the cv-screen
// worker). Order of work: re-read state (idempotent: a finished screening is never redone),
// honour the org's AI pause switch and monthly token budget (the screening waits with a
// visible reason), redact, prompt, call the model and scan for injection while it answers (an invalid or
// refused answer is retried once, then the screening fails with the raw answer kept
// encrypted), validate against the pinned schema, ground evidence, and store everything
// in one transaction with the AI runs, the token usage, a timeline event and an audit event
// `ai.screened`. Alongside the screening call (one circuit-breaker permit for the pair), the
// independent injection check (its own prompt, no criteria; per-org setting, on by default)
// reads the same blinded text; when the screening then fails, the check's runs are still
// recorded and charged. Its finding, the model's own instructions_found and the pattern
// detector each flag the screening and block "advance". Tokens are charged in that same transaction, only for a screening that
// was not finished before, so a job re-run after a worker crash never charges twice.
import { insertEvent } from '../applications/index.js';
import { decryptCandidate } from '../candidates/index.js';
import { findCandidates } from '../candidates/index.js';
import { openHiddenParts } from '../documents/index.js';
import { findHiddenEnc } from '../documents/index.js';
import { candidateCipherUnlessErased } from '../../core/erased-key.js';
import { commitIn } from '../../core/db.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { applyRedaction } from './redact.js';
import { detectInjection, stripInvisible, type InjectionFinding, type InjectionScan } from './injection.js';
import { runInjectionCheck, CHECK_PROMPT_VERSION } from './injection-check.js';
import { completeTogether, ProviderError } from './model.js';
import { PROMPT_VERSION } from './prompt.js';
import { blindInput, callScreeningModel } from './blind-call.js';
import type { AiRunnerDeps, RunRecord } from './structured-call.js';
import { aiHoldReason } from '../ai/index.js';
import { finishAiResult, runTotals } from '../ai/index.js';
import { ensureScreening, finishScreening, getAiSettings, insertRun, loadScreeningSource, setWaiting, type ScreeningRow } from './repo.js';

export { SEED } from './blind-call.js';

export interface ScreeningResult extends Evaluation {
  injection: {
    flagged: boolean;
    findings: InjectionFinding[];
    /** Passages the screening model itself reported as instructions (instructions_found). */
    modelReported?: string[];
    /** The separate detector call: what it found, 'unavailable' when it failed, null when turned off. */
    check?: { instructions: string[] } | 'unavailable' | null;
  };
  advisory: true;
  simulated: boolean;
}

export type ScreenOutcome =
  | { status: 'completed'; screeningId: string; recommendation: string; flags: string[] }
  | { status: 'failed'; screeningId: string; reason: string }
  | { status: 'waiting'; screeningId: string; reason: string }
  | { status: 'skipped'; screeningId: string; reason: string }
  | { status: 'missing'; reason: string };

export type ScreeningRunnerDeps = AiRunnerDeps;

const RESULT_TABLE = 'screenings';

/** The injection check's runs, tagged once when they come back, so every store keeps their purpose. */
type CheckRun = RunRecord & { purpose: 'injection_check' };
const asCheckRuns = (xs: RunRecord[]): CheckRun[] => xs.map((r) => ({ ...r, purpose: 'injection_check' }));

/**
 * How long a worker process trusts the org's AI concurrency it last read. The limit is read
 * before every job takes an org slot (worker/processors/cv-screen.ts); reading it from the
 * database each time cost a pooled connection and a round trip ahead of the model call
 * (issue 19: 10-60 ms each while 40 jobs start together). Every screening's own settings read
 * refreshes it, so a changed limit applies at the next screening of the org, and at the
 * latest after this long.
 */
export const ORG_LIMIT_TTL_MS = 5_000;
/** Orgs whose limit is kept at once; past it the cache starts again (one read per org). */
const ORG_LIMIT_MAX_ORGS = 10_000;

export function createScreeningRunner(deps: ScreeningRunnerDeps) {
  const clock = deps.clock ?? (() => new Date());
  const orgLimits = new Map<string, { limit: number; until: number }>();
  const rememberLimit = (orgId: string, limit: number): void => {
    if (orgLimits.size >= ORG_LIMIT_MAX_ORGS && !orgLimits.has(orgId)) orgLimits.clear();
    orgLimits.set(orgId, { limit, until: clock().getTime() + ORG_LIMIT_TTL_MS });
  };

  async function recordFailure(orgId: string, screeningId: string, applicationId: string, reason: string, extra: { runs?: RunRecord[]; checkRuns?: CheckRun[]; rawEnc?: Buffer | null; model?: string; inputHash?: string } = {}): Promise<boolean> {
    const runs = extra.runs ?? [];
    const checkRuns = extra.checkRuns ?? [];
    const allRuns = [...runs, ...checkRuns];
    const { inputTokens: input, outputTokens: output } = runTotals(allRuns);
    return finishAiResult(deps, orgId, clock, {
      update: (tx) =>
        finishScreening(tx, screeningId, {
          status: 'failed',
          reason,
          provider: deps.provider.name,
          model: extra.model ?? deps.defaultModel,
          promptVersion: PROMPT_VERSION,
          inputHash: extra.inputHash ?? '',
          recommendation: null,
          modelRecommendation: null,
          overallScore: null,
          scores: {},
          flags: [],
          injectionKinds: [],
          redactionCounts: {},
          resultEnc: null,
          redactionMapEnc: null,
          rawResponseEnc: extra.rawEnc ?? null,
          inputTokens: input,
          outputTokens: output,
          attempts: runs.length,
        }),
      storeRuns: (tx) => allRuns.map((r) => insertRun(tx, { ...r, orgId, screeningId })),
      charge: input + output > 0 ? { inputTokens: input, outputTokens: output, runs: allRuns.length } : null,
      record: (tx) => [
        insertEvent(tx, { orgId, applicationId, type: 'screening.failed', actor: { type: 'system' }, data: { screeningId, reason } }),
      ],
      audit: {
        action: 'ai.screened',
        actor: { type: 'system' },
        target: { type: 'application', id: applicationId },
        metadata: { screeningId, outcome: 'failed', reason, provider: deps.provider.name, model: extra.model ?? deps.defaultModel, promptVersion: PROMPT_VERSION, inputHash: extra.inputHash ?? null, runs: runs.length, inputTokens: input, outputTokens: output },
      },
    });
  }

  return {
    /** Screens the application's latest parsed CV. Throws ProviderError when the provider keeps failing (the queue retries). */
    async screen(orgId: string, applicationId: string): Promise<ScreenOutcome> {
      // Round trips (issue 19): statements that do not depend on each other are issued
      // together, so the pipelined transaction (core/db.ts) sends them as one batch: source +
      // settings (+ the org key, the first time this process needs it), then the screening
      // row + candidate key + candidate + hidden parts (+ the month's usage when the org has
      // a budget) with COMMIT. Two round trips: with 20 jobs starting at once in a worker,
      // each round trip held a pooled connection the others queued for.
      const prepared = await deps.db.withTenantTx(orgId, async (tx) => {
        const [src, settings] = await Promise.all([loadScreeningSource(tx, applicationId), getAiSettings(tx), deps.keyring.orgKey(tx, orgId)]);
        rememberLimit(orgId, settings.concurrency);
        if (!src) return { kind: 'missing' as const, reason: 'application_not_found' };
        // The candidate chose a person without AI: nothing is recorded and no model is called, whatever queued this.
        if (src.human_review_only) return { kind: 'missing' as const, reason: 'human_review_only' };
        const documentId = src.document_id;
        if (!documentId || !src.text_enc) return { kind: 'missing' as const, reason: 'no_parsed_cv' };
        // Every statement below is issued at once (the org key is cached by now, so the
        // candidate cipher reads only its own key): COMMIT can ride with them (commitIn).
        const [row, cipher, [cand], hiddenEnc, held] = await Promise.all([
          ensureScreening(tx, { orgId, applicationId, jobId: src.job_id, documentId, criteriaVersion: src.criteria_version }),
          candidateCipherUnlessErased(deps.keyring, tx, orgId, src.candidate_id),
          findCandidates(tx, [src.candidate_id]),
          findHiddenEnc(tx, documentId),
          aiHoldReason(tx, settings, clock()),
          commitIn(tx),
        ]);
        if (row.status === 'completed' || row.status === 'failed') return { kind: 'done' as const, row };
        if (held) return { kind: 'waiting' as const, row, reason: held };
        if (src.criteria.length === 0) return { kind: 'no_criteria' as const, row };
        if (!cipher) return { kind: 'erased' as const, row };
        if (!cand) return { kind: 'erased' as const, row };
        const text = cipher.openText('documents', 'text_enc', documentId, src.text_enc);
        // Hidden parts (white/invisible text, comments, metadata) go to the injection detector only, never into the prompt.
        const hidden = openHiddenParts(cipher, documentId, hiddenEnc);
        return { kind: 'ready' as const, row, src, cipher, text, hidden, candidate: decryptCandidate(cipher, cand), model: settings.model ?? deps.defaultModel, injectionCheck: settings.injection_check };
      });
      if (prepared.kind === 'missing') return { status: 'missing', reason: prepared.reason };
      if (prepared.kind === 'done') return { status: 'skipped', screeningId: prepared.row.id, reason: `already_${prepared.row.status}` };
      if (prepared.kind === 'waiting') {
        await deps.db.withTenantTx(orgId, async (tx) => {
          await setWaiting(tx, prepared.row.id, prepared.reason);
          await insertEvent(tx, { orgId, applicationId, type: 'screening.waiting', actor: { type: 'system' }, data: { screeningId: prepared.row.id, reason: prepared.reason.split(':')[0] } });
        });
        return { status: 'waiting', screeningId: prepared.row.id, reason: prepared.reason };
      }
      if (prepared.kind === 'no_criteria' || prepared.kind === 'erased') {
        const reason = prepared.kind === 'no_criteria' ? 'job_has_no_criteria' : 'candidate_erased';
        await recordFailure(orgId, prepared.row.id, applicationId, reason);
        return { status: 'failed', screeningId: prepared.row.id, reason };
      }

      const { row, src, cipher, candidate, model } = prepared;
      const log = deps.logger.child({ screeningId: row.id, applicationId });
      const blind = blindInput(model, src, prepared.text, candidate);
      const { redaction, inputHash } = blind;
      const seal = (column: string, value: string): Buffer => cipher.seal(RESULT_TABLE, column, row.id, value);

      // The screening call and the independent injection check read the same blinded text and
      // do not depend on each other, so they go out together (issue 19: a CV waits for one
      // model latency, not two). They are ONE provider call for the circuit breaker
      // (completeTogether): one permit, judged by the screening call alone (the check's
      // failure only makes it 'unavailable'), so an outage counts each CV once, and a refusal
      // (CircuitOpenError) means neither request went out and the job waits as before.
      let screeningRunsOnError: RunRecord[] = [];
      let checkRuns: CheckRun[] = [];
      let pair: { call: Awaited<ReturnType<typeof callScreeningModel>>; check: { instructions: string[] } | 'unavailable' | null };
      let injection: InjectionScan;
      try {
        const pairing = completeTogether(deps.provider, async (provider) => {
          const [screened, checked] = await Promise.allSettled([
            callScreeningModel(provider, model, blind, {
              seal,
              saveRunsOnProviderError: async (soFar) => {
                screeningRunsOnError = soFar;
              },
            }),
            prepared.injectionCheck
              ? runInjectionCheck(provider, model, redaction.text, {
                  seal,
                  saveRunsOnProviderError: async (soFar) => {
                    checkRuns = asCheckRuns(soFar);
                  },
                })
              : Promise.resolve(null),
          ]);
          // The pair's verdict is the screening call's: its provider error is what is thrown.
          if (screened.status === 'rejected') throw screened.reason;
          let check: { instructions: string[] } | 'unavailable' | null = null;
          if (checked.status === 'rejected') {
            if (!(checked.reason instanceof ProviderError)) throw checked.reason;
            check = 'unavailable';
          } else if (checked.value) {
            checkRuns = asCheckRuns(checked.value.runs);
            check = checked.value.value ? { instructions: checked.value.value.instructions.filter((x) => x.trim().length > 0) } : 'unavailable';
          }
          return { call: screened.value, check };
        });
        // The pattern detector (main-thread CPU, ~2 ms a CV) is needed only with the answers:
        // it runs while the requests are out, after one turn of the event loop lets them
        // leave, instead of before them (issue 19: with 40 CVs starting together in one
        // process, that CPU queued up in front of the last CVs' requests).
        const detecting = new Promise<void>((resolve) => setImmediate(resolve)).then(() => detectInjection(prepared.text, prepared.hidden));
        [pair, injection] = await Promise.all([pairing, detecting]);
      } catch (err) {
        // Both requests have settled: the runs that happened (the check's too) are stored
        // before the provider failure goes back to the queue.
        if (err instanceof ProviderError) {
          const soFar = [...screeningRunsOnError, ...checkRuns];
          await deps.db.withTenantTx(orgId, async (tx) => {
            for (const r of soFar) await insertRun(tx, { ...r, orgId, screeningId: row.id });
          });
        }
        throw err;
      }
      const { call, check } = pair;
      const { runs, last, lastReason } = call;
      const findings = injection.findings.map((f) => ({ ...f, excerpt: applyRedaction(f.excerpt, redaction.map) }));
      const suspectLines = injection.suspectLines.map((l) => applyRedaction(stripInvisible(l), redaction.map));
      const evaluation: Evaluation | null = call.value ? evaluate(call.value, src.criteria, redaction.text, { flagged: injection.flagged, suspectLines, check }) : null;

      const simulated = last?.simulated ?? deps.provider.name === 'simulated';
      const answeredModel = last?.model ?? model;
      if (!evaluation) {
        const rawEnc = last ? seal('raw_response_enc', last.content ?? last.refusal ?? '') : null;
        // The check went out alongside: its runs are recorded and charged with the failure.
        await recordFailure(orgId, row.id, applicationId, `model_output_${lastReason}`, { runs, checkRuns, rawEnc, model: answeredModel, inputHash });
        log.warn({ reason: lastReason, runs: runs.length }, 'screening failed');
        return { status: 'failed', screeningId: row.id, reason: `model_output_${lastReason}` };
      }

      const modelReported = call.value?.instructions_found ?? [];
      const result: ScreeningResult = { ...evaluation, injection: { flagged: injection.flagged, findings, modelReported, check }, advisory: true, simulated };
      const flags = [...evaluation.flags];
      const allRuns = [...runs, ...checkRuns];
      const { inputTokens: input, outputTokens: output } = runTotals(allRuns);
      const latency = runTotals(runs).latencyMs;
      // Three round trips (ai/result.ts): the result and the runs; the timeline event (and its
      // event-hook row); the charge and the audit event with COMMIT.
      const finished = await finishAiResult(deps, orgId, clock, {
        update: (tx) =>
          finishScreening(tx, row.id, {
            status: 'completed',
            reason: null,
            provider: deps.provider.name,
            model: answeredModel,
            promptVersion: PROMPT_VERSION,
            inputHash,
            recommendation: evaluation.recommendation,
            modelRecommendation: evaluation.modelRecommendation,
            overallScore: evaluation.overallScore,
            scores: Object.fromEntries(evaluation.criteria.map((c) => [c.key, c.score])),
            flags,
            injectionKinds: injection.kinds,
            redactionCounts: redaction.counts,
            resultEnc: seal('result_enc', JSON.stringify(result)),
            redactionMapEnc: seal('redaction_map_enc', JSON.stringify(redaction.map)),
            rawResponseEnc: null,
            inputTokens: input,
            outputTokens: output,
            attempts: runs.length,
          }),
        storeRuns: (tx) => [
          ...allRuns.map((r) => insertRun(tx, { ...r, orgId, screeningId: row.id })),
        ],
        // A completed screening is always charged (its runs count even when the provider reports no tokens).
        charge: { inputTokens: input, outputTokens: output, runs: allRuns.length },
        record: (tx) => [
          insertEvent(tx, {
            orgId,
            applicationId,
            type: 'screening.completed',
            actor: { type: 'system' },
            data: { screeningId: row.id, recommendation: evaluation.recommendation, flags, simulated },
          }),
        ],
        audit: {
          action: 'ai.screened',
          actor: { type: 'system' },
          target: { type: 'application', id: applicationId },
          metadata: {
            screeningId: row.id,
            outcome: 'completed',
            provider: deps.provider.name,
            simulated,
            model: answeredModel,
            promptVersion: PROMPT_VERSION,
            inputHash,
            recommendation: evaluation.recommendation,
            modelRecommendation: evaluation.modelRecommendation,
            flags,
            injectionKinds: injection.kinds,
            injectionCheck: check === null ? 'off' : check === 'unavailable' ? 'unavailable' : { found: check.instructions.length, promptVersion: CHECK_PROMPT_VERSION, runs: checkRuns.length },
            modelReportedInstructions: modelReported.length,
            runs: runs.length,
            inputTokens: input,
            outputTokens: output,
            latencyMs: latency,
            requestIds: allRuns.map((r) => r.requestId).filter((x): x is string => Boolean(x)),
          },
        },
      });
      if (!finished) return { status: 'skipped', screeningId: row.id, reason: 'finished_concurrently' };
      log.info({ recommendation: evaluation.recommendation, flags, tokens: input + output, latencyMs: latency }, 'screening completed');
      return { status: 'completed', screeningId: row.id, recommendation: evaluation.recommendation, flags };
    },

    /** Marks a screening failed after the queue gave up on provider errors (visible, never lost). */
    async markProviderFailure(orgId: string, applicationId: string, reason: string): Promise<void> {
      const row = await deps.db.withTenantTx(orgId, async (tx) => {
        const src = await loadScreeningSource(tx, applicationId);
        if (!src?.document_id || src.human_review_only) return null;
        return ensureScreening(tx, { orgId, applicationId, jobId: src.job_id, documentId: src.document_id, criteriaVersion: src.criteria_version });
      });
      if (row) await recordFailure(orgId, row.id, applicationId, reason);
    },

    /** The org's AI concurrency, as read at most ORG_LIMIT_TTL_MS ago by this runner. */
    async orgConcurrency(orgId: string): Promise<number> {
      const known = orgLimits.get(orgId);
      if (known && known.until > clock().getTime()) return known.limit;
      const limit = await deps.db.withTenant(orgId, async (q) => (await getAiSettings(q)).concurrency);
      rememberLimit(orgId, limit);
      return limit;
    },
  };
}

export type ScreeningRunner = ReturnType<typeof createScreeningRunner>;
export type { ScreeningRow };
