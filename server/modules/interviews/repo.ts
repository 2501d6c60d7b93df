// SQL for interviews, interview plans and per-org interview settings.
import type { PlanItem } from './plan-draft.js';
import type { Queryable } from '../../core/db.js';

export type InterviewStatus = 'invited' | 'declined' | 'human_requested' | 'scheduled' | 'calling' | 'in_progress' | 'ended' | 'failed' | 'cancelled' | 'unreachable';
export type InterviewMode = 'phone' | 'browser' | 'typed';

/** A recruiter's availability window, ISO 8601 UTC instants. */
export interface AvailabilityWindow {
  start: string;
  end: string;
}

/** Recurring office hours: local times on weekdays (1 = Monday .. 7 = Sunday) in an IANA timezone. */
export interface WeeklyHours {
  timezone: string;
  days: { weekday: number; start: string; end: string }[];
}

export interface InterviewRow {
  id: string;
  org_id: string;
  application_id: string;
  job_id: string;
  candidate_id: string;
  status: InterviewStatus;
  mode: InterviewMode;
  questions: string[];
  /** Per question (same order): the criterion key and rubric anchor it was sent with; null for older invites. */
  rubric: { criterion: string | null; criterionName: string | null; anchor: string | null }[] | null;
  max_duration_seconds: number;
  language: string;
  invite_expires_at: Date;
  invite_revoked_at: Date | null;
  invite_used_at: Date | null;
  notice_version: string | null;
  /** The language the interview notice was shown in when the candidate consented (0058). */
  notice_language: string | null;
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
  attempts: number;
  next_attempt_at: Date | null;
  scheduled_for: Date | null;
  schedule_version: number;
  candidate_timezone: string | null;
  availability: AvailabilityWindow[] | null;
  cancelled_at: Date | null;
  cancelled_by: 'recruiter' | 'candidate' | null;
  assistant_model_provider: string | null;
  assistant_model: string | null;
  /** SEQUENCE of the latest calendar invite (0 for the booking, +1 per move or cancellation; 0042). */
  ical_sequence: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, org_id, application_id, job_id, candidate_id, status, mode, questions, rubric, max_duration_seconds, language,
  invite_expires_at, invite_revoked_at, invite_used_at, notice_version, notice_language, consented_at, recording_consent, human_requested_at,
  declined_at, phone_enc, vapi_call_id, call_status, ended_reason, call_error, transcript_enc, recording_ref_enc,
  report_received_at, reconciled_at, attempts, next_attempt_at, scheduled_for, schedule_version, candidate_timezone, availability,
  cancelled_at, cancelled_by, assistant_model_provider, assistant_model, ical_sequence, created_at, updated_at`;

export async function insertInterview(
  tx: Queryable,
  i: {
    id: string;
    orgId: string;
    applicationId: string;
    jobId: string;
    candidateId: string;
    questions: string[];
    rubric: InterviewRow['rubric'];
    maxDurationSeconds: number;
    language: string;
    tokenHash: Buffer;
    expiresAt: Date;
    createdBy: string;
    availability: AvailabilityWindow[] | null;
  },
): Promise<InterviewRow> {
  const { rows } = await tx.query<InterviewRow>(
    `INSERT INTO interviews (id, org_id, application_id, job_id, candidate_id, questions, max_duration_seconds, language, invite_token_hash, invite_expires_at, created_by, availability, rubric)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${COLUMNS}`,
    [i.id, i.orgId, i.applicationId, i.jobId, i.candidateId, JSON.stringify(i.questions), i.maxDurationSeconds, i.language, i.tokenHash, i.expiresAt, i.createdBy, i.availability ? JSON.stringify(i.availability) : null, i.rubric ? JSON.stringify(i.rubric) : null],
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
    notice_revision: number;
    notice_language: string;
    consented_at: Date;
    recording_consent: boolean;
    human_requested_at: Date;
    declined_at: Date;
    phone_enc: Buffer;
    vapi_call_id: string | null;
    call_status: string;
    ended_reason: string;
    call_error: string | null;
    transcript_enc: Buffer;
    recording_ref_enc: Buffer;
    report_received_at: Date;
    reconciled_at: Date;
    mode: InterviewMode;
    attempts: number;
    next_attempt_at: Date | null;
    scheduled_for: Date | null;
    schedule_version: number;
    candidate_timezone: string | null;
    invite_expires_at: Date;
    cancelled_at: Date;
    cancelled_by: 'recruiter' | 'candidate';
    assistant_model_provider: string | null;
    assistant_model: string | null;
    ical_sequence: number;
  }>,
): Promise<void> {
  const allowed = [
    'status', 'invite_used_at', 'invite_revoked_at', 'notice_version', 'notice_revision', 'notice_language', 'consented_at', 'recording_consent', 'human_requested_at', 'declined_at', 'phone_enc',
    'vapi_call_id', 'call_status', 'ended_reason', 'call_error', 'transcript_enc', 'recording_ref_enc', 'report_received_at', 'reconciled_at',
    'mode', 'attempts', 'next_attempt_at', 'scheduled_for', 'schedule_version', 'candidate_timezone', 'invite_expires_at', 'cancelled_at', 'cancelled_by',
    'assistant_model_provider', 'assistant_model', 'ical_sequence',
  ];
  const entries = Object.entries(set).filter(([k, v]) => allowed.includes(k) && v !== undefined);
  if (entries.length === 0) return;
  const sql = entries.map(([k], i) => `${k} = $${i + 2}`).join(', ');
  await tx.query(`UPDATE interviews SET ${sql}, updated_at = now() WHERE id = $1`, [id, ...entries.map(([, v]) => v)]);
}

export interface SettingsRow {
  vapi_assistant_id: string | null;
  vapi_phone_number_id: string | null;
  max_call_retries: number;
  retry_delays_seconds: number[];
  reschedule_cutoff_minutes: number;
  vapi_public_key: string | null;
  assistant_model_provider: string | null;
  assistant_model: string | null;
}

export interface SettingsInput {
  assistantId: string | null;
  phoneNumberId: string | null;
  maxCallRetries: number;
  retryDelaysSeconds: number[];
  rescheduleCutoffMinutes: number;
  publicKey: string | null;
  /** Both set or both null (the operator's default). */
  assistantModelProvider: string | null;
  assistantModel: string | null;
}

export const DEFAULT_SETTINGS: SettingsRow = {
  vapi_assistant_id: null,
  vapi_phone_number_id: null,
  max_call_retries: 2,
  retry_delays_seconds: [900, 3600],
  reschedule_cutoff_minutes: 60,
  vapi_public_key: null,
  assistant_model_provider: null,
  assistant_model: null,
};

export async function findSettings(q: Queryable): Promise<SettingsRow | null> {
  const { rows } = await q.query<SettingsRow>(
    'SELECT vapi_assistant_id, vapi_phone_number_id, max_call_retries, retry_delays_seconds, reschedule_cutoff_minutes, vapi_public_key, assistant_model_provider, assistant_model FROM interview_settings',
  );
  return rows[0] ?? null;
}

export async function upsertSettings(tx: Queryable, orgId: string, s: SettingsInput): Promise<void> {
  await tx.query(
    `INSERT INTO interview_settings (org_id, vapi_assistant_id, vapi_phone_number_id, max_call_retries, retry_delays_seconds, reschedule_cutoff_minutes, vapi_public_key, assistant_model_provider, assistant_model)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (org_id) DO UPDATE SET vapi_assistant_id = EXCLUDED.vapi_assistant_id, vapi_phone_number_id = EXCLUDED.vapi_phone_number_id,
       max_call_retries = EXCLUDED.max_call_retries, retry_delays_seconds = EXCLUDED.retry_delays_seconds,
       reschedule_cutoff_minutes = EXCLUDED.reschedule_cutoff_minutes, vapi_public_key = EXCLUDED.vapi_public_key,
       assistant_model_provider = EXCLUDED.assistant_model_provider, assistant_model = EXCLUDED.assistant_model, updated_at = now()`,
    [orgId, s.assistantId, s.phoneNumberId, s.maxCallRetries, s.retryDelaysSeconds, s.rescheduleCutoffMinutes, s.publicKey, s.assistantModelProvider, s.assistantModel],
  );
}

export interface VoiceSetting {
  provider: string;
  voiceId: string;
}

export interface PlanRow {
  job_id: string;
  questions: string[];
  max_duration_seconds: number;
  language: string;
  availability: AvailabilityWindow[];
  weekly_hours: WeeklyHours | null;
  voice: VoiceSetting | null;
  vapi_assistant_id: string | null;
  assistant_hash: string | null;
  /** Questions with their criterion key and rubric anchor (null criterion/anchor only on legacy plans). */
  items: PlanItem[] | null;
  status: 'draft' | 'approved';
  source: 'recruiter' | 'ai' | 'legacy';
  criteria_version: number | null;
  draft_model: string | null;
  draft_seed: number | null;
  approved_at: Date | null;
  approved_by: string | null;
  updated_at: Date;
}

export async function findPlan(q: Queryable, jobId: string, forUpdate = false): Promise<PlanRow | null> {
  const { rows } = await q.query<PlanRow>(
    `SELECT job_id, questions, max_duration_seconds, language, availability, weekly_hours, voice, vapi_assistant_id, assistant_hash,
            items, status, source, criteria_version, draft_model, draft_seed, approved_at, approved_by, updated_at
       FROM interview_plans WHERE job_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [jobId],
  );
  return rows[0] ?? null;
}

