// Places the outbound interview call (queue interview-start, payload { orgId, interviewId })
// with POST /call. Idempotent: only a due 'scheduled' interview without a call id is called,
// and it is claimed before the request, so a retry never rings the candidate twice. Jobs
// are per schedule version and per re-dial (ids interview-start-<id>[-v<n>|-r<n>]); a stale
// one finds the interview not due, cancelled or already called and does nothing.
// While Vapi's circuit breaker is open the job goes back to the delayed set until the
// cool-down ends, without using up an attempt (the interview shows 'waiting-provider').
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { CircuitOpenError } from '../../server/core/circuit-breaker.js';
import type { JobPayloads } from '../../server/core/queues.js';
import { breakerWaitUntil, PermanentFailure, type CallService } from '../../server/modules/interviews/calls.js';

export function createInterviewStartProcessor(deps: { calls: CallService }) {
  return async (job: Job<JobPayloads['interview-start']>, token?: string): Promise<string> => {
    try {
      return await deps.calls.startCall(job.data.orgId, job.data.interviewId);
    } catch (err) {
      if (err instanceof CircuitOpenError) {
        await job.moveToDelayed(breakerWaitUntil(err, Date.now()), token);
        throw new DelayedError();
      }
      if (err instanceof PermanentFailure) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}
