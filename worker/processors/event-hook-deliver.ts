// Outbound event webhooks (queue event-hook-deliver): one job per (delivery, attempt) with a
// deterministic id, and a repeatable 'sweep' job that offers every due delivery of every org
// again. Events are written to the outbox inside the transaction of the change that caused
// them (server/modules/event-hooks/outbox.ts), so the sweep is what first picks them up: it
// runs every few seconds. It also recovers attempts whose job was lost (Redis blip, crash).
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../../server/core/db.js';
import type { JobPayloads, TypedQueue } from '../../server/core/queues.js';
import { dueDeliveries, type EventHookDeliverer } from '../../server/modules/event-hooks/service.js';
import { eventHookJobId } from '../../server/modules/event-hooks/wire.js';

export const EVENT_HOOK_SWEEP_JOB = 'sweep';
export const EVENT_HOOK_SWEEP_EVERY_MS = 5_000;
const SWEEP_BATCH = 500;

/** One schedule for every worker process (same scheduler id). */
export async function scheduleEventHookSweep(queue: TypedQueue<'event-hook-deliver'>, everyMs = EVENT_HOOK_SWEEP_EVERY_MS): Promise<void> {
  await queue.upsertJobScheduler('event-hook-sweep', { every: everyMs }, { name: EVENT_HOOK_SWEEP_JOB, data: {} });
}

export async function sweepDueDeliveries(deps: { db: Db; queue: TypedQueue<'event-hook-deliver'>; clock: () => Date }): Promise<number> {
  const due = await dueDeliveries(deps.db, deps.clock(), SWEEP_BATCH);
  if (due.length === 0) return 0;
  await deps.queue.addBulk(
    due.map((d) => ({ name: 'deliver', data: { orgId: d.orgId, deliveryId: d.id, attempt: d.attempts + 1 }, opts: { jobId: eventHookJobId(d.id, d.attempts + 1), attempts: 1 } })),
  );
  return due.length;
}

export function createEventHookDeliverProcessor(deps: { deliverer: EventHookDeliverer; db: Db; queue: TypedQueue<'event-hook-deliver'>; clock: () => Date; logger: Logger }) {
  return async (job: Job<JobPayloads['event-hook-deliver']>): Promise<string> => {
    if (job.name === EVENT_HOOK_SWEEP_JOB) return `swept_${await sweepDueDeliveries(deps)}`;
    const { orgId, deliveryId, attempt } = job.data;
    if (!orgId || !deliveryId || !attempt) return 'malformed';
    const outcome = await deps.deliverer.deliver(orgId, deliveryId, attempt);
    deps.logger.debug({ jobId: job.id, deliveryId, attempt, outcome }, 'event webhook attempt');
    return outcome;
  };
}
