// SQL for the candidate status page (issue 22 item 2): magic links and candidate sessions,
// both stored only as the SHA-256 of their token, both tenant rows (RLS by org).
import type { Queryable } from '../../core/db.js';

export interface PortalLinkRow {
  id: string;
  candidate_id: string;
  expires_at: Date;
  used_at: Date | null;
}

export interface PortalSessionRow {
  id: string;
  candidate_id: string;
  expires_at: Date;
}

export async function insertLink(tx: Queryable, l: { id: string; orgId: string; candidateId: string; tokenHash: Buffer; reason: 'apply' | 'request'; expiresAt: Date }): Promise<void> {
  await tx.query('INSERT INTO portal_links (id, org_id, candidate_id, token_hash, reason, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [l.id, l.orgId, l.candidateId, l.tokenHash, l.reason, l.expiresAt]);
}

export async function findLinkByHash(q: Queryable, tokenHash: Buffer, forUpdate = false): Promise<PortalLinkRow | null> {
  const { rows } = await q.query<PortalLinkRow>(`SELECT id, candidate_id, expires_at, used_at FROM portal_links WHERE token_hash = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [tokenHash]);
  return rows[0] ?? null;
}

export async function markLinkUsed(tx: Queryable, id: string, at: Date): Promise<void> {
  await tx.query('UPDATE portal_links SET used_at = $2 WHERE id = $1', [id, at]);
}

export async function insertSession(tx: Queryable, s: { id: string; orgId: string; candidateId: string; linkId: string; tokenHash: Buffer; expiresAt: Date }): Promise<void> {
  await tx.query('INSERT INTO portal_sessions (id, org_id, candidate_id, link_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [s.id, s.orgId, s.candidateId, s.linkId, s.tokenHash, s.expiresAt]);
}

export async function findSessionByHash(q: Queryable, tokenHash: Buffer, now: Date): Promise<PortalSessionRow | null> {
  const { rows } = await q.query<PortalSessionRow>('SELECT id, candidate_id, expires_at FROM portal_sessions WHERE token_hash = $1 AND expires_at > $2', [tokenHash, now]);
  return rows[0] ?? null;
}

export async function deleteSession(tx: Queryable, id: string): Promise<void> {
  await tx.query('DELETE FROM portal_sessions WHERE id = $1', [id]);
}

/**
 * Links used or expired over a day ago, and ended sessions, of the candidate are dropped
 * whenever a new link is made (nothing piles up); for a day a used link still says so.
 */
export async function pruneCandidate(tx: Queryable, candidateId: string, now: Date): Promise<void> {
  await tx.query("DELETE FROM portal_links WHERE candidate_id = $1 AND (used_at < $2::timestamptz - interval '1 day' OR expires_at < $2::timestamptz - interval '1 day')", [candidateId, now]);
  await tx.query('DELETE FROM portal_sessions WHERE candidate_id = $1 AND expires_at <= $2', [candidateId, now]);
}

/** Whether the candidate exists and is not erased (an erased candidate gets no link). */
export async function candidateLive(q: Queryable, candidateId: string): Promise<boolean> {
  const { rowCount } = await q.query('SELECT 1 FROM candidates WHERE id = $1 AND erased_at IS NULL', [candidateId]);
  return (rowCount ?? 0) > 0;
}

export async function candidateOfApplication(q: Queryable, applicationId: string): Promise<string | null> {
  const { rows } = await q.query<{ candidate_id: string }>('SELECT candidate_id FROM applications WHERE id = $1', [applicationId]);
  return rows[0]?.candidate_id ?? null;
}

/**
 * The language and time zone of the candidate's latest application (issue 22 item 1): what
 * they applied in (applications.locale, else the job's language) and their zone.
 */
export async function candidateLanguage(q: Queryable, candidateId: string): Promise<{ locale: string | null; timeZone: string | null }> {
  const { rows } = await q.query<{ locale: string | null; time_zone: string | null }>(
    `SELECT coalesce(a.locale, j.language) AS locale, a.time_zone
       FROM applications a JOIN jobs j ON j.id = a.job_id
      WHERE a.candidate_id = $1
      ORDER BY a.created_at DESC LIMIT 1`,
    [candidateId],
  );
  return { locale: rows[0]?.locale ?? null, timeZone: rows[0]?.time_zone ?? null };
}
