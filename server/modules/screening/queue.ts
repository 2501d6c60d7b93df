// Producer side of the cv-screen queue (the job kind, with its deterministic id per
// application and document, is declared in core/queue-jobs.ts): a duplicate enqueue for the
// same application and document is a no-op (the runner is idempotent as well).
import { enqueue, QUEUE_JOBS } from '../../core/queue-jobs.js';
import type { TypedQueue } from '../../core/queues.js';

export function createScreeningProducer(queue: TypedQueue<'cv-screen'>) {
  return {
    async enqueueScreening(orgId: string, applicationId: string, documentId: string): Promise<void> {
      await enqueue(queue, QUEUE_JOBS.cvScreen, { orgId, applicationId }, { key: { documentId } });
    },
  };
}
