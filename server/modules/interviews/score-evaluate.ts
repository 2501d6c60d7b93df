// Turns a schema-valid scoring answer into what is stored and shown. Evidence quotes are
// checked against the CANDIDATE's turns only (whitespace-normalised, the same check as CV
// screening); a quote that is not there (invented, paraphrased, or the interviewer's
// words) is marked ungrounded and lowers its question's confidence. A question whose
// answer failed the pre-check, or that the model itself judged insufficient, gets no
// score at all: status insufficient_evidence.
import { isGrounded, normaliseForGrounding, type Confidence } from '../screening/index.js';
import type { QuestionSegment, Turn } from './score-prompt.js';
import type { ScoreOutput, ScoreVerdict } from './score-schema.js';

export interface ScoredQuestion {
  key: string;
  question: string;
  status: 'scored' | 'insufficient_evidence';
  /** Why there is no score (pre-check or model), null when scored. */
  insufficientReason: string | null;
  score: number | null;
  verdict: ScoreVerdict;
  reasoning: string;
  evidence: { quote: string; grounded: boolean }[];
  confidence: Confidence | null;
}

export type ScoreFlag = 'ungrounded_evidence' | 'high_score_without_evidence' | 'insufficient_evidence';

export interface ScoreEvaluation {
  questions: ScoredQuestion[];
  summary: string;
  /** Mean of the scored questions scaled to 0-100; null when nothing could be scored. */
  overallScore: number | null;
  flags: ScoreFlag[];
  reasons: string[];
}

/** The candidate's words only: the grounding source for evidence. */
export function candidateText(turns: Turn[]): string {
  return turns.filter((t) => t.speaker === 'candidate').map((t) => t.text).join('\n');
}

function insufficient(s: QuestionSegment, reason: string, reasoning: string, evidence: { quote: string; grounded: boolean }[] = []): ScoredQuestion {
  return { key: s.key, question: s.question, status: 'insufficient_evidence', insufficientReason: reason, score: null, verdict: 'insufficient_evidence', reasoning, evidence, confidence: null };
}

/** Every question insufficient, without asking a model (nothing to score). */
export function allInsufficient(segments: QuestionSegment[]): ScoreEvaluation {
  return {
    questions: segments.map((s) => insufficient(s, s.check, `No scorable answer in the transcript (${s.check.replace('_', ' ')}).`)),
    summary: 'The transcript holds no answer long or clear enough to score; a human should review the call or repeat the interview.',
    overallScore: null,
    flags: ['insufficient_evidence'],
    reasons: segments.map((s) => `${s.key}: ${s.check.replace('_', ' ')}`),
  };
}

export function evaluateScore(output: ScoreOutput, segments: QuestionSegment[], turns: Turn[]): ScoreEvaluation {
  const source = normaliseForGrounding(candidateText(turns));
  const flags = new Set<ScoreFlag>();
  const reasons: string[] = [];
  const questions = segments.map((s): ScoredQuestion => {
    const r = output.questions[s.key];
    if (!r) throw new TypeError(`missing ${s.key}: validate the output first`);
    const evidence = r.evidence.map((quote) => ({ quote, grounded: isGrounded(quote, source) }));
    if (s.check !== 'answered') {
      flags.add('insufficient_evidence');
      reasons.push(`${s.key}: ${s.check.replace('_', ' ')}`);
      return insufficient(s, s.check, `No scorable answer in the transcript (${s.check.replace('_', ' ')}).`, evidence);
    }
    if (r.verdict === 'insufficient_evidence') {
      flags.add('insufficient_evidence');
      reasons.push(`${s.key}: the model found the answer insufficient`);
      return insufficient(s, 'model', r.reasoning, evidence);
    }
    const groundedCount = evidence.filter((e) => e.grounded).length;
    let confidence: Confidence = evidence.length > 0 && groundedCount === evidence.length ? 'high' : groundedCount > 0 ? 'medium' : 'low';
    if (groundedCount < evidence.length) {
      flags.add('ungrounded_evidence');
      reasons.push(`${s.key}: ${evidence.length - groundedCount} of ${evidence.length} quotes are not in the candidate's words`);
    }
    if (groundedCount === 0) {
      confidence = 'low';
      if (r.score >= 3) {
        flags.add('high_score_without_evidence');
        reasons.push(`${s.key}: score ${r.score} with no quote found in the candidate's words`);
      }
    }
    return { key: s.key, question: s.question, status: 'scored', insufficientReason: null, score: r.score, verdict: r.verdict as ScoreVerdict, reasoning: r.reasoning, evidence, confidence };
  });
  const scored = questions.filter((q) => q.score !== null);
  const overallScore = scored.length > 0 ? Math.round((scored.reduce((sum, q) => sum + (q.score ?? 0), 0) / scored.length / 4) * 100) : null;
  return { questions, summary: output.summary, overallScore, flags: [...flags], reasons };
}
