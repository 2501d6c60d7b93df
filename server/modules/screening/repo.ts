// SQL for screenings and their AI runs.
import type { Queryable } from '../../core/db.js';
import { insertAiRun, type AiRunInsert, type AiRunPurpose } from '../ai/index.js';
import { finishAiResultRow, type AiResultFinish, type AiResultRow } from '../ai/index.js';

// The org's AI settings and monthly usage are the AI plumbing's (ai/repo.ts); re-exported
// here so the screening settings and status code keep one import.
export { addUsage, DEFAULT_AI_SETTINGS, getAiSettings, monthStart, tokensUsed, upsertAiSettings, type AiSettingsRow } from '../ai/index.js';

export interface ScreeningSource {
  application_id: string;
  candidate_id: string;
  job_id: string;
  title: string;
  description: string;
  criteria: { name: string; description: string; weight: number; mustHave: boolean }[];
  criteria_version: number;
  document_id: string | null;
  text_enc: Buffer | null;
  /** The candidate chose a review by a person without AI screening: no model may see it. */
  human_review_only: boolean;
}

/** The application, its job's criteria and its latest parsed CV. */
export async function loadScreeningSource(q: Queryable, applicationId: string): Promise<ScreeningSource | null> {
  const { rows } = await q.query<ScreeningSource>(
    `SELECT a.id AS application_id, a.candidate_id, a.job_id, a.human_review_only, j.title, j.description, j.criteria, j.criteria_version, d.id AS document_id, d.text_enc
       FROM applications a JOIN jobs j ON j.id = a.job_id
       LEFT JOIN LATERAL (SELECT id, text_enc FROM documents WHERE application_id = a.id AND parse_status = 'parsed' ORDER BY parsed_at DESC, id LIMIT 1) d ON true
      WHERE a.id = $1`,
    [applicationId],
  );
  return rows[0] ?? null;
}

export interface ScreeningRow extends AiResultRow {
  application_id: string;
  job_id: string;
  document_id: string;
  criteria_version: number;
  generation: number;
  recommendation: string | null;
  model_recommendation: string | null;
  scores: Record<string, number>;
  injection_kinds: string[];
  redaction_counts: Record<string, number>;
  redaction_map_enc: Buffer | null;
  raw_response_enc: Buffer | null;
  requested_by: string | null;
}

const COLUMNS = `id, application_id, job_id, document_id, criteria_version, generation, status, status_reason, provider, model, prompt_version,
  input_hash, recommendation, model_recommendation, overall_score, scores, flags, injection_kinds, redaction_counts, result_enc,
  redaction_map_enc, raw_response_enc, input_tokens, output_tokens, attempts, requested_by, created_at, completed_at`;

/** The latest generation for (application, document, criteria version), created as pending if none. */
export async function ensureScreening(tx: Queryable, s: { orgId: string; applicationId: string; jobId: string; documentId: string; criteriaVersion: number }): Promise<ScreeningRow> {
  // Issued together (in order): on a pipelined transaction (core/db.ts) they share a round trip.
  const [, { rows }] = await Promise.all([
    tx.query(
      `INSERT INTO screenings (org_id, application_id, job_id, document_id, criteria_version) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (org_id, application_id, document_id, criteria_version, generation) DO NOTHING`,
      [s.orgId, s.applicationId, s.jobId, s.documentId, s.criteriaVersion],
    ),
    tx.query<ScreeningRow>(`SELECT ${COLUMNS} FROM screenings WHERE application_id = $1 AND document_id = $2 AND criteria_version = $3 ORDER BY generation DESC LIMIT 1 FOR UPDATE`, [
      s.applicationId,
      s.documentId,
      s.criteriaVersion,
    ]),
  ]);
  return rows[0] as ScreeningRow;
}

export async function setWaiting(tx: Queryable, id: string, reason: string): Promise<void> {
  await tx.query(`UPDATE screenings SET status = 'waiting', status_reason = $2, updated_at = now() WHERE id = $1 AND status IN ('pending', 'waiting')`, [id, reason]);
}

export async function insertRun(tx: Queryable, r: AiRunInsert & { screeningId: string; purpose?: Exclude<AiRunPurpose, 'interview_scoring'> }): Promise<string> {
  return insertAiRun(tx, { screeningId: r.screeningId }, r.purpose ?? 'cv_screening', r);
}

/** Finishes a screening once; false when another run already finished it. */
export async function finishScreening(
  tx: Queryable,
  id: string,
  f: AiResultFinish & {
    recommendation: string | null;
    modelRecommendation: string | null;
    injectionKinds: string[];
    redactionCounts: Record<string, number>;
    redactionMapEnc: Buffer | null;
  },
): Promise<boolean> {
  return finishAiResultRow(tx, 'screenings', id, f, [
    ['recommendation', f.recommendation],
    ['model_recommendation', f.modelRecommendation],
    ['injection_kinds', f.injectionKinds],
    ['redaction_counts', JSON.stringify(f.redactionCounts)],
    ['redaction_map_enc', f.redactionMapEnc],
  ]);
}

