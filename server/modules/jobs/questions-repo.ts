// SQL for job question sets and application answers (issue 21 item 5). Tenant-bound (RLS).
import type { Queryable } from '../../core/db.js';
import type { QuestionSet } from './questions.js';

export interface QuestionSetRow {
  job_id: string;
  version: number;
  questions: QuestionSet['questions'];
  knockouts: QuestionSet['knockouts'];
  content_sha256: Buffer;
  created_at: Date;
}

const COLUMNS = `job_id, version, questions->'questions' AS questions, questions->'knockouts' AS knockouts, content_sha256, created_at`;

export async function latestQuestionSet(q: Queryable, jobId: string): Promise<QuestionSetRow | null> {
  const { rows } = await q.query<QuestionSetRow>(`SELECT ${COLUMNS} FROM job_question_sets WHERE job_id = $1 ORDER BY version DESC LIMIT 1`, [jobId]);
  return rows[0] ?? null;
}

export async function questionSetVersion(q: Queryable, jobId: string, version: number): Promise<QuestionSetRow | null> {
  const { rows } = await q.query<QuestionSetRow>(`SELECT ${COLUMNS} FROM job_question_sets WHERE job_id = $1 AND version = $2`, [jobId, version]);
  return rows[0] ?? null;
}

/** Serialises versions per job (two saves must not both insert n+1). */
export async function lockQuestionSets(tx: Queryable, jobId: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('job_question_sets:' || $1::text, 0))", [jobId]);
}

export async function insertQuestionSet(tx: Queryable, r: { orgId: string; jobId: string; version: number; set: QuestionSet; sha256: Buffer; createdBy: string | null }): Promise<QuestionSetRow> {
  const { rows } = await tx.query<QuestionSetRow>(
    `INSERT INTO job_question_sets (org_id, job_id, version, questions, content_sha256, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [r.orgId, r.jobId, r.version, JSON.stringify(r.set), r.sha256, r.createdBy],
  );
  return rows[0] as QuestionSetRow;
}

export interface AnswersRow {
  id: string;
  application_id: string;
  job_id: string;
  questions_version: number;
  answers_enc: Buffer;
  knockout_assessed: boolean;
  knocked_out: boolean;
  created_at: Date;
}

export async function insertAnswers(
  tx: Queryable,
  r: { id: string; orgId: string; applicationId: string; jobId: string; questionsVersion: number; answersEnc: Buffer; knockoutAssessed: boolean; knockedOut: boolean },
): Promise<void> {
  await tx.query(
    `INSERT INTO application_answers (id, org_id, application_id, job_id, questions_version, answers_enc, knockout_assessed, knocked_out)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (application_id) DO NOTHING`,
    [r.id, r.orgId, r.applicationId, r.jobId, r.questionsVersion, r.answersEnc, r.knockoutAssessed, r.knockedOut],
  );
}

export async function answersOfApplication(q: Queryable, applicationId: string): Promise<AnswersRow | null> {
  const { rows } = await q.query<AnswersRow>(
    'SELECT id, application_id, job_id, questions_version, answers_enc, knockout_assessed, knocked_out, created_at FROM application_answers WHERE application_id = $1',
    [applicationId],
  );
  return rows[0] ?? null;
}
