// SQL for CV documents (metadata, parse state, encrypted extracted text).
import type { Queryable } from '../../core/db.js';

export type ParseStatus = 'pending' | 'parsed' | 'needs_manual_review' | 'failed';

export interface DocumentRow {
  id: string;
  org_id: string;
  candidate_id: string;
  application_id: string;
  media_type: string;
  size_bytes: number;
  sha256: Buffer;
  filename_enc: Buffer | null;
  parse_status: ParseStatus;
  parse_error: string | null;
  parse_attempts: number;
  text_enc: Buffer | null;
  text_chars: number | null;
  parsed_at: Date | null;
  created_at: Date;
}

const COLUMNS = 'id, org_id, candidate_id, application_id, media_type, size_bytes, sha256, filename_enc, parse_status, parse_error, parse_attempts, text_enc, text_chars, parsed_at, created_at';

export async function findDocumentBySha(q: Queryable, candidateId: string, sha256: Buffer): Promise<DocumentRow | null> {
  const { rows } = await q.query<DocumentRow>(`SELECT ${COLUMNS} FROM documents WHERE candidate_id = $1 AND sha256 = $2`, [candidateId, sha256]);
  return rows[0] ?? null;
}

export async function countOtherCandidatesWithSha(q: Queryable, candidateId: string, sha256: Buffer): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(DISTINCT candidate_id)::int AS n FROM documents WHERE sha256 = $1 AND candidate_id <> $2', [sha256, candidateId]);
  return rows[0]?.n ?? 0;
}

export async function insertDocument(
  tx: Queryable,
  d: { id: string; orgId: string; candidateId: string; applicationId: string; mediaType: string; sizeBytes: number; sha256: Buffer; filenameEnc: Buffer | null },
): Promise<void> {
  await tx.query(
    `INSERT INTO documents (id, org_id, candidate_id, application_id, media_type, size_bytes, sha256, filename_enc)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [d.id, d.orgId, d.candidateId, d.applicationId, d.mediaType, d.sizeBytes, d.sha256, d.filenameEnc],
  );
}

export async function findDocument(q: Queryable, id: string, forUpdate = false): Promise<DocumentRow | null> {
  const { rows } = await q.query<DocumentRow>(`SELECT ${COLUMNS} FROM documents WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function documentsOfApplication(q: Queryable, applicationId: string): Promise<DocumentRow[]> {
  const { rows } = await q.query<DocumentRow>(`SELECT ${COLUMNS} FROM documents WHERE application_id = $1 ORDER BY created_at`, [applicationId]);
  return rows;
}

/** `hiddenEnc`: the sealed hidden parts (server/modules/documents/hidden.ts), null when there are none. */
export async function markParsed(tx: Queryable, id: string, textEnc: Buffer, textChars: number, hiddenEnc: Buffer | null = null): Promise<void> {
  await tx.query(
    `UPDATE documents SET parse_status = 'parsed', text_enc = $2, text_chars = $3, hidden_enc = $4, parse_error = NULL, parsed_at = now(), parse_attempts = parse_attempts + 1 WHERE id = $1`,
    [id, textEnc, textChars, hiddenEnc],
  );
}

export async function markParseOutcome(tx: Queryable, id: string, status: ParseStatus, reason: string): Promise<void> {
  await tx.query(
    `UPDATE documents SET parse_status = $2, parse_error = $3, parse_attempts = parse_attempts + 1,
       parsed_at = CASE WHEN $2 = 'pending' THEN parsed_at ELSE now() END WHERE id = $1`,
    [id, status, reason.slice(0, 500)],
  );
}

/** The sealed hidden parts of a document (null when it has none or was parsed before they were kept). */
export async function findHiddenEnc(q: Queryable, id: string): Promise<Buffer | null> {
  const { rows } = await q.query<{ hidden_enc: Buffer | null }>('SELECT hidden_enc FROM documents WHERE id = $1', [id]);
  return rows[0]?.hidden_enc ?? null;
}

/** A failed parse attempt that will be retried: counted and its reason kept, still pending. */
export async function markParseAttempt(tx: Queryable, id: string, reason: string): Promise<void> {
  await tx.query('UPDATE documents SET parse_attempts = parse_attempts + 1, parse_error = $2 WHERE id = $1', [id, reason]);
}
