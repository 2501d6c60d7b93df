// Outbound event webhooks (queue event-hook-deliver): one job per (delivery, attempt) with a
// deterministic id, and a repeatable 'sweep' job that offers every due delivery of every org
// again. Events are written to the outbox inside the transaction of the change that caused
// them (server/modules/event-hooks/outbox.ts), so the sweep is what first picks them up: it
// runs every few seconds. It also recovers attempts whose job was lost (Redis blip, crash).
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Db } from '../../server/core/db.js';
import type { JobPayloads, TypedQueue } from '../../server/core/queues.js';
import type { EventHookDeliverer } from '../../server/modules/event-hooks/index.js';
import { enqueueBulk, queueJob, QUEUE_JOBS, scheduleSweep, SWEEP_JOB_NAME } from '../../server/core/queue-jobs.js';
import { dueDeliveries } from '../../server/modules/event-hooks/index.js';

export const EVENT_HOOK_SWEEP_JOB = SWEEP_JOB_NAME;
export const EVENT_HOOK_SWEEP_EVERY_MS = 5_000;
const SWEEP_BATCH = 500;

/** One schedule for every worker process (same scheduler id). */
export async function scheduleEventHookSweep(queue: TypedQueue<'event-hook-deliver'>, everyMs = EVENT_HOOK_SWEEP_EVERY_MS): Promise<void> {
  await scheduleSweep(queue, 'event-hook-sweep', { every: everyMs });
}

export async function sweepDueDeliveries(deps: { db: Db; queue: TypedQueue<'event-hook-deliver'>; clock: () => Date }): Promise<number> {
  const due = await dueDeliveries(deps.db, deps.clock(), SWEEP_BATCH);
  if (due.length === 0) return 0;
  await enqueueBulk(
    deps.queue,
    due.map((d) => queueJob(QUEUE_JOBS.eventHookDeliver, { orgId: d.orgId, deliveryId: d.id, attempt: d.attempts + 1 })),
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
