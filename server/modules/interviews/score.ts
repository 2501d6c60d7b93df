// Scores an ended interview's transcript (queue interview-score) with the screening's
// model provider, prompt versioning, AI-run record, per-org AI pause and token budget:
//
// - transcript content only, speaker-attributed: the candidate's turns are the only
//   evidence; no emotion, sentiment or voice-trait inference (the prompt says so, and the
//   model never receives audio);
// - blind: the candidate's name, email and phone are replaced by placeholders before the
//   transcript reaches the provider (screening's redaction);
// - per question: a pinned strict schema, re-validated (one retry, then failed); quotes
//   checked against the candidate's turns; missing, too short or garbled answers are
//   "insufficient_evidence" without a score (decided before the model, enforced after);
// - the result is sealed with the candidate key; every model call is an ai_runs row and
//   the outcome an audit event. Idempotent: a completed or failed score is not redone.
import { createHash } from 'node:crypto';
import { insertEvent } from '../applications/index.js';
import { decryptCandidate } from '../candidates/index.js';
import { findCandidates } from '../candidates/index.js';
import { findJob } from '../jobs/index.js';
import { stripInvisible } from '../screening/index.js';
import { redact } from '../screening/index.js';
import { getAiSettings } from '../screening/index.js';
import { candidateCipherUnlessErased } from '../../core/erased-key.js';
import { aiHoldReason } from '../ai/index.js';
import { finishAiResult, runTotals } from '../ai/index.js';
import { findInterview } from './repo.js';
import { allInsufficient, evaluateScore, type ScoreEvaluation } from './score-evaluate.js';
import { buildScorePrompt, parseTranscript, SCORE_PROMPT_VERSION, segmentAnswers, type Turn } from './score-prompt.js';
import { ensureScore, finishScore, insertScoreRun, setScoreWaiting } from './score-repo.js';
import { parseScoreOutput, SCORE_SCHEMA_NAME, scoreOutputJsonSchema } from './score-schema.js';
import { callWithOneRetry, type AiRunnerDeps, type RunRecord } from '../screening/index.js';

export const SCORE_SEED = 20261123;
const TABLE = 'interview_scores';

export interface InterviewScoreResult extends ScoreEvaluation {
  /** What the score is based on: the words of the transcript, nothing about the voice. */
  basis: 'transcript_text_only';
  advisory: true;
  simulated: boolean;
}

export type ScoreOutcome =
  | { status: 'completed'; scoreId: string; flags: string[] }
  | { status: 'failed'; scoreId: string; reason: string }
  | { status: 'waiting'; scoreId: string; reason: string }
  | { status: 'skipped'; reason: string };

export type InterviewScorerDeps = AiRunnerDeps;


const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Replaces the candidate's identifiers in every turn; the turn structure is kept. */
export function blindTurns(turns: Turn[], known: { name: string; email?: string | null; phone?: string | null; phones?: string[] }): Turn[] {
  const clean = turns.map((t) => ({ ...t, text: stripInvisible(t.text).replace(/\n/g, ' ') }));
  const ids = { name: known.name, email: known.email ?? null, phone: known.phone ?? null };
  const extraPhones = (known.phones ?? []).filter(Boolean);
  const scrubPhones = (text: string): string => extraPhones.reduce((s, p) => s.split(p).join('[PHONE_1]'), text);
  const joined = redact(clean.map((t) => t.text).join('\n'), ids).text.split('\n');
  if (joined.length === clean.length) return clean.map((t, i) => ({ ...t, text: scrubPhones(joined[i] as string) }));
  return clean.map((t) => ({ ...t, text: scrubPhones(redact(t.text, ids).text) }));
}

