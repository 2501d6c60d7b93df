// SQL for candidates: PII only as ciphertext, lookup by the email blind index.
import type { Queryable } from '../../core/db.js';

export interface CandidateRow {
  id: string;
  name_enc: Buffer;
  email_enc: Buffer;
  phone_enc: Buffer | null;
  location_enc: Buffer | null;
  links_enc: Buffer | null;
  created_at: Date;
}

export async function findCandidateIdByEmailIndex(q: Queryable, emailIndex: Buffer): Promise<string | null> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM candidates WHERE email_index = $1', [emailIndex]);
  return rows[0]?.id ?? null;
}

/** Inserts a candidate; returns false when the email index already exists (a concurrent insert won). */
export async function insertCandidate(
  tx: Queryable,
  c: { id: string; orgId: string; emailIndex: Buffer; nameEnc: Buffer; emailEnc: Buffer; phoneEnc: Buffer | null; locationEnc: Buffer | null; linksEnc: Buffer | null },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO candidates (id, org_id, email_index, name_enc, email_enc, phone_enc, location_enc, links_enc)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (org_id, email_index) DO NOTHING`,
    [c.id, c.orgId, c.emailIndex, c.nameEnc, c.emailEnc, c.phoneEnc, c.locationEnc, c.linksEnc],
  );
  return (rowCount ?? 0) === 1;
}

export async function findCandidate(q: Queryable, id: string): Promise<CandidateRow | null> {
  const { rows } = await q.query<CandidateRow>('SELECT id, name_enc, email_enc, phone_enc, location_enc, links_enc, created_at FROM candidates WHERE id = $1', [id]);
  return rows[0] ?? null;
}

export async function findCandidates(q: Queryable, ids: string[]): Promise<CandidateRow[]> {
  const { rows } = await q.query<CandidateRow>('SELECT id, name_enc, email_enc, phone_enc, location_enc, links_enc, created_at FROM candidates WHERE id = ANY($1::uuid[])', [ids]);
  return rows;
}

/** Whether the candidate has an application on a job the user is assigned to (hiring managers). */
export async function candidateVisibleTo(q: Queryable, candidateId: string, userId: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `SELECT 1 FROM applications a JOIN job_assignments ja ON ja.job_id = a.job_id AND ja.user_id = $2 WHERE a.candidate_id = $1 LIMIT 1`,
    [candidateId, userId],
  );
  return (rowCount ?? 0) > 0;
}

export async function applicationsOfCandidate(q: Queryable, candidateId: string, assignedTo: string | null): Promise<{ id: string; job_id: string; job_title: string; stage_kind: string; created_at: Date }[]> {
  const { rows } = await q.query<{ id: string; job_id: string; job_title: string; stage_kind: string; created_at: Date }>(
    `SELECT a.id, a.job_id, j.title AS job_title, a.stage_kind, a.created_at FROM applications a JOIN jobs j ON j.id = a.job_id
      WHERE a.candidate_id = $1 AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM job_assignments ja WHERE ja.job_id = a.job_id AND ja.user_id = $2))
      ORDER BY a.created_at DESC`,
    [candidateId, assignedTo],
  );
  return rows;
}

/** Replaces a candidate's name-search tokens and marks it indexed. */
export async function replaceSearchTokens(tx: Queryable, orgId: string, candidateId: string, tokens: Buffer[]): Promise<void> {
  // Issued together, in order: on a pipelined transaction (core/db.ts) one round trip.
  await Promise.all([
    tx.query('DELETE FROM candidate_search_tokens WHERE candidate_id = $1', [candidateId]),
    tokens.length > 0 ? tx.query('INSERT INTO candidate_search_tokens (org_id, candidate_id, token) SELECT $1, $2, t FROM unnest($3::bytea[]) AS t ON CONFLICT DO NOTHING', [orgId, candidateId, tokens]) : null,
    tx.query('UPDATE candidates SET search_indexed_at = now() WHERE id = $1', [candidateId]),
  ]);
}

/** Candidates not yet in the search index (and not erased), oldest first, locked for this batch. */
export async function candidatesToIndex(q: Queryable, limit: number): Promise<{ id: string; name_enc: Buffer }[]> {
  const { rows } = await q.query<{ id: string; name_enc: Buffer }>(
    'SELECT id, name_enc FROM candidates WHERE search_indexed_at IS NULL AND erased_at IS NULL ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED',
    [limit],
  );
  return rows;
}
