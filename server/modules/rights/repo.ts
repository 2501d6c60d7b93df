// SQL for the privacy-request register (migrations/0039) and candidate rectification.
import type { Queryable } from '../../core/db.js';

// human_review (issue 22): a candidate asks, from the status page, for a person to review an automated step (GDPR Art. 22(3)).
export const REQUEST_TYPES = ['access', 'erasure', 'rectification', 'objection', 'restriction', 'human_review'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export const REQUEST_STATUSES = ['open', 'in_progress', 'done', 'refused'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const IDENTITY_STATUSES = ['pending', 'verified', 'failed'] as const;
export type IdentityStatus = (typeof IDENTITY_STATUSES)[number];
export type ClosingAction = 'export' | 'erasure' | 'rectification' | 'manual';

export interface PrivacyRequestRow {
  id: string;
  reference: string;
  type: RequestType;
  received_on: string;
  identity_status: IdentityStatus;
  identity_method: string | null;
  due_on: string;
  extension_months: number;
  extension_reason: string | null;
  status: RequestStatus;
  refusal_reason: string | null;
  candidate_id: string | null;
  closed_by_action: ClosingAction | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

// Dates as ISO strings (YYYY-MM-DD): a deadline is a calendar day, never shifted by time zones.
const COLUMNS = `id, reference, type, to_char(received_on, 'YYYY-MM-DD') AS received_on, identity_status, identity_method,
  to_char(due_on, 'YYYY-MM-DD') AS due_on, extension_months, extension_reason, status, refusal_reason, candidate_id,
  closed_by_action, closed_at, created_at, updated_at`;

export async function insertRequest(
  tx: Queryable,
  r: { id: string; orgId: string; reference: string; type: RequestType; receivedOn: string; dueOn: string; identityStatus: IdentityStatus; identityMethod: string | null; candidateId: string | null; createdBy: string | null; now: Date },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO privacy_requests (id, org_id, reference, type, received_on, due_on, identity_status, identity_method, candidate_id, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT (org_id, reference) DO NOTHING`,
    [r.id, r.orgId, r.reference, r.type, r.receivedOn, r.dueOn, r.identityStatus, r.identityMethod, r.candidateId, r.createdBy, r.now],
  );
  return (rowCount ?? 0) === 1;
}

export async function findRequest(q: Queryable, id: string, forUpdate = false): Promise<PrivacyRequestRow | null> {
  const { rows } = await q.query<PrivacyRequestRow>(`SELECT ${COLUMNS} FROM privacy_requests WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function listRequests(q: Queryable, filter: { status: RequestStatus[] | null; candidateId: string | null; limit: number }): Promise<PrivacyRequestRow[]> {
  const { rows } = await q.query<PrivacyRequestRow>(
    `SELECT ${COLUMNS} FROM privacy_requests
      WHERE ($1::text[] IS NULL OR status = ANY($1::text[])) AND ($2::uuid IS NULL OR candidate_id = $2)
      ORDER BY (status IN ('open', 'in_progress')) DESC, due_on, created_at, id LIMIT $3`,
    [filter.status, filter.candidateId, filter.limit],
  );
  return rows;
}

export async function updateRequest(
  tx: Queryable,
  id: string,
  r: Pick<PrivacyRequestRow, 'identity_status' | 'identity_method' | 'due_on' | 'extension_months' | 'extension_reason' | 'status' | 'refusal_reason' | 'candidate_id' | 'closed_by_action' | 'closed_at'>,
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE privacy_requests SET identity_status = $2, identity_method = $3, due_on = $4, extension_months = $5, extension_reason = $6,
       status = $7, refusal_reason = $8, candidate_id = $9, closed_by_action = $10, closed_at = $11, updated_at = $12 WHERE id = $1`,
    [id, r.identity_status, r.identity_method, r.due_on, r.extension_months, r.extension_reason, r.status, r.refusal_reason, r.candidate_id, r.closed_by_action, r.closed_at, now],
  );
}

/** Open requests due on or before `until` (YYYY-MM-DD), earliest first: what the deadline job alerts on. */
export async function openRequestsDueBy(q: Queryable, until: string): Promise<{ id: string; reference: string; type: RequestType; due_on: string }[]> {
  const { rows } = await q.query<{ id: string; reference: string; type: RequestType; due_on: string }>(
    `SELECT id, reference, type, to_char(due_on, 'YYYY-MM-DD') AS due_on FROM privacy_requests
      WHERE status IN ('open', 'in_progress') AND due_on <= $1::date ORDER BY due_on, reference`,
    [until],
  );
  return rows;
}

export async function candidateExists(q: Queryable, id: string): Promise<{ erased: boolean } | null> {
  const { rows } = await q.query<{ erased: boolean }>('SELECT erased_at IS NOT NULL AS erased FROM candidates WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** Rewrites the candidate's PII columns (already sealed under the candidate key); the email blind index moves with the email. */
export async function updateCandidatePii(
  tx: Queryable,
  id: string,
  c: { nameEnc: Buffer; emailEnc: Buffer; emailIndex: Buffer; phoneEnc: Buffer | null; locationEnc: Buffer | null; linksEnc: Buffer | null },
): Promise<void> {
  await tx.query('UPDATE candidates SET name_enc = $2, email_enc = $3, email_index = $4, phone_enc = $5, location_enc = $6, links_enc = $7, updated_at = now() WHERE id = $1', [
    id,
    c.nameEnc,
    c.emailEnc,
    c.emailIndex,
    c.phoneEnc,
    c.locationEnc,
    c.linksEnc,
  ]);
}

/** Locks the candidate row for the rectification (a concurrent erasure waits or wins). */
export async function lockCandidateForUpdate(tx: Queryable, id: string): Promise<{ erased: boolean } | null> {
  const { rows } = await tx.query<{ erased: boolean }>('SELECT erased_at IS NOT NULL AS erased FROM candidates WHERE id = $1 FOR UPDATE', [id]);
  return rows[0] ?? null;
}
