// Accepted work without a live queue job (issue 19): alerts raised but never delivered,
// as the alert-deliver jobs to re-offer.
import type { Db } from '../../core/db.js';
import { queueJob, QUEUE_JOBS, type QueueJob } from '../../core/queue-jobs.js';

/** retryDelayMs: the first retry's delay (QUEUE_JOBS.alertDeliver's by default; tests use a short one). */
export async function alertsUndelivered(db: Db, graceSeconds: number, limit: number, retryDelayMs?: number): Promise<QueueJob<'alert-deliver'>[]> {
  const { rows } = await db.pool.query<{ org_id: string; id: string }>('SELECT org_id, id FROM alerts_undelivered($1, $2)', [graceSeconds, limit]);
  const options = retryDelayMs === undefined ? {} : { options: { backoff: { type: 'exponential', delay: retryDelayMs } } };
  return rows.map((r) => queueJob(QUEUE_JOBS.alertDeliver, { orgId: r.org_id, alertId: r.id }, options));
}
