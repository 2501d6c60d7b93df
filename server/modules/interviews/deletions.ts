// Deleting interview calls at Vapi (issue 18): erasure, the retention sweep and org
// offboarding record each call in vapi_call_deletions inside the transaction that destroys
// the candidate's (or org's) rows, then queue one vapi-delete job per call (deterministic
// job id). The job sends DELETE /call/:id through the SDK and counts the deletion done only
// when a GET /call/:id afterwards answers 404; then it writes a receipt to the org's audit
// chain (call id and confirmation time, nothing about the candidate). Failures retry with
// exponential backoff over days (core/queue-jobs.ts, VAPI_DELETE_JOB_OPTIONS); once a call has failed
// `alertAfterAttempts` times the org gets a vapi_deletion alert. The worker's sweep
// re-enqueues every deletion not confirmed yet, so a lost Redis or a failed-out job never
// leaves a copy at Vapi for good.
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import { enqueueBulk, queueJob, QUEUE_JOBS } from '../../core/queue-jobs.js';
import type { TypedQueue } from '../../core/queues.js';
import type { Queryable, TenantDb } from '../../core/db.js';
import type { AlertSink } from '../alerts/index.js';
import { confirmDeletion, findCallDeletion, markDeletionAlerted, noteDeletionFailure, recordCandidateCallDeletions, type VapiDeletionReason } from './deletion-repo.js';
import type { Db } from '../../core/db.js';
import { pendingDeletionsAllOrgs } from './deletion-repo.js';
import { vapiStatusOf, type VapiApi } from './vapi.js';

/** After this many failed attempts (about half an hour with the default backoff) the org is alerted, once per call. */
export const ALERT_AFTER_ATTEMPTS = 5;

export interface VapiDeletionProducer {
  /** Queues the deletion of these calls (after the commit that recorded them). */
  enqueue(orgId: string, callIds: readonly string[]): Promise<void>;
}

/** The producer over the vapi-delete queue (tests shorten the backoff). */
export function vapiDeletionProducer(queue: TypedQueue<'vapi-delete'>, options: { backoffMs?: number; attempts?: number } = {}): VapiDeletionProducer {
  // Over QUEUE_JOBS.vapiDelete's options (VAPI_DELETE_JOB_OPTIONS).
  const overrides = {
    ...(options.attempts ? { attempts: options.attempts } : {}),
    ...(options.backoffMs ? { backoff: { type: 'exponential', delay: options.backoffMs } } : {}),
  };
  return {
    async enqueue(orgId, callIds) {
      await enqueueBulk(queue, callIds.map((callId) => queueJob(QUEUE_JOBS.vapiDelete, { orgId, callId }, { options: overrides })));
    },
  };
}

export class VapiDeletionPendingError extends Error {}

/** Records the candidate's calls for deletion at Vapi; call inside the erasure's transaction, before the rows go. */
export function recordCandidateDeletions(tx: Queryable, orgId: string, candidateId: string, reason: VapiDeletionReason): Promise<string[]> {
  return recordCandidateCallDeletions(tx, orgId, candidateId, reason);
}

/** Queues after commit; a failure is only logged, since the sweep re-enqueues every pending row. */
export async function enqueueDeletions(producer: VapiDeletionProducer | undefined, log: Logger, orgId: string, callIds: readonly string[]): Promise<void> {
  if (!producer || callIds.length === 0) return;
  try {
    await producer.enqueue(orgId, callIds);
  } catch (err) {
    log.warn({ orgId, calls: callIds.length, err: { message: (err as Error).message } }, 'vapi deletions not queued; the sweep will queue them');
  }
}

export function createVapiDeletionService(deps: { db: TenantDb; audit: AuditLog; vapi: VapiApi | null; alerts?: AlertSink; clock: () => Date; log: Logger; alertAfterAttempts?: number }) {
  const alertAfter = deps.alertAfterAttempts ?? ALERT_AFTER_ATTEMPTS;

  async function failed(orgId: string, callId: string, err: unknown): Promise<never> {
    const status = vapiStatusOf(err);
    const code = status !== undefined ? `http_${status}` : err instanceof VapiDeletionPendingError ? 'still_present' : err instanceof Error && err.name === 'CircuitOpenError' ? 'circuit_open' : 'network';
    const row = await deps.db.withTenantTx(orgId, (tx) => noteDeletionFailure(tx, callId, code, deps.clock()));
    if (row && row.attempts >= alertAfter && !row.alerted_at) {
      // raise() never throws; the mark keeps it to one alert per call.
      await deps.alerts?.raise(orgId, 'vapi_deletion', `An interview call could not be deleted at Vapi after ${row.attempts} attempts; hirebox keeps retrying.`, {
        callId,
        attempts: row.attempts,
        lastError: code,
      });
      await deps.db.withTenantTx(orgId, (tx) => markDeletionAlerted(tx, callId, deps.clock()));
    }
    deps.log.warn({ orgId, callId, attempts: row?.attempts, error: code }, 'vapi call deletion failed; will retry');
    throw err instanceof Error ? err : new Error(code);
  }

  return {
    /** The vapi-delete job: DELETE, then GET must answer 404; the receipt is audited once. */
    async process(orgId: string, callId: string): Promise<'confirmed' | 'already_confirmed' | 'unknown'> {
      const row = await deps.db.withTenant(orgId, (q) => findCallDeletion(q, callId));
      if (!row) return 'unknown';
      if (row.confirmed_at) return 'already_confirmed';
      try {
        if (!deps.vapi) throw new Error('Vapi is not configured in this worker');
        await deps.vapi.deleteCall(callId);
        if (!(await deps.vapi.callGone(callId))) throw new VapiDeletionPendingError('the call is still at Vapi after DELETE');
      } catch (err) {
        return failed(orgId, callId, err);
      }
      const at = deps.clock();
      await deps.db.withTenantTx(orgId, async (tx) => {
        if (!(await confirmDeletion(tx, callId, at))) return;
        await deps.audit.recordIn(tx, orgId, {
          action: 'interview.vapi_call_deleted',
          actor: { type: 'system' },
          target: { type: 'vapi_call', id: callId },
          metadata: { callId, confirmedAt: at.toISOString(), reason: row.reason, attempts: row.attempts + 1 },
        });
      });
      return 'confirmed';
    },
  };
}

export type VapiDeletionService = ReturnType<typeof createVapiDeletionService>;

/** Vapi call deletions still pending in every org (the worker's sweep; looks across orgs). */
export async function pendingDeletions(db: Pick<Db, 'pool'>, limit: number): Promise<{ orgId: string; callId: string }[]> {
  return pendingDeletionsAllOrgs(db.pool, limit);
}
