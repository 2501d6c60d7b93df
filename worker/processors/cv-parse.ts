// Extracts text from an uploaded CV (queue cv-parse, payload { orgId, documentId }).
//
// Idempotent: a document already parsed, sent to manual review or failed is skipped.
// Text extraction runs in a worker thread with a time limit and a heap cap. A document
// without usable text (a scanned PDF) ends in needs_manual_review. A damaged file fails
// at once (UnrecoverableError); other errors retry with backoff and, on the last
// attempt, leave the document in the visible 'failed' state with the reason.
//
// Before any extraction, cheap structural checks (byte size, DOCX entry count and declared
// size, PDF page count) refuse documents that would hold a parser slot for long: refused
// documents fail at once with the reason on the application's timeline and a message the
// recruiter can pass on to the candidate. Running out of time or memory is permanent after
// at most one retry (the same bytes hit the same limits again). With `slots`, an org
// runs at most `perOrg` parses at a time (server/core/org-fairness.ts).
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AuditLog } from '../../server/core/audit.js';
import type { Keyring } from '../../server/core/crypto.js';
import type { Db } from '../../server/core/db.js';
import type { JobPayloads } from '../../server/core/queues.js';
import type { BlobStore } from '../../server/core/storage.js';
import { DEFAULT_EXTRACTION_LIMITS, DocumentRefusedError, ExtractionError, preflightDocument, runExtraction, type ExtractionLimits, type ExtractResult } from '../../server/modules/documents/index.js';
import { createDocumentParsing } from '../../server/modules/documents/index.js';
import { insertEvent, isHumanReviewOnly } from '../../server/modules/applications/index.js';
import type { OrgSlots } from '../../server/core/org-fairness.js';

export interface CvParseDeps {
  db: Db;
  audit: AuditLog;
  keyring: Keyring;
  blobs: BlobStore;
  logger: Logger;
  limits?: Partial<ExtractionLimits>;
  /** Replaceable for tests of the retry path; defaults to the worker-thread extractor. */
  extract?: (mediaType: string, bytes: Uint8Array, limits: ExtractionLimits) => Promise<ExtractResult>;
  /** issue 6 (screening): called after the parsed text is committed; enqueues cv-screen. */
  onParsed?: (orgId: string, applicationId: string, documentId: string) => Promise<void>;
  /** Per-org concurrency leases; a job of an org at its limit goes back to delayed for retryDelayMs (with jitter). */
  slots?: { slots: OrgSlots; retryDelayMs: number };
}

/** Failures of the extraction thread's resource limits: retried at most once. */
const RESOURCE_FAILURE = /^(timeout|memory_limit|extractor_exited|extractor_crashed)/;

export type CvParseOutcome = { status: 'parsed' | 'needs_manual_review' | 'failed' | 'skipped' | 'missing'; reason?: string };

export function createCvParseProcessor(deps: CvParseDeps) {
  const limits = { ...DEFAULT_EXTRACTION_LIMITS, ...deps.limits };
  const extract = deps.extract ?? runExtraction;
  // The application's timeline and no-AI flag reach the documents service as a port (documents must not import applications).
  const documents = createDocumentParsing({ ...deps, applications: { insertEvent, isHumanReviewOnly } });

  async function processCvParse(job: Job<JobPayloads['cv-parse']>, token?: string): Promise<CvParseOutcome> {
    if (!deps.slots) return parseOne(job);
    const { slots, retryDelayMs } = deps.slots;
    const { orgId } = job.data;
    const jobId = job.id ?? `${orgId}:${job.data.documentId}`;
    if (!(await slots.acquire(orgId, jobId))) {
      // The org already uses its share of the parser: step aside (not a failed attempt).
      await job.moveToDelayed(Date.now() + retryDelayMs + Math.floor(Math.random() * retryDelayMs), token);
      throw new DelayedError();
    }
    try {
      return await parseOne(job);
    } finally {
      await slots.release(orgId, jobId).catch((err: Error) => deps.logger.warn({ err: { message: err.message } }, 'cv-parse slot release failed'));
    }
  }
  return processCvParse;

  async function parseOne(job: Job<JobPayloads['cv-parse']>): Promise<CvParseOutcome> {
    const { orgId, documentId } = job.data;
    const log = deps.logger.child({ queue: 'cv-parse', jobId: job.id, documentId });
    const loaded = await documents.loadForParse(orgId, documentId);
    const doc = loaded.doc;
    if (!doc) return { status: 'missing' };
    if (doc.parse_status !== 'pending') return { status: 'skipped' };
    if (!loaded.bytes) {
      await documents.finishUnparsed(orgId, doc, 'failed', 'erased' in loaded ? 'candidate_erased' : 'file_missing');
      return { status: 'failed', reason: 'file_missing' };
    }

    const started = Date.now();
    let result: ExtractResult;
    try {
      preflightDocument(doc.media_type, loaded.bytes, limits);
      result = await extract(doc.media_type, loaded.bytes, limits);
    } catch (err) {
      if (err instanceof DocumentRefusedError) {
        log.warn({ reason: err.refusal.reason, ...err.refusal.facts, ms: Date.now() - started }, 'cv refused before extraction');
        await documents.refuse(orgId, doc, err);
        throw new UnrecoverableError(err.message);
      }
      const reason = err instanceof ExtractionError ? err.message : `unexpected: ${(err as Error).name}`;
      const permanent = err instanceof ExtractionError && err.permanent;
      const attempts = job.opts.attempts ?? 1;
      // A resource failure repeats with the same bytes: one retry (a busy host), then stop.
      const resourceSpent = RESOURCE_FAILURE.test(reason) && job.attemptsMade >= 1;
      const last = permanent || resourceSpent || job.attemptsMade + 1 >= attempts;
      log.warn({ reason, attempt: job.attemptsMade + 1, attempts, permanent }, 'cv parse failed');
      if (last) {
        await documents.finishUnparsed(orgId, doc, 'failed', reason);
        throw new UnrecoverableError(reason);
      }
      await documents.noteFailedAttempt(orgId, doc.id, reason);
      throw err;
    }

    if (result.status === 'needs_manual_review') {
      await documents.finishUnparsed(orgId, doc, 'needs_manual_review', result.reason);
      log.info({ ms: Date.now() - started, status: result.status }, 'cv parsed');
      return { status: 'needs_manual_review', reason: result.reason };
    }
    const text = result.text;
    // Hidden parts (white/invisible/tiny text, comments, metadata) are sealed beside the
    // text for the injection detector; the timeline gets only their counts.
    const counts = await documents.storeParsed(orgId, doc, result);
    log.info({ ms: Date.now() - started, status: 'parsed', chars: text.length, hidden: counts }, 'cv parsed');
    // issue 6 (screening): hand the parsed CV on, after commit; a failed enqueue is logged, the text stays parsed.
    // A candidate who chose a review without AI is never screened: the parsed text is for the people reviewing it.
    const humanOnly = await documents.humanReviewOnly(orgId, doc.application_id);
    if (humanOnly) log.info('human review only: not sent to screening');
    else if (deps.onParsed) await deps.onParsed(orgId, doc.application_id, doc.id).catch((err: Error) => log.warn({ err: { message: err.message } }, 'cv-screen enqueue failed'));
    return { status: 'parsed' };
  }
}
