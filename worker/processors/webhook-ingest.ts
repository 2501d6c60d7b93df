// Applies one verified, stored Vapi server message (queue webhook-ingest, payload
// { orgId, messageId }). Idempotent: a processed message is skipped. A message whose call
// no interview knows yet is retried with backoff (our write of the call id may lag the
// webhook), and dropped as 'no_interview' after a grace period.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { JobPayloads } from '../../server/core/queues.js';
import { PermanentFailure, type CallService } from '../../server/modules/interviews/calls.js';

export function createWebhookIngestProcessor(deps: { calls: CallService; logger: Logger }) {
  return async (job: Job<JobPayloads['webhook-ingest']>): Promise<string> => {
    try {
      const outcome = await deps.calls.applyMessage(job.data.orgId, job.data.messageId);
      deps.logger.debug({ jobId: job.id, messageId: job.data.messageId, outcome }, 'webhook message applied');
      return outcome;
    } catch (err) {
      if (err instanceof PermanentFailure) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}
