// Producer side of the cv-screen queue. Deterministic job ids: a duplicate enqueue for the
// same application and document is a no-op (the runner is idempotent as well).
import type { TypedQueue } from '../../core/queues.js';

export function cvScreenJobId(applicationId: string, documentId: string): string {
  return `cv-screen-${applicationId}-${documentId}`;
}

export function createScreeningProducer(queue: TypedQueue<'cv-screen'>) {
  return {
    async enqueueScreening(orgId: string, applicationId: string, documentId: string): Promise<void> {
      await queue.add('screen', { orgId, applicationId }, { jobId: cvScreenJobId(applicationId, documentId) });
    },
  };
}
