// SQL for deletions at Vapi (migration 0036): the calls hirebox must delete at Vapi, kept
// as ids and times only so they outlive the candidate's rows and key.
import type { Queryable } from '../../core/db.js';

export type VapiDeletionReason = 'erasure' | 'retention' | 'offboarding' | 'recording_stored' | 'no_recording';

export interface VapiDeletionRow {
  call_id: string;
  reason: VapiDeletionReason;
  requested_at: Date;
  attempts: number;
  last_error: string | null;
  alerted_at: Date | null;
  confirmed_at: Date | null;
}

/** Every call of the candidate's interviews (each attempt and the current one); returns the call ids. */
export async function recordCandidateCallDeletions(tx: Queryable, orgId: string, candidateId: string, reason: VapiDeletionReason): Promise<string[]> {
  const { rows } = await tx.query<{ call_id: string }>(
    `INSERT INTO vapi_call_deletions (org_id, call_id, reason)
       SELECT $1::uuid, c.call_id, $3::text FROM (
         SELECT ic.call_id FROM interview_calls ic JOIN interviews i ON i.id = ic.interview_id WHERE i.candidate_id = $2
         UNION SELECT vapi_call_id FROM interviews WHERE candidate_id = $2 AND vapi_call_id IS NOT NULL) c
     ON CONFLICT (org_id, call_id) DO NOTHING
     RETURNING call_id`,
    [orgId, candidateId, reason],
  );
  return rows.map((r) => r.call_id);
}

/** Every call of the org (offboarding); returns the call ids. */
export async function recordOrgCallDeletions(tx: Queryable, orgId: string, reason: VapiDeletionReason): Promise<string[]> {
  const { rows } = await tx.query<{ call_id: string }>(
    `INSERT INTO vapi_call_deletions (org_id, call_id, reason)
       SELECT $1::uuid, c.call_id, $2::text FROM (
         SELECT call_id FROM interview_calls WHERE org_id = $1
         UNION SELECT vapi_call_id FROM interviews WHERE org_id = $1 AND vapi_call_id IS NOT NULL) c
     ON CONFLICT (org_id, call_id) DO NOTHING
     RETURNING call_id`,
    [orgId, reason],
  );
  return rows.map((r) => r.call_id);
}

/** One call (its recording is stored, or it was not to be recorded); true when newly recorded. */
export async function recordCallDeletion(tx: Queryable, orgId: string, callId: string, reason: VapiDeletionReason): Promise<boolean> {
  const { rowCount } = await tx.query('INSERT INTO vapi_call_deletions (org_id, call_id, reason) VALUES ($1, $2, $3) ON CONFLICT (org_id, call_id) DO NOTHING', [orgId, callId, reason]);
  return rowCount === 1;
}

export async function findCallDeletion(q: Queryable, callId: string, forUpdate = false): Promise<VapiDeletionRow | null> {
  const { rows } = await q.query<VapiDeletionRow>(
    `SELECT call_id, reason, requested_at, attempts, last_error, alerted_at, confirmed_at FROM vapi_call_deletions WHERE call_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [callId],
  );
  return rows[0] ?? null;
}

/** Counts a failed attempt; returns the row afterwards. */
export async function noteDeletionFailure(tx: Queryable, callId: string, error: string, at: Date): Promise<VapiDeletionRow | null> {
  const { rows } = await tx.query<VapiDeletionRow>(
    `UPDATE vapi_call_deletions SET attempts = attempts + 1, last_attempt_at = $3, last_error = $2 WHERE call_id = $1 AND confirmed_at IS NULL
     RETURNING call_id, reason, requested_at, attempts, last_error, alerted_at, confirmed_at`,
    [callId, error.slice(0, 200), at],
  );
  return rows[0] ?? null;
}

export async function markDeletionAlerted(tx: Queryable, callId: string, at: Date): Promise<void> {
  await tx.query('UPDATE vapi_call_deletions SET alerted_at = $2 WHERE call_id = $1', [callId, at]);
}

/** Confirms a deletion once; false when it was confirmed already. */
export async function confirmDeletion(tx: Queryable, callId: string, at: Date): Promise<boolean> {
  const { rowCount } = await tx.query(
    'UPDATE vapi_call_deletions SET confirmed_at = $2, attempts = attempts + 1, last_attempt_at = $2, last_error = NULL WHERE call_id = $1 AND confirmed_at IS NULL',
    [callId, at],
  );
  return rowCount === 1;
}

/** Pending deletions of every org, oldest first (SECURITY DEFINER, 0036): the sweep's input. */
export async function pendingDeletionsAllOrgs(q: Queryable, limit: number): Promise<{ orgId: string; callId: string }[]> {
  const { rows } = await q.query<{ org_id: string; call_id: string }>('SELECT org_id, call_id FROM vapi_call_deletions_pending($1)', [limit]);
  return rows.map((r) => ({ orgId: r.org_id, callId: r.call_id }));
}
