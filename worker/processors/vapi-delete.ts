// Deletes interview calls at Vapi (queue vapi-delete, payload { orgId, callId }; job id
// per call, QUEUE_JOBS.vapiDelete). The call's row in vapi_call_deletions (0036) was written with
// the erasure, retention or offboarding that asked for it, or after the recording was
// stored; the job retries with backoff (VAPI_DELETE_JOB_OPTIONS) until a GET answers 404.
//
// The same queue carries a repeatable 'sweep' job (SweepPayload, no ids): every deletion not confirmed yet whose
// job is missing (Redis lost, enqueue failed after commit) is added again, and one that
// used up its attempts is retried, so deletion keeps going until Vapi confirms it.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../../server/core/db.js';
import type { JobPayloads, TypedQueue } from '../../server/core/queues.js';
import { type VapiDeletionProducer, type VapiDeletionService } from '../../server/modules/interviews/index.js';
export { vapiDeletionProducer } from '../../server/modules/interviews/index.js';
import { scheduleSweep, SWEEP_JOB_NAME, vapiDeleteJobId } from '../../server/core/queue-jobs.js';
import { pendingDeletions } from '../../server/modules/interviews/index.js';

export const VAPI_DELETE_SWEEP_JOB_NAME = SWEEP_JOB_NAME;
const SWEEP_EVERY_MS = 15 * 60_000;
const SWEEP_BATCH = 500;

export async function scheduleVapiDeleteSweep(queue: TypedQueue<'vapi-delete'>, everyMs = SWEEP_EVERY_MS): Promise<void> {
  await scheduleSweep(queue, 'vapi-delete-sweep', { every: everyMs });
}

/** Re-enqueues pending deletions whose job is gone and retries failed-out ones; returns how many were (re)queued. */
export async function sweepPendingDeletions(deps: { db: Db; queue: TypedQueue<'vapi-delete'>; producer: VapiDeletionProducer }): Promise<number> {
  let n = 0;
  for (const { orgId, callId } of await pendingDeletions(deps.db, SWEEP_BATCH)) {
    const job = await deps.queue.getJob(vapiDeleteJobId(orgId, callId));
    if (!job) {
      await deps.producer.enqueue(orgId, [callId]);
      n += 1;
    } else if (await job.isFailed()) {
      await job.retry('failed', { resetAttemptsMade: true });
      n += 1;
    }
  }
  return n;
}

export function createVapiDeleteProcessor(deps: { deletions: VapiDeletionService; logger: Logger; sweep: { db: Db; queue: TypedQueue<'vapi-delete'>; producer: VapiDeletionProducer } }) {
  return async function processVapiDelete(job: Job<JobPayloads['vapi-delete']>): Promise<string | number> {
    if (job.name === VAPI_DELETE_SWEEP_JOB_NAME) {
      const n = await sweepPendingDeletions(deps.sweep);
      if (n > 0) deps.logger.warn({ calls: n }, 'vapi-delete sweep re-queued pending deletions');
      return n;
    }
    return deps.deletions.process(job.data.orgId, job.data.callId);
  };
}
