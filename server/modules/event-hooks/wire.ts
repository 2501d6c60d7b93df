// The event-hook-deliver producer shared by the app (redeliveries) and the worker
// (attempts, retries): one job per (delivery, attempt) under QUEUE_JOBS.eventHookDeliver's
// deterministic id, so an attempt offered twice (enqueue after commit and the sweep) runs once.
import { enqueue, QUEUE_JOBS } from '../../core/queue-jobs.js';
import type { TypedQueue, QUEUES } from '../../core/queues.js';
import type { EventHookDeliverProducer } from './service.js';

export function eventHookProducer(queue: TypedQueue<typeof QUEUES.eventHookDeliver>): EventHookDeliverProducer {
  return {
    async enqueue(orgId, deliveryId, attempt, delayMs) {
      await enqueue(queue, QUEUE_JOBS.eventHookDeliver, { orgId, deliveryId, attempt }, { options: { delay: Math.max(0, delayMs) } });
    },
  };
}
