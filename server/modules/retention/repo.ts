// SQL for retention: finding candidates whose data is due for erasure and erasing one
// candidate's data. Runs on tenant-bound connections (RLS).
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../../core/db.js';

// The per-org setting lives in the retention-settings module (notices read it too, and the
// retention module imports notices); re-exported so this module's files keep one import.
export { DEFAULT_RETENTION_DAYS, getRetention, upsertRetention, type RetentionRow } from '../retention-settings/index.js';

export interface DueCandidate {
  id: string;
  applications: number;
  last_closed_at: Date;
}

// A candidate is due when they have applications, every one of them closed (hired,
// rejected, withdrawn) and the latest closing older than the cutoff. One application
// still in progress keeps the candidate's data.
const DUE = `
  SELECT c.id, count(a.id)::int AS applications, max(a.closed_at) AS last_closed_at
    FROM candidates c JOIN applications a ON a.candidate_id = c.id
   WHERE c.erased_at IS NULL
   GROUP BY c.id
  HAVING bool_and(a.closed_at IS NOT NULL) AND max(a.closed_at) < $1::timestamptz`;

export async function dueCandidates(q: Queryable, cutoff: Date, limit: number): Promise<DueCandidate[]> {
  const { rows } = await q.query<DueCandidate>(`${DUE} ORDER BY max(a.closed_at), c.id LIMIT $2`, [cutoff, limit]);
  return rows;
}

