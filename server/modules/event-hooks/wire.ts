// The event-hook-deliver producer shared by the app (redeliveries) and the worker
// (attempts, retries): one job per (delivery, attempt) under QUEUE_JOBS.eventHookDeliver's
// deterministic id, so an attempt offered twice (enqueue after commit and the sweep) runs once.
import { enqueue, QUEUE_JOBS } from '../../core/queue-jobs.js';
import type { Platform } from '../../plugins/platform.js';
import { QUEUES, type TypedQueue } from '../../core/queues.js';
import { eventHookRoutes } from './routes.js';
import { createEventHookService, type EventHookDeliverProducer } from './service.js';

export function eventHookProducer(queue: TypedQueue<typeof QUEUES.eventHookDeliver>): EventHookDeliverProducer {
  return {
    async enqueue(orgId, deliveryId, attempt, delayMs) {
      await enqueue(queue, QUEUE_JOBS.eventHookDeliver, { orgId, deliveryId, attempt }, { options: { delay: Math.max(0, delayMs) } });
    },
  };
}

/** Outbound event webhooks (issue 20): subscriptions here, deliveries in the worker. */
export async function wireEventHooks(p: Platform): Promise<void> {
  const deliver = eventHookProducer(p.queue(QUEUES.eventHookDeliver));
  const eventHooks = createEventHookService({ db: p.db, audit: p.audit, keyring: p.keyring, outbound: p.outbound, nodeEnv: p.config.nodeEnv, deliver, clock: p.clock });
  await p.app.register(eventHookRoutes, { eventHooks });
}
