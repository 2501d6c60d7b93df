// The documents module's use cases for parsing an uploaded CV (called by the cv-parse
// processor, which keeps the queue's concerns: slots, extraction limits, retries). Every
// state change of a document is one transaction with its timeline event and, for a final
// outcome other than "parsed", its audit event.
import type { AuditLog } from '../../core/audit.js';
import { KeyDestroyedError, type Keyring } from '../../core/crypto.js';
import type { Db, Queryable } from '../../core/db.js';
import type { BlobStore } from '../../core/storage.js';
import { candidateMessageFor, type DocumentRefusedError, type ExtractResult } from './extract.js';
import { hiddenCounts, isEmptyHidden, sealHiddenParts } from './hidden.js';
import { findDocument, markParseAttempt, markParsed, markParseOutcome, type DocumentRow } from './repo.js';

export type { DocumentRow } from './repo.js';

/** What parsing needs from the applications module (the timeline, the no-AI choice), passed in so documents does not import applications, which imports documents. */
export interface ApplicationTimelinePort {
  insertEvent(tx: Queryable, e: { orgId: string; applicationId: string; type: string; actor: { type: 'system' }; data?: Record<string, unknown> }): Promise<void>;
  isHumanReviewOnly(q: Queryable, applicationId: string): Promise<boolean | null>;
}

export interface DocumentParsingDeps {
  db: Db;
  audit: AuditLog;
  keyring: Keyring;
  blobs: BlobStore;
  applications: ApplicationTimelinePort;
}

/** A document to parse: its row and decrypted bytes; no bytes when the blob is gone or the candidate erased. */
export type ParseSource = { doc: DocumentRow | null; bytes: null; erased?: true } | { doc: DocumentRow; bytes: Uint8Array };

export function createDocumentParsing(deps: DocumentParsingDeps) {
  return {
    /** The document and, while it is still pending, its decrypted bytes. */
    async loadForParse(orgId: string, documentId: string): Promise<ParseSource> {
      return deps.db.withTenant(orgId, async (q): Promise<ParseSource> => {
        const doc = await findDocument(q, documentId);
        if (!doc || doc.parse_status !== 'pending') return { doc, bytes: null };
        const sealed = await deps.blobs.get(q, documentId);
        if (!sealed) return { doc, bytes: null };
        try {
          const cipher = await deps.keyring.candidateCipher(q, orgId, doc.candidate_id);
          return { doc, bytes: cipher.open('document_blobs', 'bytes_enc', documentId, sealed) };
        } catch (err) {
          if (err instanceof KeyDestroyedError) return { doc, bytes: null, erased: true };
          throw err;
        }
      });
    },

    /** Refused before extraction (too big, too many pages...): failed, with a message the recruiter can pass on. */
    async refuse(orgId: string, doc: DocumentRow, err: DocumentRefusedError): Promise<void> {
      const { reason, facts } = err.refusal;
      await deps.db.withTenantTx(orgId, async (tx) => {
        await markParseOutcome(tx, doc.id, 'failed', err.message);
        await deps.applications.insertEvent(tx, {
          orgId,
          applicationId: doc.application_id,
          type: 'document.refused',
          actor: { type: 'system' },
          data: { documentId: doc.id, reason, ...facts, candidateMessage: candidateMessageFor(err.refusal) },
        });
        await deps.audit.recordIn(tx, orgId, {
          action: 'document.refused',
          actor: { type: 'system' },
          target: { type: 'document', id: doc.id },
          metadata: { reason, ...facts },
        });
      });
    },

    /** A final outcome without text: no usable text (manual review) or failed. */
    async finishUnparsed(orgId: string, doc: DocumentRow, status: 'needs_manual_review' | 'failed', reason: string): Promise<void> {
      await deps.db.withTenantTx(orgId, async (tx) => {
        await markParseOutcome(tx, doc.id, status, reason);
        await deps.applications.insertEvent(tx, {
          orgId,
          applicationId: doc.application_id,
          type: status === 'failed' ? 'document.parse_failed' : 'document.needs_manual_review',
          actor: { type: 'system' },
          data: { documentId: doc.id, reason },
        });
        await deps.audit.recordIn(tx, orgId, {
          action: status === 'failed' ? 'document.parse_failed' : 'document.needs_manual_review',
          actor: { type: 'system' },
          target: { type: 'document', id: doc.id },
          metadata: { reason },
        });
      });
    },

    /** A failed attempt that will be retried: counted, the reason kept, still pending. */
    async noteFailedAttempt(orgId: string, documentId: string, reason: string): Promise<void> {
      await deps.db.withTenantTx(orgId, (tx) => markParseAttempt(tx, documentId, reason));
    },

    /**
     * Stores the extracted text (and hidden parts, sealed for the injection detector) with a
     * 'document.parsed' event; the timeline gets only the hidden parts' counts. Nothing
     * happens when a concurrent run finished first (re-checked under lock).
     */
    async storeParsed(orgId: string, doc: DocumentRow, result: Extract<ExtractResult, { status: 'parsed' }>): Promise<ReturnType<typeof hiddenCounts>> {
      const { text } = result;
      const hidden = result.hidden ?? {};
      const counts = hiddenCounts(hidden);
      await deps.db.withTenantTx(orgId, async (tx) => {
        const current = await findDocument(tx, doc.id, true);
        if (!current || current.parse_status !== 'pending') return;
        const cipher = await deps.keyring.candidateCipher(tx, orgId, doc.candidate_id);
        await markParsed(tx, doc.id, cipher.seal('documents', 'text_enc', doc.id, text), text.length, isEmptyHidden(hidden) ? null : sealHiddenParts(cipher, doc.id, hidden));
        await deps.applications.insertEvent(tx, {
          orgId,
          applicationId: doc.application_id,
          type: 'document.parsed',
          actor: { type: 'system' },
          data: { documentId: doc.id, chars: text.length, ...(result.pages ? { pages: result.pages } : {}), ...(isEmptyHidden(hidden) ? {} : { hidden: counts }) },
        });
      });
      return counts;
    },

    /** The candidate chose a review without AI: the parsed text is for people only, never screened. */
    async humanReviewOnly(orgId: string, applicationId: string): Promise<boolean | null> {
      return deps.db.withTenant(orgId, (q) => deps.applications.isHumanReviewOnly(q, applicationId));
    },
  };
}

export type DocumentParsing = ReturnType<typeof createDocumentParsing>;
