// SQL for interview scores and their AI runs (ai_runs rows tied to an interview score).
import type { Queryable } from '../../core/db.js';
import { insertAiRun, type AiRunInsert } from '../ai/index.js';
import { finishAiResultRow, type AiResultFinish, type AiResultRow } from '../ai/index.js';

export interface InterviewScoreRow extends AiResultRow {
  interview_id: string;
  scores: Record<string, number | null>;
}

const COLUMNS = `id, interview_id, status, status_reason, provider, model, prompt_version, input_hash, overall_score, scores, flags,
  result_enc, input_tokens, output_tokens, attempts, created_at, completed_at`;

/** The interview's score row, created as pending if none, locked. */
export async function ensureScore(tx: Queryable, orgId: string, interviewId: string): Promise<InterviewScoreRow> {
  await tx.query('INSERT INTO interview_scores (org_id, interview_id) VALUES ($1, $2) ON CONFLICT (org_id, interview_id) DO NOTHING', [orgId, interviewId]);
  const { rows } = await tx.query<InterviewScoreRow>(`SELECT ${COLUMNS} FROM interview_scores WHERE interview_id = $1 FOR UPDATE`, [interviewId]);
  return rows[0] as InterviewScoreRow;
}

export async function findScore(q: Queryable, interviewId: string): Promise<InterviewScoreRow | null> {
  const { rows } = await q.query<InterviewScoreRow>(`SELECT ${COLUMNS} FROM interview_scores WHERE interview_id = $1`, [interviewId]);
  return rows[0] ?? null;
}

export async function setScoreWaiting(tx: Queryable, id: string, reason: string): Promise<void> {
  await tx.query(`UPDATE interview_scores SET status = 'waiting', status_reason = $2, updated_at = now() WHERE id = $1 AND status IN ('pending', 'waiting')`, [id, reason]);
}

export async function insertScoreRun(tx: Queryable, r: AiRunInsert & { scoreId: string }): Promise<void> {
  await insertAiRun(tx, { interviewScoreId: r.scoreId }, 'interview_scoring', r);
}

/** Finishes a score once; false when another run already finished it. */
export async function finishScore(tx: Queryable, id: string, f: AiResultFinish): Promise<boolean> {
  return finishAiResultRow(tx, 'interview_scores', id, f);
}

export interface ScoreRunRow {
  provider: string;
  model: string;
  prompt_version: string;
  input_hash: string;
  outcome: string;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  request_id: string | null;
}

export async function runsOfScore(q: Queryable, scoreId: string): Promise<ScoreRunRow[]> {
  const { rows } = await q.query<ScoreRunRow>(
    'SELECT provider, model, prompt_version, input_hash, outcome, latency_ms, input_tokens, output_tokens, request_id FROM ai_runs WHERE interview_score_id = $1 ORDER BY created_at, id',
    [scoreId],
  );
  return rows;
}
