// Brings an ended call's recording onto the box (queue recording-fetch, payload { orgId,
// interviewId }, job id QUEUE_JOBS.recordingFetch in core/queue-jobs.ts), enqueued by interview-reconcile
// once the transcript is stored; then the call is deleted at Vapi (vapi-delete). Network
// errors and 5xx retry with backoff; a refused recording (too large, not audio, private
// address) is not retried (interviews/recordings.ts).
import type { Job } from 'bullmq';
import type { JobPayloads } from '../../server/core/queues.js';
import type { RecordingService } from '../../server/modules/interviews/index.js';

export function createRecordingFetchProcessor(deps: { recordings: RecordingService }) {
  return async function processRecordingFetch(job: Job<JobPayloads['recording-fetch']>): Promise<string> {
    return deps.recordings.fetch(job.data.orgId, job.data.interviewId);
  };
}
