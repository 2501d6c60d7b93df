// Extracts text from an uploaded CV (queue cv-parse, payload { orgId, documentId }).
//
// Idempotent: a document already parsed, sent to manual review or failed is skipped.
// Text extraction runs in a worker thread with a time limit and a heap cap. A document
// without usable text (a scanned PDF) ends in needs_manual_review. A damaged file fails
// at once (UnrecoverableError); other errors retry with backoff and, on the last
// attempt, leave the document in the visible 'failed' state with the reason.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AuditLog } from '../../server/core/audit.js';
import { KeyDestroyedError, type Keyring } from '../../server/core/crypto.js';
import type { Db } from '../../server/core/db.js';
import type { JobPayloads } from '../../server/core/queues.js';
import type { BlobStore } from '../../server/core/storage.js';
import { insertEvent, isHumanReviewOnly } from '../../server/modules/applications/repo.js';
import { findDocument, markParsed, markParseOutcome, type DocumentRow } from '../../server/modules/documents/repo.js';
import { hiddenCounts, isEmptyHidden, sealHiddenParts } from '../../server/modules/documents/hidden.js';
import { DEFAULT_EXTRACTION_LIMITS, ExtractionError, runExtraction, type ExtractionLimits, type ExtractResult } from '../../server/modules/documents/extract.js';

export interface CvParseDeps {
  db: Db;
  audit: AuditLog;
  keyring: Keyring;
  blobs: BlobStore;
  logger: Logger;
  limits?: ExtractionLimits;
  /** Replaceable for tests of the retry path; defaults to the worker-thread extractor. */
  extract?: (mediaType: string, bytes: Uint8Array, limits: ExtractionLimits) => Promise<ExtractResult>;
  /** issue 6 (screening): called after the parsed text is committed; enqueues cv-screen. */
  onParsed?: (orgId: string, applicationId: string, documentId: string) => Promise<void>;
}

export type CvParseOutcome = { status: 'parsed' | 'needs_manual_review' | 'failed' | 'skipped' | 'missing'; reason?: string };

export function createCvParseProcessor(deps: CvParseDeps) {
  const limits = deps.limits ?? DEFAULT_EXTRACTION_LIMITS;
  const extract = deps.extract ?? runExtraction;

  async function finish(orgId: string, doc: DocumentRow, status: 'needs_manual_review' | 'failed', reason: string): Promise<void> {
    await deps.db.withTenantTx(orgId, async (tx) => {
      await markParseOutcome(tx, doc.id, status, reason);
      await insertEvent(tx, {
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
  }

  return async function processCvParse(job: Job<JobPayloads['cv-parse']>): Promise<CvParseOutcome> {
    const { orgId, documentId } = job.data;
    const log = deps.logger.child({ queue: 'cv-parse', jobId: job.id, documentId });
    const loaded = await deps.db.withTenant(orgId, async (q) => {
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
    const doc = loaded.doc;
    if (!doc) return { status: 'missing' };
    if (doc.parse_status !== 'pending') return { status: 'skipped' };
    if (!loaded.bytes) {
      await finish(orgId, doc, 'failed', 'erased' in loaded ? 'candidate_erased' : 'file_missing');
      return { status: 'failed', reason: 'file_missing' };
    }

    const started = Date.now();
    let result: ExtractResult;
    try {
      result = await extract(doc.media_type, loaded.bytes, limits);
    } catch (err) {
      const reason = err instanceof ExtractionError ? err.message : `unexpected: ${(err as Error).name}`;
      const permanent = err instanceof ExtractionError && err.permanent;
      const attempts = job.opts.attempts ?? 1;
      const last = permanent || job.attemptsMade + 1 >= attempts;
      log.warn({ reason, attempt: job.attemptsMade + 1, attempts, permanent }, 'cv parse failed');
      if (last) {
        await finish(orgId, doc, 'failed', reason);
        throw new UnrecoverableError(reason);
      }
      await deps.db.withTenantTx(orgId, (tx) => tx.query('UPDATE documents SET parse_attempts = parse_attempts + 1, parse_error = $2 WHERE id = $1', [doc.id, reason]));
      throw err;
    }

    if (result.status === 'needs_manual_review') {
      await finish(orgId, doc, 'needs_manual_review', result.reason);
      log.info({ ms: Date.now() - started, status: result.status }, 'cv parsed');
      return { status: 'needs_manual_review', reason: result.reason };
    }
    const text = result.text;
    // Hidden parts (white/invisible/tiny text, comments, metadata) are sealed beside the
    // text for the injection detector; the timeline gets only their counts.
    const hidden = result.hidden ?? {};
    const counts = hiddenCounts(hidden);
    await deps.db.withTenantTx(orgId, async (tx) => {
      // Re-check under lock: a concurrent run may have finished first.
      const current = await findDocument(tx, doc.id, true);
      if (!current || current.parse_status !== 'pending') return;
      const cipher = await deps.keyring.candidateCipher(tx, orgId, doc.candidate_id);
      await markParsed(tx, doc.id, cipher.seal('documents', 'text_enc', doc.id, text), text.length, isEmptyHidden(hidden) ? null : sealHiddenParts(cipher, doc.id, hidden));
      await insertEvent(tx, {
        orgId,
        applicationId: doc.application_id,
        type: 'document.parsed',
        actor: { type: 'system' },
        data: { documentId: doc.id, chars: text.length, ...(result.pages ? { pages: result.pages } : {}), ...(isEmptyHidden(hidden) ? {} : { hidden: counts }) },
      });
    });
    log.info({ ms: Date.now() - started, status: 'parsed', chars: text.length, hidden: counts }, 'cv parsed');
    // issue 6 (screening): hand the parsed CV on, after commit; a failed enqueue is logged, the text stays parsed.
    // A candidate who chose a review without AI is never screened: the parsed text is for the people reviewing it.
    const humanOnly = await deps.db.withTenant(orgId, (q) => isHumanReviewOnly(q, doc.application_id));
    if (humanOnly) log.info('human review only: not sent to screening');
    else if (deps.onParsed) await deps.onParsed(orgId, doc.application_id, doc.id).catch((err: Error) => log.warn({ err: { message: err.message } }, 'cv-screen enqueue failed'));
    return { status: 'parsed' };
  };
}
