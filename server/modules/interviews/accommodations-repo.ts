// SQL for interview_accommodations (migrations/0056): candidates' accommodation requests.
// Callers pass the tenant connection or transaction.
import type { Queryable } from '../../core/db.js';
import type { AccommodationType } from './accommodations.js';

export interface AccommodationRow {
  id: string;
  interview_id: string;
  application_id: string;
  candidate_id: string;
  type: AccommodationType;
  note_enc: Buffer | null;
  status: 'requested' | 'granted' | 'declined';
  due_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
  created_at: Date;
}
const SELECT = `SELECT a.id, a.interview_id, a.application_id, i.candidate_id, a.type, a.note_enc, a.status, a.due_at, a.resolved_at, a.resolved_by, a.resolution, a.created_at
  FROM interview_accommodations a JOIN interviews i ON i.org_id = a.org_id AND i.id = a.interview_id`;

export async function accommodationExists(q: Queryable, interviewId: string, type: AccommodationType): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM interview_accommodations WHERE interview_id = $1 AND type = $2', [interviewId, type]);
  return rows.length > 0;
}

export async function insertAccommodation(
  q: Queryable,
  r: { id: string; orgId: string; interviewId: string; applicationId: string; type: AccommodationType; noteEnc: Buffer | null; status: 'requested' | 'granted'; dueAt: Date; resolvedAt: Date | null; resolution: string | null; createdAt: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO interview_accommodations (id, org_id, interview_id, application_id, type, note_enc, status, due_at, resolved_at, resolution, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [r.id, r.orgId, r.interviewId, r.applicationId, r.type, r.noteEnc, r.status, r.dueAt, r.resolvedAt, r.resolution, r.createdAt],
  );
}

export async function listAccommodations(q: Queryable, applicationId: string): Promise<AccommodationRow[]> {
  return (await q.query<AccommodationRow>(`${SELECT} WHERE a.application_id = $1 ORDER BY a.created_at, a.id`, [applicationId])).rows;
}

export async function lockAccommodation(q: Queryable, id: string): Promise<AccommodationRow | undefined> {
  return (await q.query<AccommodationRow>(`${SELECT} WHERE a.id = $1 FOR UPDATE OF a`, [id])).rows[0];
}

export async function resolveAccommodation(q: Queryable, id: string, r: { status: 'granted' | 'declined'; at: Date; by: string; resolution: string | null }): Promise<void> {
  await q.query('UPDATE interview_accommodations SET status = $2, resolved_at = $3, resolved_by = $4, resolution = $5 WHERE id = $1', [id, r.status, r.at, r.by, r.resolution]);
}

/** Granted more time: the call's limit grows by half (at most an hour) while the interview has not started. */
export async function extendInterviewDuration(q: Queryable, interviewId: string): Promise<number | null> {
  const { rows } = await q.query<{ max_duration_seconds: number }>(
    `UPDATE interviews SET max_duration_seconds = LEAST(3600, ceil(max_duration_seconds * 1.5)::int), updated_at = now()
      WHERE id = $1 AND status IN ('invited', 'scheduled') RETURNING max_duration_seconds`,
    [interviewId],
  );
  return rows[0]?.max_duration_seconds ?? null;
}

export interface OpenAccommodationRow {
  id: string;
  interview_id: string;
  application_id: string;
  job_id: string;
  job_title: string;
  type: AccommodationType;
  has_note: boolean;
  due_at: Date;
  due_at_text: string;
  created_at: Date;
}

/**
 * The org's open requests, soonest due first (the partial index on (org_id, due_at) WHERE
 * status = 'requested'); keyset paging on (due_at, id). A hiring manager (assignedTo) sees
 * only requests on jobs they are assigned to.
 */
export async function listOpenAccommodations(
  q: Queryable,
  f: { assignedTo: string | null; after?: { dueAt: string; id: string }; limit: number },
): Promise<OpenAccommodationRow[]> {
  const { rows } = await q.query<OpenAccommodationRow>(
    `SELECT x.id, x.interview_id, x.application_id, a.job_id, j.title AS job_title, x.type, x.note_enc IS NOT NULL AS has_note,
            x.due_at, x.due_at::text AS due_at_text, x.created_at
       FROM interview_accommodations x JOIN applications a ON a.id = x.application_id JOIN jobs j ON j.id = a.job_id
      WHERE x.status = 'requested'
        AND ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = a.job_id AND ja.user_id = $1))
        AND ($2::timestamptz IS NULL OR (x.due_at, x.id) > ($2::timestamptz, $3::uuid))
      ORDER BY x.due_at, x.id LIMIT $4`,
    [f.assignedTo, f.after?.dueAt ?? null, f.after?.id ?? null, f.limit],
  );
  return rows;
}
