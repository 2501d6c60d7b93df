// SQL for interview_typed_answers (migrations/0056): one sealed answer per question of a
// typed interview. Callers pass the tenant transaction.
import type { Queryable } from '../../core/db.js';

export async function countTypedAnswers(q: Queryable, interviewId: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM interview_typed_answers WHERE interview_id = $1', [interviewId]);
  return rows[0]?.n ?? 0;
}

export async function insertTypedAnswer(q: Queryable, row: { orgId: string; interviewId: string; index: number; answerEnc: Buffer }): Promise<void> {
  await q.query('INSERT INTO interview_typed_answers (org_id, interview_id, question_index, answer_enc) VALUES ($1, $2, $3, $4)', [row.orgId, row.interviewId, row.index, row.answerEnc]);
}

export async function listTypedAnswers(q: Queryable, interviewId: string): Promise<{ question_index: number; answer_enc: Buffer }[]> {
  const { rows } = await q.query<{ question_index: number; answer_enc: Buffer }>('SELECT question_index, answer_enc FROM interview_typed_answers WHERE interview_id = $1', [interviewId]);
  return rows;
}
