// Delivers one org alert (queue alert-deliver, payload { orgId, alertId }) to the org's
// e-mail recipients and signed webhook. Failures throw so BullMQ retries with backoff; the
// last attempt records the failed channels instead (server/modules/alerts/service.ts).
// Channels are claimed before sending, so a retry after a crash never mails twice
// (docs/alert-delivery.md).
import type { Job } from 'bullmq';
import type { JobPayloads } from '../../server/core/queues.js';
import type { AlertDeliverer } from '../../server/modules/alerts/index.js';

export function createAlertDeliverProcessor(deps: { deliverer: AlertDeliverer }) {
  return async (job: Job<JobPayloads['alert-deliver']>): Promise<void> => {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await deps.deliverer.deliver(job.data.orgId, job.data.alertId, final);
  };
}
