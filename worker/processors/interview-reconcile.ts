// Reconciles an interview with Vapi (queue interview-reconcile, payload { orgId,
// interviewId }): GET /call/:id after the end-of-call report, and after the longest
// possible call when no report came, filling in transcript and recording reference, or
// applying the retry policy when the call went unanswered. A call that has not ended yet
// is retried with backoff; while Vapi's circuit breaker is open the job waits for it.
// Jobs named 'hang-up' (same payload) end a live call a recruiter asked to stop.
import { DelayedError, type Job } from 'bullmq';
import { CircuitOpenError } from '../../server/core/circuit-breaker.js';
import type { JobPayloads } from '../../server/core/queues.js';
import { breakerWaitUntil, type CallService } from '../../server/modules/interviews/index.js';
import { HANG_UP_JOB_NAME } from '../../server/core/queue-jobs.js';

export function createInterviewReconcileProcessor(deps: { calls: CallService }) {
  return async (job: Job<JobPayloads['interview-reconcile']>, token?: string): Promise<string> => {
    const { orgId, interviewId } = job.data;
    if (!orgId || !interviewId) return 'skipped';
    try {
      if (job.name === HANG_UP_JOB_NAME) return await deps.calls.hangUp(orgId, interviewId);
      const outcome = await deps.calls.reconcile(orgId, interviewId);
      if (outcome === 'not_ended') throw new Error('the call has not ended yet; retrying');
      return outcome;
    } catch (err) {
      if (err instanceof CircuitOpenError) {
        await job.moveToDelayed(breakerWaitUntil(err, Date.now()), token);
        throw new DelayedError();
      }
      throw err;
    }
  };
}
