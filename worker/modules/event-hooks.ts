// Outbound event webhooks (issue 20): the sweep first picks up outbox rows, then each attempt is its own job.
import { createOutbound } from '../../server/core/outbound.js';
import { QUEUES } from '../../server/core/queues.js';
import { createEventHookDeliverer } from '../../server/modules/event-hooks/index.js';
import { eventHookProducer } from '../../server/modules/event-hooks/index.js';
import { createEventHookDeliverProcessor, scheduleEventHookSweep } from '../processors/event-hook-deliver.js';
import { processor, type ProcessorRegistration, type WorkerPlatform } from '../platform.js';

export async function eventHookProcessors(p: WorkerPlatform): Promise<ProcessorRegistration[]> {
  const hooks = p.deps.eventHooks;
  if (!hooks) return [];
  const clock = hooks.clock ?? (() => new Date());
  const queue = p.queue(QUEUES.eventHookDeliver);
  await p.schedule(() => scheduleEventHookSweep(queue, hooks.sweepEveryMs));
  // Its own outbound guard when the hooks section sets one (tests allow loopback for hooks only).
  const outbound = hooks.outbound ? createOutbound({ allowLoopback: hooks.outbound.allowLoopback, resolver: hooks.outbound.resolver }) : p.outbound;
  if (hooks.outbound) p.onClose(async () => outbound.close());
  const alerts = p.monitorAlerts(hooks.redis, clock, { outbound, nodeEnv: hooks.nodeEnv });
  const deliverer = createEventHookDeliverer({ db: p.db, keyring: p.keyring, outbound, alerts, deliver: eventHookProducer(queue), log: p.logger, clock, scheduleMs: hooks.scheduleMs });
  return [processor(QUEUES.eventHookDeliver, 10, createEventHookDeliverProcessor({ deliverer, db: p.db, queue, clock, logger: p.logger }))];
}
