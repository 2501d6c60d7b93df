// The event-hook-deliver queue contract shared by the app (redeliveries) and the worker
// (attempts, retries, the sweep): deterministic job ids per (delivery, attempt), so an
// attempt offered twice (enqueue after commit and the sweep) runs once.
import type { TypedQueue, QUEUES } from '../../core/queues.js';
import type { EventHookDeliverProducer } from './service.js';

export const eventHookJobId = (deliveryId: string, attempt: number): string => `event-hook-${deliveryId}-${attempt}`;

export function eventHookProducer(queue: TypedQueue<typeof QUEUES.eventHookDeliver>): EventHookDeliverProducer {
  return {
    async enqueue(orgId, deliveryId, attempt, delayMs) {
      // attempts: 1: a failed attempt is recorded and scheduled by the deliverer itself.
      await queue.add('deliver', { orgId, deliveryId, attempt }, { jobId: eventHookJobId(deliveryId, attempt), delay: Math.max(0, delayMs), attempts: 1 });
    },
  };
}