export async function upsertPlan(
  tx: Queryable,
  orgId: string,
  jobId: string,
  p: { questions: string[]; maxDurationSeconds: number; language: string; availability: AvailabilityWindow[]; weeklyHours: WeeklyHours | null; voice: VoiceSetting | null },
): Promise<void> {
  await tx.query(
    `INSERT INTO interview_plans (job_id, org_id, questions, max_duration_seconds, language, availability, weekly_hours, voice) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (job_id) DO UPDATE SET questions = EXCLUDED.questions, max_duration_seconds = EXCLUDED.max_duration_seconds, language = EXCLUDED.language,
       availability = EXCLUDED.availability, weekly_hours = EXCLUDED.weekly_hours, voice = EXCLUDED.voice, updated_at = now()`,
    [jobId, orgId, JSON.stringify(p.questions), p.maxDurationSeconds, p.language, JSON.stringify(p.availability), p.weeklyHours ? JSON.stringify(p.weeklyHours) : null, p.voice ? JSON.stringify(p.voice) : null],
  );
}

/**
 * Stores the plan's questions (items) as a draft: any change of questions needs a new
 * approval. `questions` (the texts) is kept alongside for the assistant and older readers.
 */
export async function savePlanItems(
  tx: Queryable,
  orgId: string,
  jobId: string,
  p: { items: PlanItem[]; source: 'recruiter' | 'ai'; criteriaVersion: number; draftModel: string | null; draftSeed: number | null; language: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO interview_plans (job_id, org_id, questions, items, status, source, criteria_version, draft_model, draft_seed, language)
     VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9)
     ON CONFLICT (job_id) DO UPDATE SET questions = EXCLUDED.questions, items = EXCLUDED.items, status = 'draft', source = EXCLUDED.source,
       criteria_version = EXCLUDED.criteria_version, draft_model = EXCLUDED.draft_model, draft_seed = EXCLUDED.draft_seed,
       language = EXCLUDED.language, approved_at = NULL, approved_by = NULL, updated_at = now()`,
    [jobId, orgId, JSON.stringify(p.items.map((i) => i.text)), JSON.stringify(p.items), p.source, p.criteriaVersion, p.draftModel, p.draftSeed, p.language],
  );
}

export async function approvePlanRow(tx: Queryable, jobId: string, userId: string, at: Date): Promise<void> {
  await tx.query(`UPDATE interview_plans SET status = 'approved', approved_at = $2, approved_by = $3, updated_at = now() WHERE job_id = $1`, [jobId, at, userId]);
}

/** A plan for a job that has none yet (the managed assistant needs one); an existing plan is kept. */
export async function ensurePlan(tx: Queryable, orgId: string, jobId: string, p: { questions: string[]; maxDurationSeconds: number; language: string }): Promise<void> {
  await tx.query(
    `INSERT INTO interview_plans (job_id, org_id, questions, max_duration_seconds, language) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (job_id) DO NOTHING`,
    [jobId, orgId, JSON.stringify(p.questions), p.maxDurationSeconds, p.language],
  );
}

/** Stores the synced assistant and releases the sync claim. */
export async function savePlanAssistant(tx: Queryable, jobId: string, assistantId: string, hash: string): Promise<void> {
  await tx.query('UPDATE interview_plans SET vapi_assistant_id = $2, assistant_hash = $3, assistant_sync_until = NULL WHERE job_id = $1', [jobId, assistantId, hash]);
}

/** Claims the plan's assistant sync until `until` unless another worker holds an unexpired claim (call with the row locked). */
export async function claimAssistantSync(tx: Queryable, jobId: string, now: Date, until: Date): Promise<boolean> {
  const { rowCount } = await tx.query('UPDATE interview_plans SET assistant_sync_until = $3 WHERE job_id = $1 AND (assistant_sync_until IS NULL OR assistant_sync_until <= $2)', [jobId, now, until]);
  return rowCount === 1;
}

export async function releaseAssistantSync(tx: Queryable, jobId: string): Promise<void> {
  await tx.query('UPDATE interview_plans SET assistant_sync_until = NULL WHERE job_id = $1', [jobId]);
}

/** Records a placed call (attempt number and mode). */
export async function insertCall(tx: Queryable, c: { orgId: string; callId: string; interviewId: string; attempt: number; mode: InterviewMode }): Promise<void> {
  await tx.query('INSERT INTO interview_calls (org_id, call_id, interview_id, attempt, mode) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
    c.orgId,
    c.callId,
    c.interviewId,
    c.attempt,
    c.mode,
  ]);
}

export interface CallRow {
  call_id: string;
  interview_id: string;
  attempt: number;
  mode: InterviewMode;
  ended_reason: string | null;
  created_at: Date;
  ended_at: Date | null;
}

export async function findCall(q: Queryable, callId: string): Promise<CallRow | null> {
  const { rows } = await q.query<CallRow>('SELECT call_id, interview_id, attempt, mode, ended_reason, created_at, ended_at FROM interview_calls WHERE call_id = $1', [callId]);
  return rows[0] ?? null;
}

export async function callsOfInterview(q: Queryable, interviewId: string): Promise<CallRow[]> {
  const { rows } = await q.query<CallRow>(
    'SELECT call_id, interview_id, attempt, mode, ended_reason, created_at, ended_at FROM interview_calls WHERE interview_id = $1 ORDER BY attempt',
    [interviewId],
  );
  return rows;
}

/** The first ended reason reported for a call wins; later ones are redeliveries. */
export async function endCall(tx: Queryable, callId: string, endedReason: string | null, at: Date): Promise<void> {
  await tx.query('UPDATE interview_calls SET ended_reason = COALESCE(ended_reason, $2), ended_at = COALESCE(ended_at, $3) WHERE call_id = $1', [callId, endedReason, at]);
}

/** The org's display name (orgs is a global table). */
export async function orgName(q: Queryable, orgId: string): Promise<string | null> {
  const { rows } = await q.query<{ name: string }>('SELECT name FROM orgs WHERE id = $1', [orgId]);
  return rows[0]?.name ?? null;
}

/** Phone interviews of every org due for more than `graceSeconds` without a call (ids only), oldest first: the start sweep's input (0024). */
export async function overdueStartsAllOrgs(q: Queryable, graceSeconds: number, limit: number): Promise<{ orgId: string; id: string; attempts: number }[]> {
  const { rows } = await q.query<{ org_id: string; id: string; attempts: number }>('SELECT org_id, id, attempts FROM interviews_overdue_starts($1, $2)', [graceSeconds, limit]);
  return rows.map((r) => ({ orgId: r.org_id, id: r.id, attempts: r.attempts }));
}

/** A fresh invite token for the interview (issue 22: the status page reopens self-booking); the old one stops working. */
export async function replaceInviteToken(tx: Queryable, id: string, tokenHash: Buffer): Promise<void> {
  await tx.query('UPDATE interviews SET invite_token_hash = $2, updated_at = now() WHERE id = $1', [id, tokenHash]);
}

/**
 * The candidate's language and zone for an application (issue 22 item 1): the locale they
 * applied in, else the job's language; their time zone when the apply page sent one.
 */
export async function applicationLanguage(q: Queryable, applicationId: string): Promise<{ locale: string | null; timeZone: string | null }> {
  const { rows } = await q.query<{ locale: string | null; time_zone: string | null }>(
    'SELECT coalesce(a.locale, j.language) AS locale, a.time_zone FROM applications a JOIN jobs j ON j.id = a.job_id WHERE a.id = $1',
    [applicationId],
  );
  return { locale: rows[0]?.locale ?? null, timeZone: rows[0]?.time_zone ?? null };
}
