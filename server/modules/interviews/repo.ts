// SQL for interviews, interview plans and per-org interview settings.
import type { Queryable } from '../../core/db.js';

export type InterviewStatus = 'invited' | 'declined' | 'human_requested' | 'scheduled' | 'calling' | 'in_progress' | 'ended' | 'failed' | 'cancelled';

export interface InterviewRow {
  id: string;
  org_id: string;
  application_id: string;
  job_id: string;
  candidate_id: string;
  status: InterviewStatus;
  mode: 'phone';
  questions: string[];
  max_duration_seconds: number;
  language: string;
  invite_expires_at: Date;
  invite_revoked_at: Date | null;
  invite_used_at: Date | null;
  notice_version: string | null;
  consented_at: Date | null;
  recording_consent: boolean | null;
  human_requested_at: Date | null;
  declined_at: Date | null;
  phone_enc: Buffer | null;
  vapi_call_id: string | null;
  call_status: string | null;
  ended_reason: string | null;
  call_error: string | null;
  transcript_enc: Buffer | null;
  recording_ref_enc: Buffer | null;
  report_received_at: Date | null;
  reconciled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, org_id, application_id, job_id, candidate_id, status, mode, questions, max_duration_seconds, language,
  invite_expires_at, invite_revoked_at, invite_used_at, notice_version, consented_at, recording_consent, human_requested_at,
  declined_at, phone_enc, vapi_call_id, call_status, ended_reason, call_error, transcript_enc, recording_ref_enc,
  report_received_at, reconciled_at, created_at, updated_at`;

export async function insertInterview(
  tx: Queryable,
  i: { id: string; orgId: string; applicationId: string; jobId: string; candidateId: string; questions: string[]; maxDurationSeconds: number; language: string; tokenHash: Buffer; expiresAt: Date; createdBy: string },
): Promise<InterviewRow> {
  const { rows } = await tx.query<InterviewRow>(
    `INSERT INTO interviews (id, org_id, application_id, job_id, candidate_id, questions, max_duration_seconds, language, invite_token_hash, invite_expires_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
    [i.id, i.orgId, i.applicationId, i.jobId, i.candidateId, JSON.stringify(i.questions), i.maxDurationSeconds, i.language, i.tokenHash, i.expiresAt, i.createdBy],
  );
  return rows[0] as InterviewRow;
}

export async function findInterview(q: Queryable, id: string, forUpdate = false): Promise<InterviewRow | null> {
  const { rows } = await q.query<InterviewRow>(`SELECT ${COLUMNS} FROM interviews WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function findInterviewByToken(q: Queryable, tokenHash: Buffer, forUpdate = false): Promise<InterviewRow | null> {
  const { rows } = await q.query<InterviewRow>(`SELECT ${COLUMNS} FROM interviews WHERE invite_token_hash = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [tokenHash]);
  return rows[0] ?? null;
}

export async function findInterviewByCall(q: Queryable, callId: string, forUpdate = false): Promise<InterviewRow | null> {
  const { rows } = await q.query<InterviewRow>(`SELECT ${COLUMNS} FROM interviews WHERE vapi_call_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [callId]);
  return rows[0] ?? null;
}

export async function interviewsOfApplication(q: Queryable, applicationId: string): Promise<InterviewRow[]> {
  const { rows } = await q.query<InterviewRow>(`SELECT ${COLUMNS} FROM interviews WHERE application_id = $1 ORDER BY created_at, id`, [applicationId]);
  return rows;
}

/** The org of a live invite token, through the SECURITY DEFINER lookup (no tenant needed). */
export async function orgOfInvite(q: Queryable, tokenHash: Buffer): Promise<string | null> {
  const { rows } = await q.query<{ org_id: string | null }>('SELECT interview_invite_org($1) AS org_id', [tokenHash]);
  return rows[0]?.org_id ?? null;
}

/** Applies a partial update (fixed column names only). */
export async function updateInterview(
  tx: Queryable,
  id: string,
  set: Partial<{
    status: InterviewStatus;
    invite_used_at: Date;
    invite_revoked_at: Date;
    notice_version: string;
    consented_at: Date;
    recording_consent: boolean;
    human_requested_at: Date;
    declined_at: Date;
    phone_enc: Buffer;
    vapi_call_id: string;
    call_status: string;
    ended_reason: string;
    call_error: string;
    transcript_enc: Buffer;
    recording_ref_enc: Buffer;
    report_received_at: Date;
    reconciled_at: Date;
  }>,
): Promise<void> {
  const allowed = [
    'status', 'invite_used_at', 'invite_revoked_at', 'notice_version', 'consented_at', 'recording_consent', 'human_requested_at', 'declined_at', 'phone_enc',
    'vapi_call_id', 'call_status', 'ended_reason', 'call_error', 'transcript_enc', 'recording_ref_enc', 'report_received_at', 'reconciled_at',
  ];
  const entries = Object.entries(set).filter(([k, v]) => allowed.includes(k) && v !== undefined);
  if (entries.length === 0) return;
  const sql = entries.map(([k], i) => `${k} = $${i + 2}`).join(', ');
  await tx.query(`UPDATE interviews SET ${sql}, updated_at = now() WHERE id = $1`, [id, ...entries.map(([, v]) => v)]);
}

export interface SettingsRow {
  vapi_assistant_id: string | null;
  vapi_phone_number_id: string | null;
}

export async function findSettings(q: Queryable): Promise<SettingsRow | null> {
  const { rows } = await q.query<SettingsRow>('SELECT vapi_assistant_id, vapi_phone_number_id FROM interview_settings');
  return rows[0] ?? null;
}

export async function upsertSettings(tx: Queryable, orgId: string, s: { assistantId: string | null; phoneNumberId: string | null }): Promise<void> {
  await tx.query(
    `INSERT INTO interview_settings (org_id, vapi_assistant_id, vapi_phone_number_id) VALUES ($1, $2, $3)
     ON CONFLICT (org_id) DO UPDATE SET vapi_assistant_id = EXCLUDED.vapi_assistant_id, vapi_phone_number_id = EXCLUDED.vapi_phone_number_id, updated_at = now()`,
    [orgId, s.assistantId, s.phoneNumberId],
  );
}

export async function findPlan(q: Queryable, jobId: string): Promise<{ questions: string[]; max_duration_seconds: number; language: string } | null> {
  const { rows } = await q.query<{ questions: string[]; max_duration_seconds: number; language: string }>(
    'SELECT questions, max_duration_seconds, language FROM interview_plans WHERE job_id = $1',
    [jobId],
  );
  return rows[0] ?? null;
}

export async function upsertPlan(tx: Queryable, orgId: string, jobId: string, p: { questions: string[]; maxDurationSeconds: number; language: string }): Promise<void> {
  await tx.query(
    `INSERT INTO interview_plans (job_id, org_id, questions, max_duration_seconds, language) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (job_id) DO UPDATE SET questions = EXCLUDED.questions, max_duration_seconds = EXCLUDED.max_duration_seconds, language = EXCLUDED.language, updated_at = now()`,
    [jobId, orgId, JSON.stringify(p.questions), p.maxDurationSeconds, p.language],
  );
}

/** The org's display name (orgs is a global table). */
export async function orgName(q: Queryable, orgId: string): Promise<string | null> {
  const { rows } = await q.query<{ name: string }>('SELECT name FROM orgs WHERE id = $1', [orgId]);
  return rows[0]?.name ?? null;
}
