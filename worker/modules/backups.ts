// Stale backups (DESIGN section 9): one hourly schedule shared by every worker process; the
// check itself does nothing unless backups are expected (BACKUPS_EXPECTED).
import { QUEUES } from '../../server/core/queues.js';
import { createBackupMonitor } from '../../server/modules/backups/index.js';
import { createBackupMonitorProcessor, scheduleBackupMonitor } from '../processors/backup-monitor.js';
import { processor, type ProcessorRegistration, type WorkerPlatform } from '../platform.js';

export async function backupProcessors(p: WorkerPlatform): Promise<ProcessorRegistration[]> {
  if (!p.deps.backupMonitor) return [];
  const { redis, expected, maxAgeMs, pattern } = p.deps.backupMonitor;
  const clock = p.deps.backupMonitor.clock ?? (() => new Date());
  await p.schedule(() => scheduleBackupMonitor(p.queue(QUEUES.backupMonitor), pattern));
  const monitor = createBackupMonitor({ db: p.db, alerts: p.monitorAlerts(redis, clock), expected, maxAgeMs, clock, log: p.logger });
  return [processor(QUEUES.backupMonitor, 1, createBackupMonitorProcessor({ monitor, logger: p.logger }))];
}
