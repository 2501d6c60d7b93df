// Hourly stale-backup check (server/modules/backups/monitor.ts). Idempotent: a repeated
// run raises nothing new within the alert service's throttle window.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { JobPayloads, TypedQueue } from '../../server/core/queues.js';
import type { BackupCheck, BackupMonitor } from '../../server/modules/backups/index.js';

/** One schedule id shared by every worker process; minute 23 of every hour (UTC). */
export const BACKUP_MONITOR_SCHEDULER = 'backup-monitor-hourly';
export const BACKUP_MONITOR_PATTERN = '23 * * * *';

export function createBackupMonitorProcessor(deps: { monitor: BackupMonitor; logger: Logger }) {
  return async function processBackupMonitor(job: Job<JobPayloads['backup-monitor']>): Promise<BackupCheck> {
    const result = await deps.monitor.check();
    deps.logger.info({ jobId: job.id, status: result.status }, 'backup freshness checked');
    return result;
  };
}

export async function scheduleBackupMonitor(queue: TypedQueue<'backup-monitor'>, pattern = BACKUP_MONITOR_PATTERN): Promise<void> {
  await queue.upsertJobScheduler(BACKUP_MONITOR_SCHEDULER, { pattern, tz: 'UTC' }, { name: 'check', data: {} });
}
