// Reconciles an interview with Vapi (queue interview-reconcile, payload { orgId,
// interviewId }): GET /call/:id after the end-of-call report, and after the longest
// possible call when no report came, filling in transcript and recording reference.
// A call that has not ended yet is retried with backoff.
import type { Job } from 'bullmq';
import type { JobPayloads } from '../../server/core/queues.js';
import type { CallService } from '../../server/modules/interviews/calls.js';

export function createInterviewReconcileProcessor(deps: { calls: CallService }) {
  return async (job: Job<JobPayloads['interview-reconcile']>): Promise<string> => {
    const { orgId, interviewId } = job.data;
    if (!orgId || !interviewId) return 'skipped';
    const outcome = await deps.calls.reconcile(orgId, interviewId);
    if (outcome === 'not_ended') throw new Error('the call has not ended yet; retrying');
    return outcome;
  };
}