export function createInterviewScorer(deps: InterviewScorerDeps) {
  const clock = deps.clock ?? (() => new Date());

  async function finish(
    orgId: string,
    scoreId: string,
    interview: { id: string; application_id: string },
    f: { status: 'completed' | 'failed'; reason: string | null; runs: RunRecord[]; model: string | null; inputHash: string | null; evaluation: ScoreEvaluation | null; resultEnc: Buffer | null; rawEnc: Buffer | null; simulated: boolean },
  ): Promise<boolean> {
    const { inputTokens: input, outputTokens: output, latencyMs: latency } = runTotals(f.runs);
    const flags = f.evaluation?.flags ?? [];
    return finishAiResult(deps, orgId, clock, {
      update: (tx) =>
        finishScore(tx, scoreId, {
          status: f.status,
          reason: f.reason,
          provider: f.runs.length > 0 ? deps.provider.name : null,
          model: f.runs.length > 0 ? f.model : null,
          promptVersion: SCORE_PROMPT_VERSION,
          inputHash: f.inputHash,
          overallScore: f.evaluation?.overallScore ?? null,
          scores: Object.fromEntries((f.evaluation?.questions ?? []).map((q) => [q.key, q.score])),
          flags,
          resultEnc: f.resultEnc,
          rawResponseEnc: f.rawEnc,
          inputTokens: input,
          outputTokens: output,
          attempts: f.runs.length,
        }),
      storeRuns: (tx) => f.runs.map((r) => insertScoreRun(tx, { ...r, orgId, scoreId })),
      charge: input + output > 0 ? { inputTokens: input, outputTokens: output, runs: f.runs.length } : null,
      record: (tx) => [
        insertEvent(tx, {
          orgId,
          applicationId: interview.application_id,
          type: f.status === 'completed' ? 'interview.scored' : 'interview.scoring_failed',
          actor: { type: 'system' },
          data: { interviewId: interview.id, scoreId, ...(f.reason ? { reason: f.reason } : { flags, simulated: f.simulated }) },
        }),
      ],
      audit: {
        action: 'ai.interview_scored',
        actor: { type: 'system' },
        target: { type: 'interview', id: interview.id },
        metadata: {
          scoreId,
          outcome: f.status,
          reason: f.reason,
          provider: f.runs.length > 0 ? deps.provider.name : null,
          simulated: f.simulated,
          model: f.model,
          promptVersion: SCORE_PROMPT_VERSION,
          inputHash: f.inputHash,
          flags,
          insufficient: (f.evaluation?.questions ?? []).filter((q) => q.status === 'insufficient_evidence').map((q) => q.key),
          runs: f.runs.length,
          inputTokens: input,
          outputTokens: output,
          latencyMs: latency,
          requestIds: f.runs.map((r) => r.requestId).filter((x): x is string => Boolean(x)),
        },
      },
    });
  }

  return {
    /** Scores the interview's transcript. Throws ProviderError when the provider keeps failing (the queue retries). */
    async score(orgId: string, interviewId: string): Promise<ScoreOutcome> {
      const prepared = await deps.db.withTenantTx(orgId, async (tx) => {
        const row = await findInterview(tx, interviewId);
        if (!row) return { kind: 'skipped' as const, reason: 'interview_not_found' };
        if (!row.transcript_enc) return { kind: 'skipped' as const, reason: 'no_transcript' };
        const score = await ensureScore(tx, orgId, interviewId);
        if (score.status === 'completed' || score.status === 'failed') return { kind: 'skipped' as const, reason: `already_${score.status}` };
        const settings = await getAiSettings(tx);
        const held = await aiHoldReason(tx, settings, clock());
        if (held) {
          await setScoreWaiting(tx, score.id, held);
          return { kind: 'waiting' as const, score, reason: held };
        }
        const cipher = await candidateCipherUnlessErased(deps.keyring, tx, orgId, row.candidate_id);
        const [cand] = cipher ? await findCandidates(tx, [row.candidate_id]) : [];
        if (!cipher || !cand) return { kind: 'erased' as const, score, row };
        const job = await findJob(tx, row.job_id, null);
        return {
          kind: 'ready' as const,
          score,
          row,
          cipher,
          title: job?.title ?? '',
          transcript: cipher.openText('interviews', 'transcript_enc', row.id, row.transcript_enc),
          phone: row.phone_enc ? cipher.openText('interviews', 'phone_enc', row.id, row.phone_enc) : null,
          candidate: decryptCandidate(cipher, cand),
          model: settings.model ?? deps.defaultModel,
        };
      });
      if (prepared.kind === 'skipped') return { status: 'skipped', reason: prepared.reason };
      if (prepared.kind === 'waiting') return { status: 'waiting', scoreId: prepared.score.id, reason: prepared.reason };
      const base = { runs: [] as RunRecord[], model: null, inputHash: null, evaluation: null, resultEnc: null, rawEnc: null, simulated: false };
      if (prepared.kind === 'erased') {
        await finish(orgId, prepared.score.id, prepared.row, { ...base, status: 'failed', reason: 'candidate_erased' });
        return { status: 'failed', scoreId: prepared.score.id, reason: 'candidate_erased' };
      }
      const { score, row, cipher, candidate, model } = prepared;
      const log = deps.logger.child({ scoreId: score.id, interviewId });
      const seal = (column: string, value: string): Buffer => cipher.seal(TABLE, column, score.id, value);
      if (row.questions.length === 0) {
        await finish(orgId, score.id, row, { ...base, status: 'failed', reason: 'interview_has_no_questions' });
        return { status: 'failed', scoreId: score.id, reason: 'interview_has_no_questions' };
      }
      const turns = blindTurns(parseTranscript(prepared.transcript), { name: candidate.name, email: candidate.email, phone: candidate.phone, phones: prepared.phone ? [prepared.phone] : [] });
      const segments = segmentAnswers(row.questions, turns);

      const finishWith = async (evaluation: ScoreEvaluation, extra: { runs: RunRecord[]; model: string | null; inputHash: string | null; simulated: boolean }): Promise<ScoreOutcome> => {
        const result: InterviewScoreResult = { ...evaluation, basis: 'transcript_text_only', advisory: true, simulated: extra.simulated };
        const done = await finish(orgId, score.id, row, { ...extra, status: 'completed', reason: null, evaluation, resultEnc: seal('result_enc', JSON.stringify(result)), rawEnc: null });
        if (!done) return { status: 'skipped', reason: 'finished_concurrently' };
        log.info({ flags: evaluation.flags, runs: extra.runs.length }, 'interview scored');
        return { status: 'completed', scoreId: score.id, flags: evaluation.flags };
      };
      // Nothing to score: no model call, no tokens spent.
      if (segments.every((s) => s.check !== 'answered')) return finishWith(allInsufficient(segments), { runs: [], model: null, inputHash: null, simulated: false });

      const prompt = buildScorePrompt({ title: prepared.title, segments, turns, rubric: row.rubric });
      const schema = scoreOutputJsonSchema(row.questions.length);
      const inputHash = sha256(JSON.stringify([model, SCORE_SEED, prompt.system, prompt.user, schema]));
      const call = await callWithOneRetry({
        provider: deps.provider,
        model,
        promptVersion: SCORE_PROMPT_VERSION,
        inputHash,
        prompt,
        schemaName: SCORE_SCHEMA_NAME,
        schema,
        seed: SCORE_SEED,
        parse: (content) => parseScoreOutput(content, row.questions.length),
        seal,
        saveRunsOnProviderError: (soFar) =>
          deps.db.withTenantTx(orgId, async (tx) => {
            for (const r of soFar) await insertScoreRun(tx, { ...r, orgId, scoreId: score.id });
          }),
      });
      const { runs, last, lastReason } = call;
      const evaluation: ScoreEvaluation | null = call.value ? evaluateScore(call.value, segments, turns) : null;
      const simulated = last?.simulated ?? deps.provider.name === 'simulated';
      const answeredModel = last?.model ?? model;
      if (!evaluation) {
        const reason = `model_output_${lastReason}`;
        const rawEnc = last ? seal('raw_response_enc', last.content ?? last.refusal ?? '') : null;
        await finish(orgId, score.id, row, { runs, model: answeredModel, inputHash, evaluation: null, resultEnc: null, rawEnc, simulated, status: 'failed', reason });
        log.warn({ reason: lastReason, runs: runs.length }, 'interview scoring failed');
        return { status: 'failed', scoreId: score.id, reason };
      }
      return finishWith(evaluation, { runs, model: answeredModel, inputHash, simulated });
    },

    /** Marks a score failed after the queue gave up on provider errors (visible, never lost). */
    async markProviderFailure(orgId: string, interviewId: string, reason: string): Promise<void> {
      const found = await deps.db.withTenantTx(orgId, async (tx) => {
        const row = await findInterview(tx, interviewId);
        return row ? { row, score: await ensureScore(tx, orgId, interviewId) } : null;
      });
      if (found) await finish(orgId, found.score.id, found.row, { runs: [], model: null, inputHash: null, evaluation: null, resultEnc: null, rawEnc: null, simulated: false, status: 'failed', reason });
    },
  };
}

export type InterviewScorer = ReturnType<typeof createInterviewScorer>;
