// Daily privacy-request deadline check (server/modules/rights/service.ts): due-soon and
// overdue alerts per org. Idempotent: a repeated run within the alert service's throttle
// window raises nothing new.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { JobPayloads, TypedQueue } from '../../server/core/queues.js';
import type { DeadlineCheck, DeadlineMonitor } from '../../server/modules/rights/index.js';

/** One schedule id shared by every worker process; 07:05 UTC every day (before office hours in Europe). */
export const PRIVACY_DEADLINES_SCHEDULER = 'privacy-deadlines-daily';
export const PRIVACY_DEADLINES_PATTERN = '5 7 * * *';

export function createPrivacyDeadlinesProcessor(deps: { monitor: DeadlineMonitor; logger: Logger }) {
  return async function processPrivacyDeadlines(job: Job<JobPayloads['privacy-deadlines']>): Promise<DeadlineCheck> {
    const result = await deps.monitor.check();
    deps.logger.info({ jobId: job.id, overdue: result.overdue, dueSoon: result.dueSoon }, 'privacy deadlines job done');
    return result;
  };
}

export async function schedulePrivacyDeadlines(queue: TypedQueue<'privacy-deadlines'>, pattern = PRIVACY_DEADLINES_PATTERN): Promise<void> {
  await queue.upsertJobScheduler(PRIVACY_DEADLINES_SCHEDULER, { pattern, tz: 'UTC' }, { name: 'check', data: {} });
}