export async function countDue(q: Queryable, cutoff: Date): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${DUE}) due`, [cutoff]);
  return rows[0]?.n ?? 0;
}

/** Locks the candidate and re-checks it is still due (an application may have reopened). */
export async function lockIfStillDue(tx: Queryable, candidateId: string, cutoff: Date): Promise<DueCandidate | null> {
  await tx.query('SELECT 1 FROM candidates WHERE id = $1 FOR UPDATE', [candidateId]);
  const { rows } = await tx.query<DueCandidate>(
    `SELECT c.id, count(a.id)::int AS applications, max(a.closed_at) AS last_closed_at
       FROM candidates c JOIN applications a ON a.candidate_id = c.id
      WHERE c.id = $1 AND c.erased_at IS NULL
      GROUP BY c.id
     HAVING bool_and(a.closed_at IS NOT NULL) AND max(a.closed_at) < $2::timestamptz`,
    [candidateId, cutoff],
  );
  return rows[0] ?? null;
}

/** "sha256:<hex>" of the candidate's wrapped key (the key-destruction receipt), null when there is none left. */
export async function candidateKeyReceipt(q: Queryable, candidateId: string): Promise<string | null> {
  const { rows } = await q.query<{ wrapped_key: Buffer | null }>('SELECT wrapped_key FROM candidate_keys WHERE candidate_id = $1', [candidateId]);
  const wrapped = rows[0]?.wrapped_key;
  return wrapped ? `sha256:${createHash('sha256').update(wrapped).digest('hex')}` : null;
}

export async function documentIdsOfCandidate(q: Queryable, candidateId: string): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM documents WHERE candidate_id = $1', [candidateId]);
  return rows.map((r) => r.id);
}

export interface ErasedCounts {
  documents: number;
  notes: number;
  messages: number;
  demographics: number;
  /** Answers to application questions (issue 21 item 5). */
  answers: number;
  interviews: number;
  decisions: number;
  /** Interview recordings held on the box (issue 18), deleted with the key destroyed. */
  recordings: number;
}

/**
 * Removes what identifies the candidate and keeps the shape reports need: applications
 * (job, stage kind, dates, source), decisions (outcome, who, when; the free-text reason
 * is scrubbed), screening and interview scores (numbers). Ciphertexts under the
 * candidate key are deleted or nulled; the key itself is destroyed by the caller.
 */
export async function scrubCandidate(tx: Queryable, candidateId: string): Promise<ErasedCounts> {
  const apps = 'SELECT id FROM applications WHERE candidate_id = $1';
  const n = async (sql: string): Promise<number> => (await tx.query(sql, [candidateId])).rowCount ?? 0;
  const documents = await n(
    // A random digest replaces the file's SHA-256, which would otherwise confirm who sent a known file.
    `UPDATE documents SET text_enc = NULL, filename_enc = NULL, text_chars = NULL, sha256 = sha256(gen_random_uuid()::text::bytea) WHERE candidate_id = $1`,
  );
  const notes = await n(`DELETE FROM application_notes WHERE application_id IN (${apps})`);
  const messages = await n(`DELETE FROM messages WHERE application_id IN (${apps})`);
  const demographics = await n(`DELETE FROM demographics WHERE application_id IN (${apps})`);
  // Application answers (issue 21 item 5): sealed with the key destroyed below, and deleted too.
  const answers = await n(`DELETE FROM application_answers WHERE application_id IN (${apps})`);
  const recordings = await n('DELETE FROM interview_recordings WHERE interview_id IN (SELECT id FROM interviews WHERE candidate_id = $1)');
  const interviews = await n('UPDATE interviews SET phone_enc = NULL, transcript_enc = NULL, recording_ref_enc = NULL WHERE candidate_id = $1');
  // Typed answers and accommodation notes (issue 22 item 3): sealed with the key destroyed below, removed too.
  await n('DELETE FROM interview_typed_answers WHERE interview_id IN (SELECT id FROM interviews WHERE candidate_id = $1)');
  await n('UPDATE interview_accommodations SET note_enc = NULL WHERE interview_id IN (SELECT id FROM interviews WHERE candidate_id = $1)');
  const decisions = await n(`UPDATE decisions SET reason = '[erased]' WHERE application_id IN (${apps})`);
  await n('DELETE FROM candidate_search_tokens WHERE candidate_id = $1');
  // The email blind index would still confirm "this address applied": replaced by random bytes.
  await tx.query(
    `UPDATE candidates SET email_index = $2, name_enc = '\\x'::bytea, email_enc = '\\x'::bytea, phone_enc = NULL, location_enc = NULL, links_enc = NULL,
            erased_at = now(), updated_at = now() WHERE id = $1`,
    [candidateId, randomBytes(32)],
  );
  return { documents, notes, messages, demographics, answers, interviews, decisions, recordings };
}

/** Locks the candidate row; null when there is none in this org (RLS). */
export async function lockCandidate(tx: Queryable, candidateId: string): Promise<{ id: string; erased_at: Date | null } | null> {
  const { rows } = await tx.query<{ id: string; erased_at: Date | null }>('SELECT id, erased_at FROM candidates WHERE id = $1 FOR UPDATE', [candidateId]);
  return rows[0] ?? null;
}

/**
 * Moves the candidate's applications still in progress to their pipeline's withdrawn
 * stage (or keeps the stage row and marks the kind withdrawn when the pipeline has none),
 * so closed_at is set and nothing stays open for an erased candidate; each move is a
 * timeline event by the system. Returns how many were withdrawn (0 for the retention
 * sweep, whose candidates are all closed already).
 */
export async function withdrawOpenApplications(tx: Queryable, orgId: string, candidateId: string): Promise<number> {
  const { rows } = await tx.query<{ id: string; from_stage: string; to_stage: string }>(
    `WITH open AS (
       SELECT a.id, a.stage_id AS from_stage,
              (SELECT s.id FROM pipeline_stages s
                WHERE s.kind = 'withdrawn'
                  AND (s.job_id = a.job_id OR (s.job_id IS NULL AND NOT EXISTS (SELECT 1 FROM pipeline_stages p WHERE p.job_id = a.job_id)))
                ORDER BY s.position LIMIT 1) AS withdrawn_stage
         FROM applications a
        WHERE a.candidate_id = $1 AND a.stage_kind NOT IN ('hired', 'rejected', 'withdrawn')
        FOR UPDATE OF a)
     UPDATE applications a SET stage_id = COALESCE(o.withdrawn_stage, a.stage_id), stage_kind = 'withdrawn', updated_at = now()
       FROM open o WHERE a.id = o.id
     RETURNING a.id, o.from_stage, a.stage_id AS to_stage`,
    [candidateId],
  );
  for (const r of rows) {
    await tx.query(`INSERT INTO application_events (org_id, application_id, type, actor_type, data) VALUES ($1, $2, 'stage.changed', 'system', $3)`, [
      orgId,
      r.id,
      JSON.stringify({ from: r.from_stage, to: r.to_stage, kind: 'withdrawn', via: 'erasure' }),
    ]);
  }
  return rows.length;
}

/**
 * Ends what could still reach or concern the candidate: interviews not yet over are
 * cancelled and every invite link revoked, contest links and held re-submissions deleted, open review tasks
 * (their reason is the candidate's own text) dropped, and webhook bodies of their calls
 * not yet processed cleared. Returns the interviews cancelled.
 */
export async function stopCandidateActivity(tx: Queryable, candidateId: string): Promise<number> {
  const apps = 'SELECT id FROM applications WHERE candidate_id = $1';
  const cancelled = await tx.query(
    `UPDATE interviews SET status = 'cancelled', cancelled_at = now(), updated_at = now()
      WHERE candidate_id = $1 AND status NOT IN ('ended', 'failed', 'cancelled', 'declined')`,
    [candidateId],
  );
  await tx.query('UPDATE interviews SET invite_revoked_at = now() WHERE candidate_id = $1 AND invite_revoked_at IS NULL', [candidateId]);
  await tx.query(`DELETE FROM contest_links WHERE application_id IN (${apps})`, [candidateId]);
  // Held re-submissions (issue 14): their files and confirmation links.
  await tx.query(`DELETE FROM application_resubmissions WHERE application_id IN (${apps})`, [candidateId]);
  await tx.query(`DELETE FROM review_tasks WHERE status = 'open' AND application_id IN (${apps})`, [candidateId]);
  // Status-page links and sessions (issue 22): an erased candidate has nothing left to see.
  await tx.query('DELETE FROM portal_sessions WHERE candidate_id = $1', [candidateId]);
  await tx.query('DELETE FROM portal_links WHERE candidate_id = $1', [candidateId]);
  await tx.query(
    `UPDATE webhook_messages SET body_enc = NULL, processed_at = COALESCE(processed_at, now()), outcome = COALESCE(outcome, 'erased')
      WHERE body_enc IS NOT NULL AND call_id IN (
        SELECT ic.call_id FROM interview_calls ic JOIN interviews i ON i.id = ic.interview_id WHERE i.candidate_id = $1
        UNION SELECT vapi_call_id FROM interviews WHERE candidate_id = $1 AND vapi_call_id IS NOT NULL)`,
    [candidateId],
  );
  return cancelled.rowCount ?? 0;
}

/** Orgs the sweep visits: every org but the tombstones of offboarded ones (orgs is global). */
export async function listSweptOrgIds(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM orgs WHERE offboarded_at IS NULL ORDER BY created_at, id');
  return rows.map((r) => r.id);
}
