// Scorecards data access (issue 21 item 4). Every query runs inside db.withTenant*, so RLS
// keeps each org to its own rows.
import type { Queryable } from '../../core/db.js';

export type Recommendation = 'strong_no' | 'no' | 'yes' | 'strong_yes';

export interface ScorecardRow {
  id: string;
  application_id: string;
  job_id: string;
  author_id: string;
  criteria_version: number;
  ratings: Record<string, number>;
  recommendation: Recommendation;
  evidence_enc: Buffer;
  status: 'draft' | 'submitted';
  submitted_at: Date | null;
  updated_at: Date;
}

const COLUMNS = 'id, application_id, job_id, author_id, criteria_version, ratings, recommendation, evidence_enc, status, submitted_at, updated_at';

export async function scorecardsForApplication(q: Queryable, applicationId: string): Promise<ScorecardRow[]> {
  const { rows } = await q.query<ScorecardRow>(`SELECT ${COLUMNS} FROM scorecards WHERE application_id = $1 ORDER BY submitted_at NULLS LAST, id`, [applicationId]);
  return rows;
}

export async function upsertScorecard(
  q: Queryable,
  s: { id: string; orgId: string; applicationId: string; jobId: string; authorId: string; criteriaVersion: number; ratings: Record<string, number>; recommendation: Recommendation; evidenceEnc: Buffer; submit: boolean },
): Promise<ScorecardRow> {
  // A submitted scorecard stays submitted: later edits keep its status and first submission time.
  const { rows } = await q.query<ScorecardRow>(
    `INSERT INTO scorecards (id, org_id, application_id, job_id, author_id, criteria_version, ratings, recommendation, evidence_enc, status, submitted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, CASE WHEN $10 THEN 'submitted' ELSE 'draft' END, CASE WHEN $10 THEN now() END)
     ON CONFLICT (org_id, application_id, author_id) DO UPDATE SET
       criteria_version = EXCLUDED.criteria_version,
       ratings = EXCLUDED.ratings,
       recommendation = EXCLUDED.recommendation,
       evidence_enc = EXCLUDED.evidence_enc,
       status = CASE WHEN scorecards.status = 'submitted' OR $10 THEN 'submitted' ELSE 'draft' END,
       submitted_at = COALESCE(scorecards.submitted_at, EXCLUDED.submitted_at),
       updated_at = now()
     RETURNING ${COLUMNS}`,
    [s.id, s.orgId, s.applicationId, s.jobId, s.authorId, s.criteriaVersion, JSON.stringify(s.ratings), s.recommendation, s.evidenceEnc, s.submit],
  );
  return rows[0] as ScorecardRow;
}

export async function submittedRatingsForJob(q: Queryable, jobId: string, criteriaVersion: number): Promise<{ application_id: string; ratings: Record<string, number> }[]> {
  const { rows } = await q.query<{ application_id: string; ratings: Record<string, number> }>(
    `SELECT application_id, ratings FROM scorecards WHERE job_id = $1 AND status = 'submitted' AND criteria_version = $2`,
    [jobId, criteriaVersion],
  );
  return rows;
}

/** The latest completed AI screening per application of the job, on the same criteria version. */
export async function aiScoresForJob(q: Queryable, jobId: string, criteriaVersion: number): Promise<{ application_id: string; scores: Record<string, number> }[]> {
  const { rows } = await q.query<{ application_id: string; scores: Record<string, number> }>(
    `SELECT DISTINCT ON (application_id) application_id, scores FROM screenings
      WHERE job_id = $1 AND status = 'completed' AND criteria_version = $2
      ORDER BY application_id, generation DESC`,
    [jobId, criteriaVersion],
  );
  return rows;
}
