// File storage behind one small interface (DESIGN §13). The bytes handed in are already
// encrypted by the caller (candidate key, AAD bound to the document row), so a store
// never sees plaintext and needs no key of its own.
//
// The implementation here keeps blobs in Postgres (table document_blobs, bytea, RLS):
// a CV is at most 10 MB, and writing the blob in the same transaction as the document,
// application and audit rows means an upload is all-or-nothing (nothing half-stored
// after a failure or a crash), backups and restores carry files and rows together, and
// tenant isolation is the same RLS as everywhere else. An S3-compatible store can
// implement the same interface later (writing first, then committing the row, with a
// sweep for orphans), so the move is a configuration change.
import type { Queryable } from './db.js';

export interface BlobStore {
  /** Stores encrypted bytes for a document, inside the caller's tenant transaction. */
  put(tx: Queryable, orgId: string, documentId: string, sealed: Buffer): Promise<void>;
  /** The encrypted bytes, or null if there are none (or they belong to another org). */
  get(q: Queryable, documentId: string): Promise<Buffer | null>;
  delete(tx: Queryable, documentId: string): Promise<void>;
}

export function createPostgresBlobStore(): BlobStore {
  return {
    async put(tx, orgId, documentId, sealed) {
      await tx.query('INSERT INTO document_blobs (document_id, org_id, bytes_enc) VALUES ($1, $2, $3)', [documentId, orgId, sealed]);
    },
    async get(q, documentId) {
      const { rows } = await q.query<{ bytes_enc: Buffer }>('SELECT bytes_enc FROM document_blobs WHERE document_id = $1', [documentId]);
      return rows[0]?.bytes_enc ?? null;
    },
    async delete(tx, documentId) {
      await tx.query('DELETE FROM document_blobs WHERE document_id = $1', [documentId]);
    },
  };
}
