// The recruiter's view of an interview score (shown beside the transcript) and its
// response schema. Reasoning and evidence are decrypted with the candidate key.
import { Type } from 'typebox';
import type { CandidateCipher } from '../../core/crypto.js';
import type { InterviewScoreResult } from './score.js';
import type { InterviewScoreRow } from './score-repo.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const ScoringSchema = Type.Object({
  status: Type.String({ description: 'pending, waiting (AI paused or budget used up), completed or failed' }),
  reason: Nullable(Type.String()),
  basis: Type.Literal('transcript_text_only'),
  advisory: Type.Literal(true),
  simulated: Type.Boolean(),
  provider: Nullable(Type.String()),
  model: Nullable(Type.String()),
  promptVersion: Nullable(Type.String()),
  overallScore: Nullable(Type.Integer()),
  summary: Nullable(Type.String()),
  flags: Type.Array(Type.String()),
  reasons: Type.Array(Type.String()),
  questions: Type.Array(
    Type.Object({
      key: Type.String(),
      question: Type.String(),
      status: Type.String({ description: 'scored or insufficient_evidence' }),
      insufficientReason: Nullable(Type.String()),
      score: Nullable(Type.Integer()),
      verdict: Type.String(),
      reasoning: Type.String(),
      evidence: Type.Array(Type.Object({ quote: Type.String(), grounded: Type.Boolean() })),
      confidence: Nullable(Type.String()),
    }),
  ),
  completedAt: Nullable(Type.String()),
});

export interface ScoringView {
  status: string;
  reason: string | null;
  basis: 'transcript_text_only';
  advisory: true;
  simulated: boolean;
  provider: string | null;
  model: string | null;
  promptVersion: string | null;
  overallScore: number | null;
  summary: string | null;
  flags: string[];
  reasons: string[];
  questions: InterviewScoreResult['questions'];
  completedAt: string | null;
}

export function scoringView(row: InterviewScoreRow, cipher: CandidateCipher | null): ScoringView {
  const result = row.result_enc && cipher ? (JSON.parse(cipher.openText('interview_scores', 'result_enc', row.id, row.result_enc)) as InterviewScoreResult) : null;
  return {
    status: row.status,
    reason: row.status_reason,
    basis: 'transcript_text_only',
    advisory: true,
    simulated: result?.simulated ?? false,
    provider: row.provider,
    model: row.model,
    promptVersion: row.prompt_version,
    overallScore: row.overall_score,
    summary: result?.summary ?? null,
    flags: row.flags,
    reasons: result?.reasons ?? [],
    questions: result?.questions ?? [],
    completedAt: row.completed_at ? row.completed_at.toISOString() : null,
  };
}
