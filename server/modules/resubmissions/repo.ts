// SQL for held re-submissions of public applications (migration 0033).
import type { Queryable } from '../../core/db.js';

export interface ResubmissionRow {
  id: string;
  application_id: string;
  status: 'pending' | 'confirmed' | 'expired';
  media_type: string;
  size_bytes: number;
  sha256: Buffer;
  filename_enc: Buffer | null;
  bytes_enc: Buffer | null;
  notice_version: string | null;
  expires_at: Date;
  confirmed_at: Date | null;
  document_id: string | null;
  created_at: Date;
}

const COLUMNS = 'id, application_id, status, media_type, size_bytes, sha256, filename_enc, bytes_enc, notice_version, expires_at, confirmed_at, document_id, created_at';

export async function insertResubmission(
  tx: Queryable,
  r: { id: string; orgId: string; applicationId: string; tokenHash: Buffer; mediaType: string; sizeBytes: number; sha256: Buffer; filenameEnc: Buffer | null; bytesEnc: Buffer; noticeVersion: string | null; expiresAt: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO application_resubmissions (id, org_id, application_id, token_hash, media_type, size_bytes, sha256, filename_enc, bytes_enc, notice_version, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [r.id, r.orgId, r.applicationId, r.tokenHash, r.mediaType, r.sizeBytes, r.sha256, r.filenameEnc, r.bytesEnc, r.noticeVersion, r.expiresAt],
  );
}

/** Live (pending, unexpired) re-submissions of an application, oldest first. */
export async function pendingOfApplication(q: Queryable, applicationId: string, now: Date): Promise<ResubmissionRow[]> {
  const { rows } = await q.query<ResubmissionRow>(
    `SELECT ${COLUMNS} FROM application_resubmissions WHERE application_id = $1 AND status = 'pending' AND expires_at > $2 ORDER BY created_at, id`,
    [applicationId, now],
  );
  return rows;
}

/** The org of a token's hash through the SECURITY DEFINER lookup (null when unknown). */
export async function resubmissionOrg(q: Queryable, tokenHash: Buffer): Promise<string | null> {
  const { rows } = await q.query<{ org_id: string | null }>('SELECT application_resubmission_org($1) AS org_id', [tokenHash]);
  return rows[0]?.org_id ?? null;
}

export async function findByTokenHash(q: Queryable, tokenHash: Buffer, forUpdate = false): Promise<ResubmissionRow | null> {
  const { rows } = await q.query<ResubmissionRow>(`SELECT ${COLUMNS} FROM application_resubmissions WHERE token_hash = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [tokenHash]);
  return rows[0] ?? null;
}

export async function markConfirmed(tx: Queryable, id: string, documentId: string, at: Date): Promise<void> {
  await tx.query(`UPDATE application_resubmissions SET status = 'confirmed', confirmed_at = $3, document_id = $2, bytes_enc = NULL WHERE id = $1`, [id, documentId, at]);
}

/** Expires pending re-submissions past their time (drops the held files); returns what expired. */
export async function expireDue(tx: Queryable, now: Date, applicationId: string | null = null, limit = 1_000): Promise<{ id: string; application_id: string }[]> {
  const { rows } = await tx.query<{ id: string; application_id: string }>(
    `UPDATE application_resubmissions SET status = 'expired', bytes_enc = NULL, filename_enc = NULL
      WHERE id IN (SELECT id FROM application_resubmissions
                    WHERE status = 'pending' AND expires_at <= $1 AND ($2::uuid IS NULL OR application_id = $2)
                    ORDER BY expires_at LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING id, application_id`,
    [now, applicationId, limit],
  );
  return rows;
}