export async function screeningsOfApplication(q: Queryable, applicationId: string): Promise<ScreeningRow[]> {
  const { rows } = await q.query<ScreeningRow>(`SELECT ${COLUMNS} FROM screenings WHERE application_id = $1 ORDER BY created_at DESC, generation DESC`, [applicationId]);
  return rows;
}

export interface RunRow {
  id: string;
  provider: string;
  model: string;
  prompt_version: string;
  input_hash: string;
  outcome: string;
  detail: string | null;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  http_attempts: number;
  request_id: string | null;
  created_at: Date;
}

export async function runsOfScreening(q: Queryable, screeningId: string): Promise<RunRow[]> {
  const { rows } = await q.query<RunRow>(
    `SELECT id, provider, model, prompt_version, input_hash, outcome, detail, latency_ms, input_tokens, output_tokens, http_attempts, request_id, created_at
       FROM ai_runs WHERE screening_id = $1 AND purpose = 'cv_screening' ORDER BY created_at, id`,
    [screeningId],
  );
  return rows;
}

// --- explicit rescreening -------------------------------------------------------------

/** The newest generation for (application, document, criteria version), or null. */
export async function latestScreeningFor(q: Queryable, applicationId: string, documentId: string, criteriaVersion: number): Promise<ScreeningRow | null> {
  const { rows } = await q.query<ScreeningRow>(
    `SELECT ${COLUMNS} FROM screenings WHERE application_id = $1 AND document_id = $2 AND criteria_version = $3 ORDER BY generation DESC LIMIT 1 FOR UPDATE`,
    [applicationId, documentId, criteriaVersion],
  );
  return rows[0] ?? null;
}

/** A new pending screening generation requested by a member (the worker picks the newest). */
export async function insertRequestedScreening(
  tx: Queryable,
  s: { orgId: string; applicationId: string; jobId: string; documentId: string; criteriaVersion: number; generation: number; requestedBy: string },
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO screenings (org_id, application_id, job_id, document_id, criteria_version, generation, requested_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [s.orgId, s.applicationId, s.jobId, s.documentId, s.criteriaVersion, s.generation, s.requestedBy],
  );
  return (rows[0] as { id: string }).id;
}

export async function jobCriteriaVersion(q: Queryable, jobId: string): Promise<number | null> {
  const { rows } = await q.query<{ criteria_version: number }>('SELECT criteria_version FROM jobs WHERE id = $1', [jobId]);
  return rows[0]?.criteria_version ?? null;
}

/** Applications of a job still in play (not hired, rejected or withdrawn), oldest first. */
export async function activeApplicationIdsOfJob(q: Queryable, jobId: string, limit: number): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM applications WHERE job_id = $1 AND stage_kind NOT IN ('hired', 'rejected', 'withdrawn') ORDER BY created_at, id LIMIT $2`,
    [jobId, limit],
  );
  return rows.map((r) => r.id);
}

// --- stability check ------------------------------------------------------------------

/** A random sample of a job's applications with a completed screening: the newest such screening of each. */
export async function sampleScreenedApplications(q: Queryable, jobId: string, limit: number): Promise<{ application_id: string; screening_id: string }[]> {
  const { rows } = await q.query<{ application_id: string; screening_id: string }>(
    `SELECT application_id, screening_id FROM (
       SELECT DISTINCT ON (s.application_id) s.application_id, s.id AS screening_id
         FROM screenings s
        WHERE s.job_id = $1 AND s.status = 'completed'
        ORDER BY s.application_id, s.created_at DESC, s.generation DESC
     ) latest ORDER BY random() LIMIT $2`,
    [jobId, limit],
  );
  return rows;
}

// --- contest links and review tasks ---------------------------------------------------

export async function insertContestLink(tx: Queryable, l: { orgId: string; applicationId: string; tokenHash: Buffer; expiresAt: Date; createdBy: string | null }): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    'INSERT INTO contest_links (org_id, application_id, token_hash, expires_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [l.orgId, l.applicationId, l.tokenHash, l.expiresAt, l.createdBy],
  );
  return (rows[0] as { id: string }).id;
}

/** The org of a contest token's hash (any state), through the SECURITY DEFINER lookup. */
export async function contestLinkOrg(q: Queryable, tokenHash: Buffer): Promise<string | null> {
  const { rows } = await q.query<{ org_id: string | null }>('SELECT contest_link_org($1) AS org_id', [tokenHash]);
  return rows[0]?.org_id ?? null;
}

export interface ContestLinkRow {
  id: string;
  application_id: string;
  expires_at: Date;
  used_at: Date | null;
}

export async function findContestLink(q: Queryable, tokenHash: Buffer, forUpdate = false): Promise<ContestLinkRow | null> {
  const { rows } = await q.query<ContestLinkRow>(
    `SELECT id, application_id, expires_at, used_at FROM contest_links WHERE token_hash = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [tokenHash],
  );
  return rows[0] ?? null;
}

