// Erasing one candidate (DESIGN sections 5 and 9): the one code path behind both the daily
// retention sweep and an erasure request (POST /api/v1/candidates/:id/erasure, `hirebox
// erase candidate`). Inside the caller's tenant transaction, with the candidate row locked:
// applications still in progress are withdrawn, interviews cancelled and links revoked, CV
// files deleted, ciphertext rows dropped or nulled, linkable indexes replaced, the
// candidate key destroyed and one `candidate.erased` audit event written. What reports need
// stays as non-identifying rows (applications with job, stage kind and dates; decision
// outcomes; scores).
//
// Backups: a database backup taken BEFORE the erasure still holds the wrapped candidate key
// and the rows, and both the org key and the master key that unwrap it live on, so
// restoring that backup alone would bring the candidate back. What makes the erasure
// survive a restore is the erasure ledger (server/core/erasure-ledger.ts): a line outside
// the database, re-applied by `hirebox erasures reapply`, which ops/scripts/restore.sh and
// restore-drill.sh run before the app serves. Backups older than the erasure expire within
// 90 days (ops/scripts/backup.sh).
//
// Order: the ledger line is appended and fsynced INSIDE the transaction, after every
// statement has succeeded and before COMMIT. If the line cannot be written the transaction
// rolls back and the erasure reports failure (no erasure the ledger does not know about).
// If the commit then fails, the ledger holds an erasure the database does not: the next
// reapply completes it, which errs on the side the candidate asked for (a retention or
// request erasure had already been decided).
import type { Json } from '../../core/canonical-json.js';
import type { ActorType, AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { Queryable } from '../../core/db.js';
import type { ErasureLedger } from '../../core/erasure-ledger.js';
import type { BlobStore } from '../../core/storage.js';
import { recordCandidateErased } from '../event-hooks/index.js';
import { recordCandidateDeletions } from '../interviews/index.js';
import { candidateKeyReceipt, documentIdsOfCandidate, scrubCandidate, stopCandidateActivity, withdrawOpenApplications, type ErasedCounts } from './repo.js';

export type ErasureReason = 'retention' | 'request';

export interface ErasureInput {
  reason: ErasureReason;
  actor: { type: ActorType; id?: string | null };
  requestId?: string | null;
  /** Extra audit metadata (ids, counts, ticket references; never PII). */
  metadata?: Record<string, Json>;
  /** false only for `hirebox erasures reapply`, whose entry is in the ledger already. */
  ledger?: boolean;
}

export interface ErasureResult extends ErasedCounts {
  files: number;
  applicationsWithdrawn: number;
  interviewsCancelled: number;
  /** Interview calls recorded for deletion at Vapi (vapi_call_deletions). */
  vapiCallsToDelete: number;
}

export interface ErasureOutput extends ErasureResult {
  /** The calls to queue for deletion at Vapi once the transaction has committed. */
  vapiCallIds: string[];
}

/**
 * Runs an erasure transaction again when Postgres aborted it as a deadlock victim: the
 * webhook worker locks a message, then the interview, then touches the application, while
 * an erasure withdraws applications before it cancels interviews and clears messages; the
 * aborted transaction changed nothing, so running it again is safe.
 */
export async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await run();
    } catch (err) {
      if (i >= attempts || (err as { code?: string }).code !== '40P01') throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * i + Math.floor(Math.random() * 30)));
    }
  }
}

export function createCandidateEraser(deps: { audit: AuditLog; keyring: Keyring; blobs: BlobStore; ledger: ErasureLedger; clock?: () => Date }) {
  /** The caller has locked the candidate row and checked it is not erased yet. */
  return async function eraseCandidateIn(tx: Queryable, orgId: string, candidateId: string, input: ErasureInput): Promise<ErasureOutput> {
    const applicationsWithdrawn = await withdrawOpenApplications(tx, orgId, candidateId);
    const interviewsCancelled = await stopCandidateActivity(tx, candidateId);
    // Before any row goes, in this transaction: the copies at Vapi are deleted from these
    // PII-free rows after the candidate's rows and key are gone (interviews/deletions.ts).
    const vapiCallIds = await recordCandidateDeletions(tx, orgId, candidateId, input.reason === 'retention' ? 'retention' : 'erasure');
    const documents = await documentIdsOfCandidate(tx, candidateId);
    for (const id of documents) await deps.blobs.delete(tx, id);
    const counts = await scrubCandidate(tx, candidateId);
    const keyReceipt = await candidateKeyReceipt(tx, candidateId);
    await deps.keyring.destroyCandidateKey(tx, orgId, candidateId);
    const result: ErasureResult = { ...counts, files: documents.length, applicationsWithdrawn, interviewsCancelled, vapiCallsToDelete: vapiCallIds.length };
    await recordCandidateErased(tx, orgId, candidateId, input.reason);
    await deps.audit.recordIn(tx, orgId, {
      action: 'candidate.erased',
      actor: input.actor,
      target: { type: 'candidate', id: candidateId },
      metadata: { reason: input.reason, ...input.metadata, ...result },
      requestId: input.requestId ?? null,
    });
    // Last statement before the caller's COMMIT (see the order above).
    if (input.ledger !== false) {
      await deps.ledger.append({ kind: 'candidate', orgId, candidateId, reason: input.reason, at: (deps.clock?.() ?? new Date()).toISOString(), keyReceipt });
    }
    return { ...result, vapiCallIds };
  };
}

export type CandidateEraser = ReturnType<typeof createCandidateEraser>;
