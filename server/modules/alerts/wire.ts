// Builds the app's alert service: its alert-deliver producer (closed with the app) and
// the routes. Alert sources (auth, webhooks, exports) receive the service as an AlertSink.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { NodeEnv } from '../../core/config.js';
import type { Keyring } from '../../core/crypto.js';
import type { Db } from '../../core/db.js';
import type { Outbound } from '../../core/outbound.js';
import { enqueue, QUEUE_JOBS } from '../../core/queue-jobs.js';
import type { Platform } from '../../plugins/platform.js';
import { QUEUES, type TypedQueue } from '../../core/queues.js';
import { alertRoutes } from './routes.js';
import { createAlertService, type AlertService } from './service.js';


export interface QueuedAlertDeps {
  db: Db;
  audit: AuditLog;
  keyring: Keyring;
  redis: Redis;
  redisPrefix: string;
  nodeEnv: NodeEnv;
  outbound: Outbound;
  clock: () => Date;
  logger: Logger;
  retryDelayMs?: number;
}

/** An alert service whose deliveries go through the alert-deliver queue `queue` (its owner closes it); the app and the worker's monitors both use it. */
export function queuedAlertService(deps: QueuedAlertDeps & { queue: TypedQueue<typeof QUEUES.alertDeliver> }): AlertService {
  const { queue, retryDelayMs, logger, ...rest } = deps;
  return createAlertService({
    ...rest,
    log: logger,
    deliver: {
      async enqueue(orgId, alertId) {
        // QUEUE_JOBS.alertDeliver's backoff starts at 10 s; tests start it sooner.
        await enqueue(queue, QUEUE_JOBS.alertDeliver, { orgId, alertId }, retryDelayMs === undefined ? {} : { options: { backoff: { type: 'exponential', delay: retryDelayMs } } });
      },
    },
  });
}

/** The app's alert service (deliveries through the alert-deliver queue) and the alert routes. */
export async function wireAlerts(p: Platform, w: { retryDelayMs?: number }): Promise<AlertService> {
  const { config } = p;
  const alerts = queuedAlertService({
    db: p.db,
    audit: p.audit,
    keyring: p.keyring,
    redis: p.redis,
    redisPrefix: config.redisPrefix,
    nodeEnv: config.nodeEnv,
    outbound: p.outbound,
    clock: p.clock,
    logger: p.logger,
    retryDelayMs: w.retryDelayMs,
    queue: p.queue(QUEUES.alertDeliver),
  });
  await p.app.register(alertRoutes, { alerts });
  return alerts;
}