export async function markContestLinkUsed(tx: Queryable, id: string, at: Date): Promise<void> {
  await tx.query('UPDATE contest_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL', [id, at]);
}

export interface ReviewTaskRow {
  id: string;
  application_id: string;
  job_id: string;
  job_title: string;
  candidate_id: string;
  kind: 'contest';
  opened_via: 'candidate_link' | 'recruiter';
  opened_by: string | null;
  reason_enc: Buffer;
  status: 'open' | 'resolved';
  resolution: 'upheld' | 'changed' | null;
  resolution_note_enc: Buffer | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  created_at: Date;
}

const TASK_COLUMNS = `t.id, t.application_id, a.job_id, j.title AS job_title, a.candidate_id, t.kind, t.opened_via, t.opened_by, t.reason_enc, t.status,
  t.resolution, t.resolution_note_enc, t.resolved_by, t.resolved_at, t.created_at`;

export async function openReviewTaskOf(q: Queryable, applicationId: string): Promise<{ id: string } | null> {
  const { rows } = await q.query<{ id: string }>("SELECT id FROM review_tasks WHERE application_id = $1 AND status = 'open' AND kind = 'contest'", [applicationId]);
  return rows[0] ?? null;
}

/** Inserts a contest task with a sealed reason (sealed by the caller with the task id as AAD). */
export async function insertReviewTask(
  tx: Queryable,
  r: { id: string; orgId: string; applicationId: string; openedVia: 'candidate_link' | 'recruiter'; contestLinkId: string | null; openedBy: string | null; reasonEnc: Buffer },
): Promise<void> {
  await tx.query(
    `INSERT INTO review_tasks (id, org_id, application_id, opened_via, contest_link_id, opened_by, reason_enc) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [r.id, r.orgId, r.applicationId, r.openedVia, r.contestLinkId, r.openedBy, r.reasonEnc],
  );
}

/** Review tasks by status (newest first); with assignedTo, only those on jobs assigned to that user. */
export async function listReviewTasks(q: Queryable, f: { status: 'open' | 'resolved'; assignedTo: string | null; limit: number }): Promise<ReviewTaskRow[]> {
  const { rows } = await q.query<ReviewTaskRow>(
    `SELECT ${TASK_COLUMNS} FROM review_tasks t JOIN applications a ON a.id = t.application_id JOIN jobs j ON j.id = a.job_id
      WHERE t.status = $1 AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = a.job_id AND ja.user_id = $2))
      ORDER BY t.created_at DESC, t.id DESC LIMIT $3`,
    [f.status, f.assignedTo, f.limit],
  );
  return rows;
}

export async function findReviewTask(q: Queryable, id: string, assignedTo: string | null, forUpdate = false): Promise<ReviewTaskRow | null> {
  const { rows } = await q.query<ReviewTaskRow>(
    `SELECT ${TASK_COLUMNS} FROM review_tasks t JOIN applications a ON a.id = t.application_id JOIN jobs j ON j.id = a.job_id
      WHERE t.id = $1 AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = a.job_id AND ja.user_id = $2))
      ${forUpdate ? 'FOR UPDATE OF t' : ''}`,
    [id, assignedTo],
  );
  return rows[0] ?? null;
}

export async function resolveReviewTask(tx: Queryable, id: string, r: { resolution: 'upheld' | 'changed'; noteEnc: Buffer; resolvedBy: string; at: Date }): Promise<boolean> {
  const res = await tx.query(
    `UPDATE review_tasks SET status = 'resolved', resolution = $2, resolution_note_enc = $3, resolved_by = $4, resolved_at = $5 WHERE id = $1 AND status = 'open'`,
    [id, r.resolution, r.noteEnc, r.resolvedBy, r.at],
  );
  return res.rowCount === 1;
}

// --- explanation -------------------------------------------------------------------

/** A member's display name and role in the current org (null when no longer a member). */
export async function memberLabel(q: Queryable, userId: string): Promise<{ display_name: string | null; role: string } | null> {
  const { rows } = await q.query<{ display_name: string | null; role: string }>(
    'SELECT u.display_name, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.user_id = $1',
    [userId],
  );
  return rows[0] ?? null;
}
