// Places the outbound interview call (queue interview-start, payload { orgId, interviewId })
// with POST /call. Idempotent: only a 'scheduled' interview without a call id is called,
// and it is claimed before the request, so a retry never rings the candidate twice.
import { UnrecoverableError, type Job } from 'bullmq';
import type { JobPayloads } from '../../server/core/queues.js';
import { PermanentFailure, type CallService } from '../../server/modules/interviews/calls.js';

export function createInterviewStartProcessor(deps: { calls: CallService }) {
  return async (job: Job<JobPayloads['interview-start']>): Promise<string> => {
    try {
      return await deps.calls.startCall(job.data.orgId, job.data.interviewId);
    } catch (err) {
      if (err instanceof PermanentFailure) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}
