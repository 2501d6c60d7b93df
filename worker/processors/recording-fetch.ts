// Brings an ended call's recording onto the box (queue recording-fetch, payload { orgId,
// interviewId }, job id recording-fetch-<interviewId>), enqueued by interview-reconcile
// once the transcript is stored; then the call is deleted at Vapi (vapi-delete). Network
// errors and 5xx retry with backoff; a refused recording (too large, not audio, private
// address) is not retried (interviews/recordings.ts).
import type { Job } from 'bullmq';
import type { JobPayloads } from '../../server/core/queues.js';
import type { RecordingService } from '../../server/modules/interviews/index.js';

/** Network errors and 5xx at Vapi's storage: retried with backoff this many times. */
export const RECORDING_FETCH_ATTEMPTS = 8;

export function recordingFetchJobId(interviewId: string): string {
  return `recording-fetch-${interviewId}`;
}

export function createRecordingFetchProcessor(deps: { recordings: RecordingService }) {
  return async function processRecordingFetch(job: Job<JobPayloads['recording-fetch']>): Promise<string> {
    return deps.recordings.fetch(job.data.orgId, job.data.interviewId);
  };
}
